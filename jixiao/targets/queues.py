"""What the target stage puts on home pages: documents waiting for this user, and their due dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count
from django.urls import reverse

from jixiao.deadlines.registry import DueDocument

# Which state waits for which role (the next step in targets/workflows.py).
WAITING: dict[str, tuple[str, str]] = {
    "unit_approver": ("submitted", "待主管部门审核的绩效目标"),
    "perf_section": ("dept_approved", "待财政审核的绩效目标"),
    "budget_desk": ("dept_approved", "待财政审核的绩效目标"),
    "unit_filler": ("returned", "被退回待修改的绩效目标"),
}


def review_queue(user: Any) -> list[tuple[str, int, str]]:
    from jixiao.targets.models import TargetDeclaration

    waiting = WAITING.get(user.role)
    if waiting is None or not user.can("targets.targetdeclaration", "view"):
        return []
    state, label = waiting
    n = TargetDeclaration.objects.for_user(user).filter(state=state).aggregate(n=Count("pk"))["n"]
    return [(label, n, f"{reverse('targets:declaration_list')}?state={state}&current=all&year=")] if n else []


def due_declarations(user: Any, today: date) -> Iterable[DueDocument]:
    """Declarations still to be filled or revised by this unit user, each with the declaration window
    of its own year (a past year's draft is overdue, not "填报中"); nothing is written."""
    from jixiao.deadlines.models import year_entry
    from jixiao.targets.models import TargetDeclaration

    if user.role not in ("unit_filler", "unit_approver"):
        return []
    rows = list(TargetDeclaration.objects.for_user(user).filter(state__in=("draft", "returned"))
                .select_related("project", "unit").order_by("year", "pk")[:20])
    dues = {year: year_entry(year, "targets_declare").due_on for year in {d.year for d in rows}}
    return [DueDocument(str(d), dues[d.year], d.state_label, d.get_absolute_url()) for d in rows]
