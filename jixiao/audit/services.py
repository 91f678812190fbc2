"""Writing the security log from requests, views and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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
    return SecurityEvent.objects.create(
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
