"""The one rectification workflow (domain.md §7.1): issued → the unit answers with evidence →
finance verifies (accept and close / return / escalate); cancelled by finance with a reason.
The audit bureau verifies, returns and cancels the items of source 审计 it registered, like finance
(整改共抓); every other item it only reads (``audit_acts_on_its_findings``).

销号 requires the follow-up to exist (the ``closed`` state's invariant, checked by the engine):
调减预算并调整目标 — the target's v+1 approved; 收回统筹 — the project's budget reduced by the stated
amount. Otherwise only the performance section's ``override_close``, with its reason, closes it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.rules.money import format_wan
from jixiao.workflow.engine import State, Transition, Workflow, invariant_problems, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
FINANCE = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK})
PERF = frozenset({Role.PERF_SECTION})
AUDIT = frozenset({Role.AUDIT_READER})
#: Who verifies an answer: finance, and the audit bureau for audit findings.
VERIFIERS = FINANCE | AUDIT
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


def follow_up_done(doc: Any) -> str | None:
    """What closing the item needs to exist first (an override records why it is closed without it)."""
    if doc.kind == "retarget":
        new = doc.target_adjustment
        if new is None:
            return "尚未发起绩效目标调整（新版本）"
        if new.state not in APPROVED_TARGET_STATES:
            return f"调整后的绩效目标（第{new.version}版）尚未批复，当前为「{new.state_label}」"
        return None
    if doc.kind == "recover":
        reduce = doc.reduce_fen or 0
        project, base = doc.project, doc.budget_base_fen
        if project is None or base is None:
            return f"收回统筹 {format_wan(reduce)} 万元须由预算股在预算中调减后销号"
        if project.adjusted_budget_fen > base - reduce:
            return (f"项目调整后预算尚未调减 {format_wan(reduce)} 万元"
                    f"（当前 {format_wan(project.adjusted_budget_fen)} 万元）")
    return None


def answer_given(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "answer" and not doc.feedback.strip():
        return "请先填写整改反馈（可附佐证材料），再报告整改情况。"
    return None


def audit_acts_on_its_findings(doc: Any, transition: Transition, user: Any) -> str | None:
    if user.role in AUDIT and doc.source != "audit":
        return "区审计局只能办理审计发现问题的整改事项，其他来源的整改事项只能查阅。"
    return None


def override_only_when_needed(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "override_close" and not invariant_problems(doc, "closed"):
        return "整改后续事项已完成，请直接核验销号。"
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
            State("closed", "已销号", final=True, invariants=(follow_up_done,)),
            State("cancelled", "已撤销", final=True),
        ),
        transitions=(
            Transition("answer", "报告整改情况", ("issued", "returned", "escalated"), "answered", UNIT,
                       effect=mark_answered),
            Transition("accept", "核验通过并销号", ("answered",), "closed", VERIFIERS, effect=close),
            Transition("override_close", "未完成后续事项，说明理由后销号", ("answered",), "closed", PERF,
                       comment_required=True, overrides_invariants=True, effect=close_with_override, style="danger",
                       comment_label="理由"),
            Transition("return", "退回重新整改", ("answered",), "returned", VERIFIERS, comment_required=True,
                       effect=record_verification, style="danger"),
            Transition("escalate", "升级督办", ("issued", "returned", "answered"), "escalated", PERF,
                       comment_required=True, effect=escalate, style="danger"),
            Transition("cancel", "撤销", ("issued", "returned", "answered", "escalated"), "cancelled", VERIFIERS,
                       comment_required=True, style="danger", confirm="确定撤销该整改事项吗？"),
        ),
        guards=(answer_given, override_only_when_needed, audit_acts_on_its_findings),
    )
)
