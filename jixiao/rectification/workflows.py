"""The one rectification workflow (domain.md §7.1): issued → the unit answers with evidence →
finance verifies (accept and close / return / escalate); cancelled by finance with a reason.

A 调减预算并调整目标 measure closes only once the target version v+1 is approved; the performance
section may close it without that, recording its reason (``override_close``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.workflow.engine import State, Transition, Workflow, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
FINANCE = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK})
PERF = frozenset({Role.PERF_SECTION})
APPROVED_TARGET_STATES = ("approved", "published")


def mark_answered(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.answered_at = timezone.now()


def record_verification(doc: Any, user: Any, comment: str, grade: str) -> None:
    if comment:
        doc.verification = comment


def close(doc: Any, user: Any, comment: str, grade: str) -> None:
    record_verification(doc, user, comment, grade)
    doc.closed_at = timezone.now()


def close_with_override(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.close_override = comment
    close(doc, user, comment, grade)


def escalate(doc: Any, user: Any, comment: str, grade: str) -> None:
    record_verification(doc, user, comment, grade)
    doc.escalated_at = timezone.now()


def target_adjustment_approved(doc: Any) -> bool:
    return bool(doc.target_adjustment_id) and doc.target_adjustment.state in APPROVED_TARGET_STATES


def answer_given(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "answer" and not doc.feedback.strip():
        return "请先填写整改反馈（可附佐证材料），再报告整改情况。"
    return None


def retarget_before_close(doc: Any, transition: Transition, user: Any) -> str | None:
    """调整目标: the measure is done when the target v+1 is approved; else only the override closes it."""
    if doc.kind != "retarget":
        return "只有“调减预算并调整目标”措施需要说明理由后销号。" if transition.name == "override_close" else None
    if transition.name == "accept" and not target_adjustment_approved(doc):
        return "调整后的绩效目标（新版本）尚未批复，不能销号；确需销号请由绩效管理股说明理由。"
    if transition.name == "override_close" and target_adjustment_approved(doc):
        return "调整后的绩效目标已批复，请直接核验销号。"
    return None


RECTIFICATION_WORKFLOW = register(
    Workflow(
        name="rectification",
        label="整改事项",
        initial="issued",
        states=(
            State("issued", "待整改", editable_by=UNIT),
            State("answered", "待财政核验"),
            State("returned", "退回重新整改", editable_by=UNIT),
            State("escalated", "已升级督办", editable_by=UNIT),
            State("closed", "已销号", final=True),
            State("cancelled", "已撤销", final=True),
        ),
        transitions=(
            Transition("answer", "报告整改情况", ("issued", "returned", "escalated"), "answered", UNIT,
                       effect=mark_answered),
            Transition("accept", "核验通过并销号", ("answered",), "closed", FINANCE, effect=close),
            Transition("override_close", "未完成目标调整，说明理由后销号", ("answered",), "closed", PERF,
                       comment_required=True, effect=close_with_override, style="danger", comment_label="理由"),
            Transition("return", "退回重新整改", ("answered",), "returned", FINANCE, comment_required=True,
                       effect=record_verification, style="danger"),
            Transition("escalate", "升级督办", ("issued", "returned", "answered"), "escalated", PERF,
                       comment_required=True, effect=escalate, style="danger"),
            Transition("cancel", "撤销", ("issued", "returned", "answered", "escalated"), "cancelled", FINANCE,
                       comment_required=True, style="danger", confirm="确定撤销该整改事项吗？"),
        ),
        guards=(answer_given, retarget_before_close),
    )
)
