"""The audit finding's workflow as data: 待整改 → 已反馈 (the unit's feedback) → 已销号 (audit or
finance accepts) or back to 待整改 with a reason; a wrongly registered finding is withdrawn with a reason."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.workflow.engine import State, Transition, Workflow, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
CLOSERS = frozenset({Role.AUDIT_READER, Role.PERF_SECTION})
AUDIT = frozenset({Role.AUDIT_READER})


def has_feedback(doc: Any) -> str | None:
    return None if doc.feedback.strip() else "须填写整改反馈"


def has_closed_at(doc: Any) -> str | None:
    return None if doc.closed_at else "须记录销号时间"


def record_feedback(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.feedback = comment
    doc.answered_at = timezone.now()


def record_close(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.closed_at = timezone.now()


def clear_close(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.closed_at = None


AUDIT_FINDING_WORKFLOW = register(
    Workflow(
        name="audit_finding",
        label="审计发现问题整改",
        initial="open",
        states=(
            State("open", "待整改", editable_by=AUDIT),
            State("answered", "已反馈", invariants=(has_feedback,)),
            State("closed", "已销号", final=True, invariants=(has_feedback, has_closed_at)),
            State("withdrawn", "已撤销", final=True),
        ),
        transitions=(
            Transition("answer", "报告整改情况", ("open",), "answered", UNIT, comment_required=True,
                       comment_label="整改反馈", effect=record_feedback, fulfils_invariants=True),
            Transition("close", "确认整改到位并销号", ("answered",), "closed", CLOSERS, effect=record_close),
            Transition("reopen", "退回继续整改", ("answered",), "open", CLOSERS, comment_required=True,
                       effect=clear_close, style="secondary"),
            Transition("withdraw", "撤销（登记有误）", ("open",), "withdrawn", AUDIT, comment_required=True,
                       style="danger"),
        ),
    )
)
