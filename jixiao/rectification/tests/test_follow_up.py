"""Register items are closed (销号) only once their follow-up exists — the target's v+1 approved for
调减预算并调整目标, the project's budget reduced for 收回统筹 — or by the performance section's
override with a reason (the ``closed`` state's invariant, ported from the former 纠偏措施)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jixiao.monitoring.models import MonitoringForm
from jixiao.rectification.models import Rectification
from jixiao.rectification.services import from_monitoring, save_feedback, start_retarget
from jixiao.targets.models import TargetDeclaration
from jixiao.workflow.engine import WorkflowError, available_transitions, perform_transition
from jixiao.workflow.models import ReviewLog

pytestmark = pytest.mark.django_db


def answered(item: Rectification, users: dict[str, Any]) -> Rectification:
    save_feedback(item, users["unit_filler"], item.lock_version, "已按要求调整")
    item.refresh_from_db()
    perform_transition(item, "answer", users["unit_filler"])
    item.refresh_from_db()
    return item


def retarget_item(monitoring_round: Any, users: dict[str, Any], org: Any) -> Rectification:
    form = MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])
    item = from_monitoring(form, users["perf_section"], "retarget", "调减预算并调整培训人次", "王会计", None,
                           reduce_fen=10_000_000)
    start_retarget(item, users["unit_filler"], "政策调整，培训人次调减为800")
    item.refresh_from_db()
    return answered(item, users)


def test_retarget_is_not_closed_while_the_new_target_version_waits(monitoring_round: Any, users: dict[str, Any],
                                                                   org: Any, login: Any) -> None:
    item = retarget_item(monitoring_round, users, org)
    TargetDeclaration.objects.filter(pk=item.target_adjustment_id).update(state="submitted")  # 待主管部门审核
    desk = users["budget_desk"]
    assert "accept" not in [t.name for t in available_transitions(item, desk)]
    with pytest.raises(WorkflowError, match=r"调整后的绩效目标（第2版）尚未批复，当前为「待主管部门审核」"):
        perform_transition(item, "accept", users["perf_section"])
    # the page's button posts the same refusal back
    page = login(desk).post(reverse("rectification:transition", kwargs={"pk": item.pk}),
                            {"transition": "accept", "lock_version": item.lock_version}, follow=True)
    assert "尚未批复" in page.content.decode()
    item.refresh_from_db()
    assert item.state == "answered" and item.closed_at is None
    TargetDeclaration.objects.filter(pk=item.target_adjustment_id).update(state="approved")
    assert "accept" in [t.name for t in available_transitions(item, desk)]
    perform_transition(item, "accept", desk)
    item.refresh_from_db()
    assert item.state == "closed" and item.closed_at


def test_override_closes_only_with_a_reason_and_is_logged(monitoring_round: Any, users: dict[str, Any],
                                                          org: Any) -> None:
    item = retarget_item(monitoring_round, users, org)
    perf = users["perf_section"]
    assert "override_close" in [t.name for t in available_transitions(item, perf)]
    assert "override_close" not in [t.name for t in available_transitions(item, users["budget_desk"])]
    with pytest.raises(WorkflowError, match="必须填写"):
        perform_transition(item, "override_close", perf)
    perform_transition(item, "override_close", perf, comment="项目已终止，不再调整目标")
    item.refresh_from_db()
    assert item.state == "closed" and item.close_override == "项目已终止，不再调整目标"
    log = ReviewLog.for_document(item).last()
    assert log is not None and log.comment == "项目已终止，不再调整目标"


def test_recover_closes_once_the_budget_is_reduced(monitoring_round: Any, users: dict[str, Any], org: Any) -> None:
    form = MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])
    item = answered(from_monitoring(form, users["perf_section"], "recover", "结余资金收回统筹", "王会计", None,
                                    reduce_fen=5_000_000), users)
    assert item.budget_base_fen == form.budget_fen
    with pytest.raises(WorkflowError, match=r"项目调整后预算尚未调减 5\.00 万元"):
        perform_transition(item, "accept", users["perf_section"])
    project = org["projects"]["a_sub"]
    project.adjusted_budget_fen = form.budget_fen - 5_000_000
    project.save()
    item.refresh_from_db()
    with pytest.raises(WorkflowError, match="请直接核验销号"):
        perform_transition(item, "override_close", users["perf_section"], comment="无需")
    perform_transition(item, "accept", users["perf_section"])
    item.refresh_from_db()
    assert item.state == "closed"


def test_a_measure_without_follow_up_closes_by_plain_verification(monitoring_round: Any, users: dict[str, Any],
                                                                  org: Any) -> None:
    form = MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])
    item = answered(from_monitoring(form, users["budget_desk"], "urge", "加快支付", "王会计", None), users)
    assert "override_close" not in [t.name for t in available_transitions(item, users["perf_section"])]
    perform_transition(item, "accept", users["budget_desk"])
    item.refresh_from_db()
    assert item.state == "closed"
