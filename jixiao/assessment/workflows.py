"""The unit-assessment workflow as data (domain.md §7.6, issue 14 item 3).

单位自评 (judged items with evidence) → 绩效股审核 (each change with a reason; returns carry
reasons) → 已审核 → 公示 (ranking, grades, 通报表扬/约谈; taken for all units at once by
``services.publicise``) → 异议 (within the dispute window) → 公示 → 定稿 (``services.finalise``,
after the window, exported for the 区绩效办).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.rules.assessment import cn_date
from jixiao.workflow.engine import State, Transition, Workflow, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
PERF = frozenset({Role.PERF_SECTION})


def judged_reviewed(doc: Any) -> str | None:
    missing = [s.code for s in doc.scores.all() if not s.measure and s.kind in ("judged", "bonus")
               and s.score is None]
    return f"评审打分项目{'、'.join(missing)}尚未给出审核得分" if missing else None


def ranked(doc: Any) -> str | None:
    if doc.total is None or not doc.grade or not doc.rank:
        return "须先计算总分、等次和排名"
    return None


def dispute_stated(doc: Any) -> str | None:
    return None if doc.dispute.strip() else "须写明异议内容"


def mark_submitted(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.submitted_at = timezone.now()


def record_dispute(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.dispute = comment
    doc.dispute_answer = ""


def record_answer(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.dispute_answer = comment


def within_window(doc: Any, transition: Transition, user: Any) -> str | None:
    today = timezone.localdate()
    until = doc.scheme.dispute_until
    if transition.name == "dispute" and until and today > until:
        return f"公示异议期已于{cn_date(until)}截止，不能再提出异议。"
    if transition.name == "finalise" and until and today <= until:
        return f"公示异议期至{cn_date(until)}，期满后方可定稿。"
    return None


UNIT_ASSESSMENT_WORKFLOW = register(
    Workflow(
        name="unit_assessment",
        label="预算绩效管理工作考核",
        initial="self_assessment",
        states=(
            State("self_assessment", "单位自评", editable_by=UNIT),
            State("review", "绩效股审核", editable_by=PERF),
            State("reviewed", "已审核", invariants=(judged_reviewed,)),
            State("publicised", "公示中", invariants=(judged_reviewed, ranked)),
            State("disputed", "异议处理中", invariants=(dispute_stated,)),
            State("final", "已定稿", final=True, invariants=(judged_reviewed, ranked)),
        ),
        transitions=(
            Transition("submit", "提交自评", ("self_assessment",), "review", UNIT, effect=mark_submitted),
            Transition("return", "退回单位补充", ("review",), "self_assessment", PERF, comment_required=True,
                       style="secondary"),
            Transition("confirm", "审核确认", ("review",), "reviewed", PERF),
            Transition("reopen", "重新审核", ("reviewed",), "review", PERF, comment_required=True, style="secondary"),
            Transition("publicise", "公示", ("reviewed",), "publicised", PERF, form_only=True),
            Transition("dispute", "提出异议", ("publicised",), "disputed", UNIT, comment_required=True,
                       comment_label="异议内容", effect=record_dispute, fulfils_invariants=True, style="secondary"),
            Transition("resolve", "异议处理完毕", ("disputed",), "publicised", PERF, comment_required=True,
                       comment_label="处理意见", effect=record_answer),
            Transition("finalise", "定稿", ("publicised",), "final", PERF, form_only=True),
        ),
        guards=(within_window,),
    )
)
