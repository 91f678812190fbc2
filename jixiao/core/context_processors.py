from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jixiao.core.navigation import ITEMS, SECTIONS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    sections = []
    for code, label in SECTIONS:
        items = [
            {"label": i.label, "url": reverse(i.url_name)}
            for i in ITEMS
            if i.section == code and user.can(i.model_label, i.action)
        ]
        if items:
            active = any(request.path.startswith(it["url"]) for it in items)
            sections.append({"code": code, "label": label, "items": items, "active": active})
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_sections": sections, "unread_notifications": unread}


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
