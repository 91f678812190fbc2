"""Moving to the next year (开启下一年度): the performance section opens plan year N+1.

Its calendar is made from the plan's defaults, next year's target declaration window opens today,
and the continuing projects (延续项目) of year N are carried over by their 项目库 code; when a unit
opens the carried project's declaration it starts from last year's approved targets
(``targets.services.open_project_declaration``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.core.types import with_reason
from jixiao.deadlines.models import CalendarEntry, ensure_year


class NextYearError(Exception):
    pass


@dataclass(frozen=True)
class NextYearPlan:
    """What opening ``year`` does (shown before the performance section confirms)."""

    year: int
    calendar_exists: bool
    carried: int  # continuing projects of year − 1 that year does not have yet
    with_targets: int  # of which with approved targets to start from
    window_due: date


def plan_next_year(year: int) -> NextYearPlan:
    from jixiao.deadlines.registry import ITEM_TYPES
    from jixiao.targets.models import TargetDeclaration

    carried = _carried(year)
    approved = TargetDeclaration.objects.filter(
        year=year - 1, kind="project", is_current=True, state__in=("approved", "published"),
        project__code__in=carried.values("code"))
    entry = CalendarEntry.objects.filter(year=year, code="targets_declare").first()
    return NextYearPlan(
        year=year, calendar_exists=CalendarEntry.objects.filter(year=year).exists(),
        carried=carried.count(), with_targets=approved.count(),
        window_due=entry.due_on if entry else date(year, *ITEM_TYPES["targets_declare"].due),
    )


def _carried(year: int) -> Any:
    """Year − 1's continuing projects whose code ``year`` does not have yet."""
    from jixiao.organisation.models import Project

    existing = Project.objects.filter(year=year).values("code")
    return Project.objects.filter(year=year - 1, is_continuing=True).exclude(code__in=existing)


def open_next_year(year: int, user: Any) -> NextYearPlan:
    """Open plan year ``year``: fiscal year, calendar from the defaults, the declaration window from
    today, and year − 1's continuing projects carried over by code. Idempotent: a second call adds
    only what is missing and never moves a date the performance section has edited."""
    from jixiao.organisation.models import FiscalYear, Project

    if user.role != "perf_section":
        raise NextYearError("只有财政局绩效管理股可以开启下一年度。")
    today = timezone.localdate()
    if year > today.year + 1:
        raise NextYearError(f"只能开启{today.year + 1}年度及以前的年度。")
    plan = plan_next_year(year)
    with transaction.atomic():
        FiscalYear.objects.get_or_create(year=year)
        fresh = not plan.calendar_exists
        ensure_year(year)
        if fresh:  # next year's targets are declared with the budget: the window opens now
            entry = CalendarEntry.objects.get(year=year, code="targets_declare")
            if entry.opens_on is None or entry.opens_on > today:
                entry.opens_on = min(today, entry.due_on)
                with_reason(entry, f"开启{year}年度：目标申报窗口自即日起开放")
                entry.save()
        for old in _carried(year).prefetch_related("fund_sources", "policy_categories"):
            new = Project(year=year, code=old.code, name=old.name, unit_id=old.unit_id, sector_id=old.sector_id,
                          initial_budget_fen=old.adjusted_budget_fen, adjusted_budget_fen=old.adjusted_budget_fen,
                          is_continuing=True, is_classified=old.is_classified)
            with_reason(new, f"开启{year}年度：延续项目结转")
            new.save()
            new.fund_sources.set(old.fund_sources.all())
            new.policy_categories.set(old.policy_categories.all())
    return plan
