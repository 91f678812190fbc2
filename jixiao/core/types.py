"""Types shared by views: a request whose user is signed in (LoginRequiredMiddleware ensures it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from jixiao.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]


def with_reason(obj: Any, reason: str) -> Any:
    """Attach the reason django-simple-history records with the next save."""
    obj._change_reason = reason
    return obj
