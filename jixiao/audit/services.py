"""Writing the security log from requests, views and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jixiao.audit.alerts import REFUSAL_TYPES, note_refusal
from jixiao.audit.models import EventType, Outcome, SecurityEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_event(
    event_type: EventType | str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    obj: Any = None,
    **detail: Any,
) -> SecurityEvent:
    actor = user if user is not None else getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = SecurityEvent.objects.create(
        event_type=event_type,
        outcome=outcome,
        username=username or (actor.username if actor else ""),
        user_display=getattr(actor, "real_name", "") if actor else "",
        role=getattr(actor, "role", "") if actor else "",
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:200],
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail,
    )
    if event.event_type in REFUSAL_TYPES:
        note_refusal(event.username)
    return event


MIN_RETENTION_DAYS = 180


class ArchiveError(Exception):
    pass


def archive_security_log(days: int, path: str) -> int:
    """Write rows older than ``days`` to ``path`` (JSON lines, with their hashes), then delete them.

    Refuses fewer than 180 days (security.md SEC-AUD-5); the database triggers refuse it too. The
    archive is written and flushed before anything is deleted, in one transaction.
    """
    import json
    import os
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from jixiao.audit.chain import write_checkpoint

    if days < MIN_RETENTION_DAYS:
        raise ArchiveError(f"安全日志至少保存{MIN_RETENTION_DAYS}天（网络安全法第二十一条），不能按{days}天清理。")
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        rows = list(SecurityEvent.objects.filter(at__lt=cutoff).order_by("pk"))
        if not rows:
            return 0
        with open(path, "a", encoding="utf-8") as out:
            for e in rows:
                record = {"id": e.pk, "seq": e.seq, "at": e.at.isoformat(), "event_type": e.event_type, "outcome": e.outcome,
                          "username": e.username, "user_display": e.user_display, "role": e.role, "ip": e.ip,
                          "user_agent": e.user_agent, "object_repr": e.object_repr, "detail": e.detail,
                          "prev_hash": e.prev_hash, "hash": e.hash}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        # The archived part is recorded outside the database: verify expects the log to start after it.
        write_checkpoint(rows[-1].seq, rows[-1].hash, timezone.now().isoformat(), kind="archive")
        with connection.cursor() as cursor:
            # The model refuses deletes; the retention triggers allow only rows past 180 days.
            cursor.execute("DELETE FROM audit_securityevent WHERE id <= %s AND at < %s", [rows[-1].pk, cutoff])
        log_event(EventType.SETTINGS_CHANGE, username="system", action="archive_security_log",
                  archived=len(rows), before=cutoff.isoformat())
    return len(rows)
