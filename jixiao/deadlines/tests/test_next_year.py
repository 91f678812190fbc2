"""开启下一年度: the performance section opens plan year N+1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from jixiao.deadlines.models import CalendarEntry, default_entries
from jixiao.evaluation.tests.conftest import approved_target
from jixiao.organisation.models import FiscalYear, Project
from jixiao.targets.models import TargetDeclaration

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_opening_next_year_makes_its_calendar_window_and_carries_continuing_projects(
        org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    continuing, one_off = org["projects"]["a_sub"], org["projects"]["b"]
    Project.objects.filter(pk=continuing.pk).update(is_continuing=True)
    approved_target(continuing)  # 2021's approved targets of the continuing project
    with time_machine.travel(datetime(2021, 11, 20, 9, tzinfo=TZ)):
        perf = login(users["perf_section"])  # working year 2021 (the fixtures' plan year)
        calendar = perf.get(reverse("deadlines:calendar")).content.decode()
        assert "开启下一年度" in calendar
        page = perf.get(reverse("deadlines:open_year")).content.decode()
        assert "开启2022年度预算绩效管理工作" in page and "1 个" in page
        assert login(users["unit_filler"]).post(reverse("deadlines:open_year"), {"year": "2022"}).status_code == 403
        assert not Project.objects.filter(year=2022).exists()

        response = perf.post(reverse("deadlines:open_year"), {"year": "2022"}, follow=True)
        html = response.content.decode()
        assert "已开启2022年度" in html and "结转延续项目 1 个（其中 1 个可按上年批复的绩效目标起草）" in html
        assert FiscalYear.objects.filter(year=2022).exists()
        window = CalendarEntry.objects.get(year=2022, code="targets_declare")
        assert (window.opens_on, window.due_on) == (date(2021, 11, 20), date(2022, 4, 15))  # open from today
        assert CalendarEntry.objects.filter(year=2022).count() == len(default_entries(2021))
        carried = Project.objects.get(year=2022)
        assert (carried.code, carried.name, carried.unit, carried.is_continuing) == (
            continuing.code, continuing.name, continuing.unit, True)
        assert not Project.objects.filter(year=2022, code=one_off.code).exists()
        assert carried.history.first().history_change_reason == "开启2022年度：延续项目结转"

        # Opening it again adds nothing and keeps the dates the section has edited.
        CalendarEntry.objects.filter(year=2022, code="targets_declare").update(due_on=date(2022, 4, 20))
        perf.post(reverse("deadlines:open_year"), {"year": "2022"})
        assert Project.objects.filter(year=2022).count() == 1
        assert CalendarEntry.objects.get(year=2022, code="targets_declare").due_on == date(2022, 4, 20)
        # Years further ahead cannot be opened.
        response = perf.post(reverse("deadlines:open_year"), {"year": "2024"}, follow=True)
        assert "只能开启2022年度及以前的年度" in response.content.decode()

    # The unit declares the carried project starting from last year's approved targets.
    filler = login(users["unit_filler"])
    with time_machine.travel(datetime(2021, 11, 21, 9, tzinfo=TZ)):
        filler.post(reverse("core:working_year"), {"year": "2022", "next": "/"})
        missing = filler.get(reverse("targets:missing")).content.decode()
        assert "2022年度待填报绩效目标" in missing and continuing.name in missing
    from jixiao.targets.services import open_project_declaration

    draft = open_project_declaration(carried, users["unit_filler"])
    assert draft.year == 2022 and draft.state == "draft"
    assert [i.name for i in draft.indicators.order_by("position")] == [
        i.name for i in TargetDeclaration.objects.get(year=2021, project=continuing).indicators.order_by("position")]
