"""Focused monitoring (rule as data, seeded sample, third-party findings); corrective actions are
tested with the rectification register (jixiao/rectification/tests)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from jixiao.monitoring.models import Engagement, FocusItem
from jixiao.monitoring.services import (
    MonitoringError,
    apply_focus_rule,
    assign_items,
    record_findings,
)
from jixiao.monitoring.tests.conftest import registry_agency

pytestmark = pytest.mark.django_db


def test_rule_selects_red_items_and_department_and_records_the_seed(monitoring_round: Any, users: dict[str, Any]) -> None:
    items = apply_focus_rule(monitoring_round, users["perf_section"], seed=42)
    reasons = {i.form.kind + ":" + i.reason for i in FocusItem.objects.select_related("form")}
    assert "project:red" in reasons and "department:department" in reasons  # nothing paid yet: all red, ≥30万
    assert len(items) == 4
    monitoring_round.focus_rule.refresh_from_db()
    assert monitoring_round.focus_rule.seed == 42
    with pytest.raises(MonitoringError):
        apply_focus_rule(monitoring_round, users["budget_desk"])


def test_agency_records_findings_only_on_assigned_items(monitoring_round: Any, users: dict[str, Any], org: Any,
                                                         login: Any) -> None:
    apply_focus_rule(monitoring_round, users["perf_section"], seed=1)
    item_b = FocusItem.objects.get(form__project=org["projects"]["b"])
    item_a = FocusItem.objects.get(form__project=org["projects"]["a"])
    engagement = Engagement.objects.create(round=monitoring_round, agency=registry_agency(users),
                                           title="重点监控", due_on=date(2021, 11, 30), created_by=users["perf_section"])
    assert assign_items([item_b.pk], engagement, users["perf_section"]) == 1
    agency = users["agency"]
    with pytest.raises(MonitoringError, match="未委托给您所在的机构"):
        record_findings(item_a, agency, item_a.lock_version, "现场核查", "red", "")
    item_b.refresh_from_db()
    client = login(agency)
    response = client.post(reverse("monitoring:focus_detail", kwargs={"pk": item_b.pk}), {
        "findings": "现场核查发现设备采购尚未招标", "finding_light": "red", "recommendation": "暂缓拨款",
        "lock_version": item_b.lock_version})
    assert response.status_code == 302
    item_b.refresh_from_db()
    assert item_b.findings.startswith("现场核查") and item_b.recorded_by == agency
    assert client.get(reverse("monitoring:focus_detail", kwargs={"pk": item_a.pk})).status_code == 404
    # re-selection keeps what is already commissioned
    apply_focus_rule(monitoring_round, users["perf_section"], seed=2)
    assert FocusItem.objects.filter(pk=item_b.pk, engagement=engagement).exists()


def test_assignment_page(monitoring_round: Any, users: dict[str, Any], login: Any) -> None:
    apply_focus_rule(monitoring_round, users["perf_section"], seed=3)
    ids = ",".join(str(pk) for pk in FocusItem.objects.values_list("pk", flat=True))
    agency = registry_agency(users)
    client = login(users["perf_section"])
    response = client.post(reverse("monitoring:focus_assign"), {"agency": agency.pk, "title": "重点监控",
                                                                "due_on": "2021-11-30", "ids": ids})
    assert response.status_code == 302
    assert FocusItem.objects.filter(engagement__isnull=True).count() == 0
    assert set(FocusItem.objects.values_list("engagement__agency", flat=True)) == {agency.pk}


def test_assignment_takes_only_an_agency_of_the_registry(monitoring_round: Any, users: dict[str, Any],
                                                         login: Any) -> None:
    """A typed (mistyped) name is refused; the page offers the registry's agencies only."""
    from jixiao.evaluation.models import Agency

    apply_focus_rule(monitoring_round, users["perf_section"], seed=3)
    agency = registry_agency(users)
    Agency.objects.create(name="已出库的评价机构", is_active=False)
    ids = ",".join(str(pk) for pk in FocusItem.objects.values_list("pk", flat=True))
    client = login(users["perf_section"])
    page = client.get(reverse("monitoring:focus_list")).content.decode()
    assert f'<option value="{agency.pk}">湖南测试会计师事务所</option>' in page and "已出库的评价机构" not in page
    for typed in ("湖南测试会计帅事务所", "湖南测试会计师事务所", str(Agency.objects.get(is_active=False).pk)):
        response = client.post(reverse("monitoring:focus_assign"), {"agency": typed, "agency_name": typed,
                                                                    "title": "重点监控", "due_on": "2021-11-30",
                                                                    "ids": ids}, follow=True)
        assert "从第三方机构库选择机构" in response.content.decode()
    assert not Engagement.objects.exists() and not FocusItem.objects.filter(engagement__isnull=False).exists()
