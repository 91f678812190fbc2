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
    return [(label, n, f"{reverse('targets:declaration_list')}?state={state}&current=all")] if n else []


def due_declarations(user: Any, today: date) -> Iterable[DueDocument]:
    """Declarations of the current year still to be filled or revised by this unit user."""
    from jixiao.deadlines.models import CalendarEntry
    from jixiao.targets.models import TargetDeclaration

    if user.role not in ("unit_filler", "unit_approver"):
        return []
    entry = CalendarEntry.objects.filter(year=today.year, code="targets_declare").first()
    if entry is None:
        return []
    rows = (TargetDeclaration.objects.for_user(user).filter(year=today.year, state__in=("draft", "returned"))
            .select_related("project", "unit")[:20])
    return [DueDocument(str(d), entry.due_on, d.state_label, d.get_absolute_url()) for d in rows]
