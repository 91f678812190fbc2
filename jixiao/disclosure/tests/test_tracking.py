"""Deadlines and accountability: each unit's items against the calendar; who has not published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jixiao.disclosure.tracking import tracking
from jixiao.organisation.models import Project
from jixiao.targets.models import TargetDeclaration

pytestmark = pytest.mark.django_db


def test_targets_are_due_20_days_after_the_budget_and_unpublished_ones_are_named(published: dict[str, Any]) -> None:
    approved = timezone.make_aware(datetime(2021, 3, 1, 10))
    Project.objects.filter(year=2021).update(budget_approved_at=approved)
    TargetDeclaration.objects.filter(project=published["unpublished"]).update(approved_at=approved)
    _deadlines, rows = tracking(2021)
    by_code = {r.code: r for r in rows}
    east = by_code["901"]  # 东湖局: its project's target published (late, today), the other one not at all
    items = {i.title: i for i in east.items if i.kind == "target"}
    late = items["东湖局项目绩效目标"]
    assert late.due_on.isoformat() == "2021-03-21" and late.status.startswith("逾期") and late.status.endswith("天公开")
    missing = items[f"{published['unpublished'].name}绩效目标"]
    assert missing.missing and missing.status.startswith("逾期未公开")
    assert "902" not in by_code  # 西岭局's project is 涉密: nothing is due from it


def test_selfevaluations_and_key_findings_follow_the_calendar(published: dict[str, Any]) -> None:
    deadlines, rows = tracking(2022)
    assert deadlines["selfeval"].isoformat() == "2022-07-15" and deadlines["key"].isoformat() == "2022-06-30"
    by_code = {r.code: r for r in rows}
    assert by_code["901001"].count("selfeval", "published") == 1
    assert by_code["901"].count("key", "due") == 0  # the fixture's key evaluation is of plan year 2022 (next year's)


def test_the_page_for_the_performance_section(published: dict[str, Any], users: Any, login: Any,
                                              django_assert_max_num_queries: Any) -> None:
    perf = login(users["perf_section"])
    url = reverse("disclosure:tracking")
    with django_assert_max_num_queries(25):
        page = perf.get(url, {"year": 2022, "all": "1"}).content.decode()
    assert "2022年度信息公开按期情况" in page and "南山所" in page
    assert login(users["unit_filler"]).get(url).status_code == 403
