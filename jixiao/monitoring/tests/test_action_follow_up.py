"""纠偏措施 are closed (办结) only once their follow-up exists — the target's v+1 approved for 调整目标,
the project's budget reduced for 收回统筹 — or by the performance section's override with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from jixiao.monitoring.models import CorrectiveAction, MonitoringForm
from jixiao.monitoring.services import propose_action, save_feedback, start_retarget
from jixiao.targets.models import TargetDeclaration
from jixiao.workflow.engine import WorkflowError, available_transitions, perform_transition
from jixiao.workflow.models import ReviewLog

pytestmark = pytest.mark.django_db


def reported(action: CorrectiveAction, users: dict[str, Any]) -> CorrectiveAction:
    save_feedback(action, users["unit_filler"], action.lock_version, "已按要求调整")
    action.refresh_from_db()
    perform_transition(action, "report", users["unit_filler"])
    action.refresh_from_db()
    return action


def retarget_action(monitoring_round: Any, users: dict[str, Any], org: Any) -> CorrectiveAction:
    form = MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])
    action = propose_action(form, users["perf_section"], "retarget", "调减预算并调整培训人次", "王会计",
                            date(2021, 12, 10), reduce_fen=10_000_000)
    start_retarget(action, users["unit_filler"], "政策调整，培训人次调减为800")
    action.refresh_from_db()
    return reported(action, users)


def test_retarget_is_not_closed_while_the_new_target_version_waits(monitoring_round: Any, users: dict[str, Any],
                                                                   org: Any, login: Any) -> None:
    action = retarget_action(monitoring_round, users, org)
    TargetDeclaration.objects.filter(pk=action.target_adjustment_id).update(state="submitted")  # 待主管部门审核
    desk = users["budget_desk"]
    assert "close" not in [t.name for t in available_transitions(action, desk)]
    with pytest.raises(WorkflowError, match=r"调整后的绩效目标（第2版）尚未批复，当前为「待主管部门审核」"):
        perform_transition(action, "close", users["perf_section"])
    # the page's button posts the same refusal back
    page = login(desk).post(reverse("monitoring:action_transition", kwargs={"pk": action.pk}),
                            {"transition": "close", "lock_version": action.lock_version}, follow=True)
    assert "尚未批复" in page.content.decode()
    action.refresh_from_db()
    assert action.state == "reported" and action.closed_at is None
    TargetDeclaration.objects.filter(pk=action.target_adjustment_id).update(state="approved")
    assert "close" in [t.name for t in available_transitions(action, desk)]
    perform_transition(action, "close", desk)
    action.refresh_from_db()
    assert action.state == "closed" and action.closed_at


def test_override_closes_only_with_a_reason_and_is_logged(monitoring_round: Any, users: dict[str, Any],
                                                          org: Any) -> None:
    action = retarget_action(monitoring_round, users, org)
    perf = users["perf_section"]
    assert "override_close" in [t.name for t in available_transitions(action, perf)]
    assert "override_close" not in [t.name for t in available_transitions(action, users["budget_desk"])]
    with pytest.raises(WorkflowError, match="必须填写意见"):
        perform_transition(action, "override_close", perf)
    perform_transition(action, "override_close", perf, comment="项目已终止，不再调整目标")
    action.refresh_from_db()
    assert action.state == "closed"
    log = ReviewLog.for_document(action).last()
    assert log is not None and log.comment == "项目已终止，不再调整目标"


def test_recover_closes_once_the_budget_is_reduced(monitoring_round: Any, users: dict[str, Any], org: Any) -> None:
    form = MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])
    action = reported(propose_action(form, users["perf_section"], "recover", "结余资金收回统筹", "王会计",
                                     date(2021, 12, 10), reduce_fen=5_000_000), users)
    with pytest.raises(WorkflowError, match=r"项目调整后预算尚未调减 5\.00 万元"):
        perform_transition(action, "close", users["perf_section"])
    project = org["projects"]["a_sub"]
    project.adjusted_budget_fen = form.budget_fen - 5_000_000
    project.save()
    with pytest.raises(WorkflowError, match="请直接确认办结"):
        perform_transition(action, "override_close", users["perf_section"], comment="无需")
    perform_transition(action, "close", users["perf_section"])
    action.refresh_from_db()
    assert action.state == "closed"
