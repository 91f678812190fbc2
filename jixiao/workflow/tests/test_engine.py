from __future__ import annotations

from typing import Any

import pytest

from jixiao.core.locking import StaleEdit
from jixiao.workflow.engine import (
    WorkflowError,
    available_transitions,
    can_edit,
    perform_transition,
    save_document,
)
from jixiao.workflow.models import Notification, ReviewLog
from jixiao.workflow.tests.testapp.models import SampleDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(org: dict[str, Any]) -> SampleDocument:
    return SampleDocument.objects.create(unit=org["units"]["a_sub"], title="南山所申报表", amount_fen=100)


def names(doc: SampleDocument, user: Any) -> list[str]:
    return [t.name for t in available_transitions(doc, user)]


def test_full_path_with_review_log(doc: SampleDocument, users: dict[str, Any]) -> None:
    assert doc.state == "draft"
    perform_transition(doc, "submit", users["unit_filler"])
    perform_transition(doc, "dept_approve", users["unit_approver"], comment="同意")
    perform_transition(doc, "approve", users["perf_section"], comment="目标明确", grade="优")
    perform_transition(doc, "publish", users["perf_section"])
    doc.refresh_from_db()
    assert doc.state == "published" and doc.lock_version == 4
    log = list(ReviewLog.for_document(doc))
    assert [(x.from_state, x.to_state, x.actor.username) for x in log] == [
        ("draft", "submitted", "unit_filler"),
        ("submitted", "dept_approved", "unit_approver"),
        ("dept_approved", "approved", "perf_section"),
        ("approved", "published", "perf_section"),
    ]
    assert log[2].grade == "优" and log[2].comment == "目标明确" and log[1].to_label == "主管部门已审核"


def test_only_legal_transitions_for_this_user_are_offered(doc: SampleDocument, users: dict[str, Any]) -> None:
    assert names(doc, users["unit_filler"]) == ["submit"]
    assert names(doc, users["unit_approver"]) == []
    perform_transition(doc, "submit", users["unit_filler"])
    assert names(doc, users["unit_filler"]) == []
    assert names(doc, users["unit_approver"]) == ["dept_approve", "return"]
    assert names(doc, users["perf_section"]) == ["return"]
    assert names(doc, users["budget_desk"]) == []


def test_return_requires_a_reason_and_reopens_editing(doc: SampleDocument, users: dict[str, Any]) -> None:
    perform_transition(doc, "submit", users["unit_filler"])
    assert not can_edit(doc, users["unit_filler"])  # submitted is read-only for its submitter
    with pytest.raises(WorkflowError, match="必须填写意见"):
        perform_transition(doc, "return", users["unit_approver"], comment="  ")
    perform_transition(doc, "return", users["unit_approver"], comment="产出指标不完整")
    doc.refresh_from_db()
    assert doc.state == "returned" and can_edit(doc, users["unit_filler"])
    notice = Notification.objects.get(recipient=users["unit_filler"])
    assert "退回" in notice.title and notice.body == "产出指标不完整"


def test_refusals_name_the_reason(doc: SampleDocument, users: dict[str, Any], org: dict[str, Any]) -> None:
    with pytest.raises(WorkflowError, match="不能执行「批复」"):
        perform_transition(doc, "approve", users["perf_section"], grade="优")
    with pytest.raises(WorkflowError, match="没有权限"):
        perform_transition(doc, "submit", users["unit_approver"])
    other = SampleDocument.objects.create(unit=org["units"]["b"], title="西岭局申报表", amount_fen=1)
    with pytest.raises(WorkflowError, match="没有权限"):
        perform_transition(other, "submit", users["unit_filler"])  # another unit's document
    perform_transition(doc, "submit", users["unit_filler"])
    perform_transition(doc, "dept_approve", users["unit_approver"])
    with pytest.raises(WorkflowError, match="审核等级"):
        perform_transition(doc, "approve", users["perf_section"], grade="差")
    empty = SampleDocument.objects.create(unit=org["units"]["a_sub"], title="零金额", amount_fen=0)
    with pytest.raises(WorkflowError, match="金额必须大于0"):
        perform_transition(empty, "submit", users["unit_filler"])


def test_stale_transition_and_stale_edit_are_refused(doc: SampleDocument, users: dict[str, Any]) -> None:
    seen = doc.lock_version
    first = SampleDocument.objects.get(pk=doc.pk)
    first.title = "第一次修改"
    save_document(first, users["unit_filler"], seen)
    second = SampleDocument.objects.get(pk=doc.pk)
    second.title = "第二次修改"
    with pytest.raises(StaleEdit, match="已被他人修改"):
        save_document(second, users["unit_filler"], seen)
    with pytest.raises(StaleEdit):
        perform_transition(doc, "submit", users["unit_filler"], expected_version=seen)
    doc.refresh_from_db()
    assert doc.title == "第一次修改" and doc.state == "draft"


def test_edit_refused_outside_editable_states(doc: SampleDocument, users: dict[str, Any]) -> None:
    perform_transition(doc, "submit", users["unit_filler"])
    doc.refresh_from_db()
    doc.title = "提交后修改"
    with pytest.raises(WorkflowError, match="不能修改"):
        save_document(doc, users["unit_filler"], doc.lock_version)
    assert SampleDocument.objects.get(pk=doc.pk).title == "南山所申报表"


def test_transition_records_history_with_reason(doc: SampleDocument, users: dict[str, Any]) -> None:
    perform_transition(doc, "submit", users["unit_filler"], comment="请审核")
    latest = doc.history.latest()
    assert latest.state == "submitted" and latest.history_change_reason == "提交：请审核"


def test_workflow_declarations_are_validated() -> None:
    from jixiao.workflow.engine import State, Transition, Workflow, register

    with pytest.raises(ValueError, match="undeclared"):
        register(Workflow("bad", "坏流程", "draft", (State("draft", "草稿"),),
                          (Transition("go", "去", ("draft",), "nowhere", frozenset()),)))
