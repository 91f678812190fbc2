from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet
from jixiao.deadlines.registry import ITEM_TYPES, STAGE_LABELS


class CalendarEntryQuerySet(ScopedQuerySet["CalendarEntry"]):
    def scope(self, user, scope):  # type: ignore[no-untyped-def, override]
        # The calendar is district-wide; the performance section sees it all, others what concerns them.
        return self if user.role == "perf_section" else self.for_role(user.role)

    def for_role(self, role: str) -> CalendarEntryQuerySet:
        return self.filter(roles__contains=f",{role},")


class CalendarEntry(models.Model):
    """One due item of one budget year, with editable dates (defaults from the plan)."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    code = models.CharField("事项编码", max_length=40)
    stage = models.CharField("环节", max_length=20)
    label = models.CharField("事项", max_length=100)
    opens_on = models.DateField("开始日期", null=True, blank=True)
    due_on = models.DateField("截止日期")
    # Comma-wrapped role codes (",unit_filler,perf_section,") so "contains" works on every database.
    roles = models.CharField("涉及角色", max_length=200)
    basis = models.CharField("依据", max_length=100, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = CalendarEntryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "工作日历事项"
        verbose_name_plural = "工作日历"
        ordering = ["due_on", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="calendar_entry_unique")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.label}"

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def url(self) -> str:
        """The page where the item is done, when its stage has one (e.g. the assessment)."""
        item = ITEM_TYPES.get(self.code)
        if not item or not item.url_name:
            return ""
        from django.urls import reverse

        return reverse(item.url_name) + f"?year={self.year}"

    def status(self, today: date) -> str:
        if today > self.due_on:
            return "overdue"
        if self.opens_on and today < self.opens_on:
            return "upcoming"
        return "open"

    def status_label(self, today: date) -> str:
        return {"overdue": "已截止", "upcoming": "未开始", "open": "进行中"}[self.status(today)]

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days


def default_entries(year: int) -> list[CalendarEntry]:
    """The year's entries as the registered defaults say (unsaved)."""
    entries = []
    for item in ITEM_TYPES.values():
        y = year + item.year_offset
        entries.append(
            CalendarEntry(
                year=year, code=item.code, stage=item.stage, label=item.label,
                opens_on=date(y, *item.opens) if item.opens else None, due_on=date(y, *item.due),
                roles="," + ",".join(sorted(item.roles)) + ",", basis=item.basis,
            )
        )
    return entries


def ensure_year(year: int) -> list[CalendarEntry]:
    """Create the year's entries from the registered defaults; existing (edited) dates are kept.
    A write: called by `jixiao remind`, the demo and the calendar page's POST, never by a GET."""
    existing = set(CalendarEntry.objects.filter(year=year).values_list("code", flat=True))
    return CalendarEntry.objects.bulk_create([e for e in default_entries(year) if e.code not in existing])


def year_entries(year: int, user: Any = None) -> list[CalendarEntry]:
    """The year's entries as stored, with the defaults standing in for entries not stored yet;
    nothing is written (GETs never write). With ``user``: only what the calendar shows that user."""
    stored = CalendarEntry.objects.filter(year=year) if user is None else CalendarEntry.objects.for_user(user).filter(year=year)
    entries = list(stored)
    if user is None or user.can("deadlines.calendarentry", "view"):
        known = set(CalendarEntry.objects.filter(year=year).values_list("code", flat=True))
        entries += [e for e in default_entries(year) if e.code not in known
                    and (user is None or user.role == "perf_section" or f",{user.role}," in e.roles)]
    return sorted(entries, key=lambda e: (e.due_on, e.code))


def year_entry(year: int, code: str) -> CalendarEntry:
    """One entry of the year, stored or (not stored yet) its default; nothing is written."""
    stored = CalendarEntry.objects.filter(year=year, code=code).first()
    return stored or next(e for e in default_entries(year) if e.code == code)
