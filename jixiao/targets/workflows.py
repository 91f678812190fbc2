"""The target declaration's workflow as data (domain.md §1.4).

填报 → 主管部门审核 → 财政审核 with a grade: 优/良 approve (同批复, the version is frozen),
中 returns for revision with reasons, 差 rejects (the project may not enter the budget).
Publication (同公开) makes a public snapshot of what is not 涉密.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.core.types import with_reason
from jixiao.workflow.engine import State, Transition, Workflow, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
APPROVER = frozenset({Role.UNIT_APPROVER})
FINANCE = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK})
PERF = frozenset({Role.PERF_SECTION})
EDITABLE = ("draft", "returned")
APPROVED_STATES = ("approved", "published")


def record_grade(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.review_grade = grade
    doc.review_comment = comment


def approve(doc: Any, user: Any, comment: str, grade: str) -> None:
    """同批复: freeze this version; it replaces the version it adjusts as the current one."""
    record_grade(doc, user, comment, grade)
    doc.approved_at = timezone.now()
    doc.is_current = True
    if doc.supersedes_id is not None:
        previous = type(doc).objects.select_for_update().get(pk=doc.supersedes_id)
        previous.is_current = False
        previous.state = "superseded"
        previous.lock_version += 1
        with_reason(previous, f"被第{doc.version}版替代")
        previous.save()


def publish(doc: Any, user: Any, comment: str, grade: str) -> None:
    """同公开: a frozen, versioned public copy with its digest (jixiao.disclosure); later edits never
    change it, and an approved adjustment publishes the next version with its 更正说明."""
    from jixiao.disclosure.services import publish_record

    publish_record(doc, user, comment)


def approved_with_grade(doc: Any) -> str | None:
    return None if doc.review_grade in ("优", "良") else "批复须有财政审核等级（优或良）"


def public_copy(doc: Any) -> str | None:
    if doc.is_classified:
        return "涉密单位或项目的绩效目标不公开（非涉密、全公开）"
    return None if doc.public_snapshot and doc.snapshot_hash else "须生成公开快照"


def checks_pass(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name != "submit":
        return None
    from jixiao.targets.services import review_findings

    errors = [f for f in review_findings(doc) if f.is_error]
    if errors:
        return f"自动审核发现{len(errors)}处错误，请修改后再提交：" + "；".join(f.message for f in errors[:3])
    return None


def not_classified(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "publish" and doc.is_classified:
        return "涉密单位或项目的绩效目标不公开（非涉密、全公开）。"
    return None


TARGET_WORKFLOW = register(
    Workflow(
        name="target_declaration",
        label="绩效目标申报",
        initial="draft",
        states=(
            State("draft", "填报中", editable_by=UNIT),
            State("submitted", "待主管部门审核"),
            State("dept_approved", "待财政审核"),
            State("returned", "已退回修改", editable_by=UNIT),
            State("rejected", "未通过（不得进入预算）", final=True),
            State("approved", "已批复", invariants=(approved_with_grade,)),
            # A published target rests here; it changes only by approving its adjustment (v+1 supersedes it).
            State("published", "已公开", final=True, invariants=(approved_with_grade, public_copy)),
            State("superseded", "已被调整版本替代", final=True),
        ),
        transitions=(
            Transition("submit", "提交", EDITABLE, "submitted", UNIT),
            Transition("withdraw", "撤回", ("submitted",), "draft", UNIT, style="secondary"),
            Transition("dept_approve", "主管部门审核通过", ("submitted",), "dept_approved", APPROVER),
            Transition("dept_return", "主管部门退回", ("submitted",), "returned", APPROVER,
                       comment_required=True, style="danger"),
            Transition("approve", "审核通过并批复", ("dept_approved",), "approved", FINANCE,
                       grades=("优", "良"), effect=approve),
            Transition("return", "退回修改（中）", ("dept_approved",), "returned", FINANCE,
                       comment_required=True, grades=("中",), effect=record_grade, style="danger"),
            Transition("reject", "不予通过（差）", ("dept_approved",), "rejected", FINANCE,
                       comment_required=True, grades=("差",), effect=record_grade, style="danger",
                       confirm="评为“差”的项目不得进入预算，确定不予通过吗？"),
            Transition("publish", "公开", ("approved",), "published", PERF, effect=publish),
        ),
        guards=(checks_pass, not_classified),
    )
)
