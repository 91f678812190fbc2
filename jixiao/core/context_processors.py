from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from jixiao.core.navigation import ITEMS, SECTIONS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections = []
    for code, label, items in _role_sections(user.role, len(ITEMS), get_script_prefix()) if user.is_active else ():
        active = any(request.path.startswith(it["url"]) for it in items)
        sections.append({"code": code, "label": label, "items": items, "active": active})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_sections": sections, "unread_notifications": unread}


@lru_cache(maxsize=128)
def _role_sections(role: str, registered: int, prefix: str) -> list[tuple[str, str, list[dict[str, str]]]]:
    """A role's sections and their items with URLs (permissions are the role's: computed once a role, not on
    every page; ``registered`` and the URL ``prefix`` key the cache too)."""
    from jixiao.accounts.roles import can

    sections = []
    for code, label in SECTIONS:
        items = [{"label": i.label, "url": reverse(i.url_name)} for i in ITEMS
                 if i.section == code and can(role, i.model_label, i.action)]
        if items:
            sections.append((code, label, items))
    return sections


def working_year(request: HttpRequest) -> dict[str, Any]:
    """The header's year switcher: the user's working year and the years offered."""
    from jixiao.core import years
    from jixiao.organisation.models import FiscalYear

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    chosen = years.working_year(request)
    known = list(FiscalYear.objects.values_list("year", flat=True))
    return {"working_year": chosen, "working_year_choices": years.year_choices(chosen, known)}
