"""Deadlines and accountability of 信息公开 (domain.md §7.3, §8): each unit's items against the
calendar — targets within 20 days of the budget's approval (同公开), last year's self-evaluation
reports by 7/15, last year's key-evaluation findings and the units' own key-evaluation reports by
6/30 (the plan year's calendar entries, editable by the performance section)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from jixiao.disclosure.models import Publication

#: 同公开: department budgets and their targets are published within 20 days of approval (预算法 §14).
TARGET_PUBLISH_DAYS = 20


def calendar_date(plan_year: int, code: str) -> date:
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    entry = CalendarEntry.objects.filter(year=plan_year, code=code).first()
    if entry is None:
        ensure_year(plan_year)
        entry = CalendarEntry.objects.get(year=plan_year, code=code)
    return entry.due_on


@dataclass
class Item:
    kind: str
    title: str
    due_on: date
    published_on: date | None
    url: str = ""

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if self.published_on is None:
            return f"逾期未公开{(today - self.due_on).days}天" if today > self.due_on else "未到期"
        late = (self.published_on - self.due_on).days
        return f"逾期{late}天公开" if late > 0 else "按时公开"

    @property
    def missing(self) -> bool:
        return self.published_on is None and timezone.localdate() > self.due_on


@dataclass
class UnitRow:
    code: str
    name: str
    items: list[Item] = field(default_factory=list)
    postings: int = 0

    def count(self, kind: str, what: str) -> int:
        rows = [i for i in self.items if i.kind == kind]
        if what == "due":
            return len(rows)
        if what == "published":
            return sum(1 for i in rows if i.published_on)
        if what == "late":
            return sum(1 for i in rows if i.published_on and i.published_on > i.due_on)
        return sum(1 for i in rows if i.missing)

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if i.missing]

    def summary(self) -> dict[str, int]:
        return {f"{k}_{w}": self.count(k, w) for k in ("target", "selfeval", "key")
                for w in ("due", "published", "late", "missing")}


def _day(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def tracking(plan_year: int, units: Any = None) -> tuple[dict[str, date], list[UnitRow]]:
    """Every unit's items due in plan year N, with their publication dates (a fixed number of queries)."""
    from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
    from jixiao.targets.models import TargetDeclaration

    deadlines = {"selfeval": calendar_date(plan_year, "selfeval_publish"),
                 "key": calendar_date(plan_year, "key_findings_publish")}
    published: dict[str, date] = {}
    for key, first in Publication.objects.values_list("subject_key", "first_published_at"):
        published[key] = timezone.localdate(first)
    rows: dict[int, UnitRow] = {}

    def row(unit: Any) -> UnitRow:
        return rows.setdefault(unit.pk, UnitRow(unit.code, unit.name))

    not_secret = {"unit__is_classified": False}
    targets = (TargetDeclaration.objects.filter(year=plan_year, is_current=True, state__in=("approved", "published"),
                                                **not_secret).exclude(project__is_classified=True)
               .select_related("unit", "project"))
    if units is not None:
        targets = targets.filter(unit__in=units)
    for d in targets:
        approved = (d.project.budget_approved_at if d.project and d.project.budget_approved_at else d.approved_at)
        if approved is None:
            continue
        key = f"target:project:{d.project_id}" if d.project_id else f"target:department:{d.unit_id}:{d.year}"
        subject = d.project.name if d.project else "部门整体支出"
        row(d.unit).items.append(Item("target", f"{subject}绩效目标", timezone.localdate(approved) + timedelta(
            days=TARGET_PUBLISH_DAYS), published.get(key) or _day(d.published_at), d.get_absolute_url()))
    selfevals = (SelfEvaluation.objects.filter(year=plan_year - 1, **not_secret).exclude(project__is_classified=True)
                 .select_related("unit", "project"))
    if units is not None:
        selfevals = selfevals.filter(unit__in=units)
    for se in selfevals:
        row(se.unit).items.append(Item("selfeval", f"{se.subject}自评报告", deadlines["selfeval"],
                                       published.get(f"selfeval:{se.pk}"), se.get_absolute_url()))
    keys = (KeyEvaluation.objects.filter(state__in=("reported", "published"), **not_secret)
            .exclude(project__is_classified=True).select_related("unit"))
    keys = keys.filter(kind="finance", year=plan_year - 1) | keys.filter(kind="unit", year=plan_year)
    if units is not None:
        keys = keys.filter(unit__in=units)
    for ke in keys:
        row(ke.unit).items.append(Item("key", f"{ke.title}评价报告及问题整改情况", deadlines["key"],
                                       published.get(f"key:{ke.pk}"), ke.get_absolute_url()))
    postings: dict[int, int] = defaultdict(int)
    for unit_id in Publication.objects.filter(postings__isnull=False).values_list("unit_id", flat=True):
        postings[unit_id] += 1
    for pk, r in rows.items():
        r.postings = postings.get(pk, 0)
    return deadlines, sorted(rows.values(), key=lambda r: r.code)
