"""The evaluation stage's entries on every home page: due self-evaluations and review queues."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse

from jixiao.core.views_home import REVIEW_QUEUES
from jixiao.deadlines.registry import DueDocument, register_provider


def due_selfevaluations(user: Any, today: date) -> Iterable[DueDocument]:
    """The user's own self-evaluations still to submit, each with the calendar's deadline."""
    from jixiao.evaluation.models import SelfEvaluation
    from jixiao.evaluation.services import calendar_due

    if user.role not in ("unit_filler", "unit_approver"):
        return []
    rows = (SelfEvaluation.objects.for_user(user).filter(state__in=("draft", "returned"))
            .select_related("unit", "project").order_by("year", "pk")[:50])
    dues: dict[int, date] = {}
    out = []
    for se in rows:
        if se.year not in dues:
            dues[se.year] = calendar_due(se.year, "selfeval_submit")
        out.append(DueDocument(str(se), dues[se.year], se.state_label, se.get_absolute_url()))
    return out


def review_queue(user: Any) -> list[tuple[str, int, str]]:
    from jixiao.evaluation.models import KeyEvaluation, Recheck, SelfEvaluation

    queues: list[tuple[str, int, str]] = []
    waiting = {"unit_approver": "submitted", "perf_section": "dept_approved", "budget_desk": "dept_approved"}
    if user.role in waiting:
        state = waiting[user.role]
        n = SelfEvaluation.objects.for_user(user).filter(state=state).count()
        if n:
            queues.append(("待审核的绩效自评表", n, reverse("evaluation:selfeval_list") + f"?state={state}&year="))
    if user.role == "agency":
        n = Recheck.objects.for_user(user).filter(completed_at__isnull=True).count()
        if n:
            queues.append(("待复核的自评表", n, reverse("evaluation:recheck_list")))
    key_states = {"agency": ("engaged", "fieldwork", "feedback_given"), "expert": ("fieldwork",),
                  "perf_section": ("shortlisted", "plan_submitted", "final_report")}
    if user.role in key_states:
        n = KeyEvaluation.objects.for_user(user).filter(state__in=key_states[user.role]).count()
        if n:
            queues.append(("待办理的重点评价", n, reverse("evaluation:keyeval_list") + "?year="))
    return queues


register_provider(due_selfevaluations)
REVIEW_QUEUES.append(review_queue)


def treasury_full_year_execution(kind: str, year: int, unit_id: int, project_id: int | None) -> int | None:
    """全年执行数 from the treasury payments the monitoring stage imported, once they cover December.

    A project's payments, or for a department-overall table every payment of the unit. Partial-year
    data gives None, so the unit types the figure instead of a misleading 1–N月 total.
    """
    from django.db.models import Max, Sum

    from jixiao.monitoring.models import ExecutionRecord

    rows = ExecutionRecord.objects.filter(year=year)
    rows = rows.filter(project=project_id) if kind == "project" else rows.filter(unit=unit_id)
    summary = rows.aggregate(total=Sum("amount_fen"), last=Max("month"))
    if summary["last"] != 12:
        return None
    return int(summary["total"] or 0)


def _register_execution_source() -> None:
    from jixiao.evaluation.services import register_execution_source

    register_execution_source(treasury_full_year_execution)


_register_execution_source()
