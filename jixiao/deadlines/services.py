"""What is due, for whom: the one place every home page, the due table and the reminders read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from jixiao.deadlines.models import ensure_year, year_entries
from jixiao.deadlines.registry import PROVIDERS, DueDocument


def today() -> date:
    return timezone.localdate()


def overdue_label(document: DueDocument, on: date) -> DueDocument:
    """A document past its deadline and never submitted is 逾期未报 N天 (whatever year it is of),
    never "填报中"."""
    if document.due_on >= on:
        return document
    return replace(document, state_label=f"逾期未报{(on - document.due_on).days}天")


def due_items(user: Any, on: date | None = None, plan_year: int | None = None) -> dict[str, list[Any]]:
    """Everything due for this user, whatever the stage: the calendar entries of the plan year (the
    user's working year; by default the year of ``on``) plus providers' documents of every year."""
    on = on or today()
    plan_year = plan_year or on.year
    entries = year_entries(plan_year, user)
    documents: list[DueDocument] = [overdue_label(d, on) for provider in PROVIDERS for d in provider(user, on)]
    return {
        "overdue": [e for e in entries if e.status(on) == "overdue" and (on - e.due_on).days <= 31],
        "open": [e for e in entries if e.status(on) == "open"],
        "upcoming": [e for e in entries if e.status(on) == "upcoming"][:5],
        "documents": sorted(documents, key=lambda d: d.due_on),
    }


def send_reminders(on: date | None = None, days: int = 7) -> int:
    """站内信 to every active user for what falls due within ``days`` (calendar items and their own
    documents). Run daily (cron / systemd timer: ``jixiao remind``); a reminder is sent once a day."""
    from jixiao.accounts.models import User
    from jixiao.workflow.models import Notification

    on = on or today()
    for year in (on.year, on.year + 1):  # the daily run makes this and next year's calendar
        ensure_year(year)
    horizon = on + timedelta(days=days)
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(role=""):
        items = due_items(user, on)
        wanted = [(f"即将到期：{e.label}（{e.due_on:%Y-%m-%d}截止）", "") for e in items["open"] if e.due_on <= horizon]
        wanted += [(f"即将到期：{d.label}（{d.due_on:%Y-%m-%d}截止，{d.state_label}）", d.url)
                   for d in items["documents"] if on <= d.due_on <= horizon]
        already = set(Notification.objects.filter(recipient=user, created_at__date=on).values_list("title", flat=True))
        new = [Notification(recipient=user, title=title[:200], link=link) for title, link in wanted if title[:200] not in already]
        Notification.objects.bulk_create(new)
        sent += len(new)
    return sent
