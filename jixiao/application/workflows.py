"""The board's workflow: 编制中 (desks confirm or change each proposal) → 已定稿 by the performance section."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.workflow.engine import State, Transition, Workflow, register

PERF = frozenset({Role.PERF_SECTION})


def all_decided(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name != "finalise":
        return None
    if not doc.built_at:
        return "尚未生成结果应用建议。"
    pending = doc.proposals.filter(decision="").exists()  # no COUNT over a province's lines on every page
    return "尚有建议未经业务股室确认（可按“确认情况：待业务股室确认”筛选），不能定稿。" if pending else None


def mark_final(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.finalised_at = timezone.now()


def clear_final(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.finalised_at = None


BOARD_WORKFLOW = register(
    Workflow(
        name="application_board",
        label="结果应用建议",
        initial="open",
        states=(State("open", "编制中"), State("final", "已定稿")),
        transitions=(
            Transition("finalise", "定稿", ("open",), "final", PERF, effect=mark_final,
                       confirm="定稿后业务股室不能再调整建议，确定定稿吗？"),
            Transition("reopen", "退回修改", ("final",), "open", PERF, comment_required=True, effect=clear_final,
                       style="danger"),
        ),
        guards=(all_decided,),
    )
)
