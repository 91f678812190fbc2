"""Monitoring workflows as data.

监控表: unit fills → submits → first-level approver → finance accepts or returns with a reason.
纠偏措施: finance issues → the unit reports its rectification → finance closes it or sends it back.
办结 requires the follow-up to exist (调整目标: the target's v+1 approved; 收回统筹: the project's
budget reduced by the stated amount); otherwise only the performance section's override, with its
reason, closes it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.rules.money import format_wan
from jixiao.workflow.engine import State, Transition, Workflow, invariant_problems, register

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


def close_action(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.closed_at = timezone.now()


def feedback_given(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "report" and not doc.feedback.strip():
        return "请先填写整改反馈，再报告整改情况。"
    return None


def follow_up_done(doc: Any) -> str | None:
    """What an action's closing needs to exist first (an override records why it is closed without it)."""
    if doc.kind == "retarget":
        new = doc.target_adjustment
        if new is None:
            return "尚未发起绩效目标调整（新版本）"
        if new.state not in ("approved", "published"):
            return f"调整后的绩效目标（第{new.version}版）尚未批复，当前为「{new.state_label}」"
        return None
    if doc.kind == "recover":
        project = doc.form.project
        if project is None:
            return f"收回统筹 {format_wan(doc.reduce_fen or 0)} 万元须由预算股在预算中调减后办结"
        if project.adjusted_budget_fen > doc.form.budget_fen - (doc.reduce_fen or 0):
            return (f"项目调整后预算尚未调减 {format_wan(doc.reduce_fen or 0)} 万元"
                    f"（当前 {format_wan(project.adjusted_budget_fen)} 万元）")
    return None


def override_only_when_needed(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "override_close" and not invariant_problems(doc, "closed"):
        return "整改后续事项已完成，请直接确认办结。"
    return None


ACTION_WORKFLOW = register(
    Workflow(
        name="corrective_action",
        label="纠偏措施",
        initial="issued",
        states=(
            State("issued", "待整改", editable_by=UNIT),
            State("reported", "整改情况待确认"),
            State("closed", "已办结", final=True, invariants=(follow_up_done,)),
            State("cancelled", "已撤销", final=True),
        ),
        transitions=(
            Transition("report", "报告整改情况", ("issued",), "reported", UNIT),
            Transition("close", "确认办结", ("reported",), "closed", FINANCE, effect=close_action),
            Transition("override_close", "未完成后续事项，说明理由后办结", ("reported",), "closed", PERF,
                       comment_required=True, overrides_invariants=True, effect=close_action, style="danger",
                       comment_label="理由"),
            Transition("reopen", "退回继续整改", ("reported",), "issued", FINANCE, comment_required=True,
                       style="danger"),
            Transition("cancel", "撤销措施", ("issued", "reported"), "cancelled", FINANCE, comment_required=True,
                       style="danger", confirm="确定撤销该纠偏措施吗？"),
        ),
        guards=(feedback_given, override_only_when_needed),
    )
)
