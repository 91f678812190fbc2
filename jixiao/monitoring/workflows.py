"""Monitoring workflows as data.

监控表: unit fills → submits → first-level approver → finance accepts or returns with a reason.
纠偏措施 are items of the rectification register (jixiao.rectification).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.workflow.engine import State, Transition, Workflow, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
APPROVER = frozenset({Role.UNIT_APPROVER})
FINANCE = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK})
PERF = frozenset({Role.PERF_SECTION})
EDITABLE = ("draft", "returned")


def mark_submitted(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.submitted_at = timezone.now()


def record_review(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.review_comment = comment


def complete_before_submit(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name != "submit":
        return None
    from jixiao.monitoring.services import form_problems

    problems = form_problems(doc)
    if problems:
        return f"监控表还有{len(problems)}处需要填写，请修改后再报送：" + "；".join(problems[:3])
    return None


FORM_WORKFLOW = register(
    Workflow(
        name="monitoring_form",
        label="绩效监控情况表",
        initial="draft",
        states=(
            State("draft", "填报中", editable_by=UNIT),
            State("submitted", "待主管部门审核"),
            State("dept_approved", "待财政审核"),
            State("returned", "已退回修改", editable_by=UNIT),
            State("accepted", "财政已审核", final=True),
        ),
        transitions=(
            Transition("submit", "报送", EDITABLE, "submitted", UNIT, effect=mark_submitted),
            Transition("withdraw", "撤回", ("submitted",), "draft", UNIT, style="secondary"),
            Transition("dept_approve", "主管部门审核通过", ("submitted",), "dept_approved", APPROVER),
            Transition("dept_return", "主管部门退回", ("submitted",), "returned", APPROVER,
                       comment_required=True, style="danger"),
            Transition("accept", "财政审核通过", ("dept_approved",), "accepted", FINANCE, effect=record_review),
            Transition("return", "财政退回修改", ("dept_approved",), "returned", FINANCE,
                       comment_required=True, effect=record_review, style="danger"),
        ),
        guards=(complete_before_submit,),
    )
)
