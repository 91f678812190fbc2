"""Portal cache invalidation: any saved publication, unit or project starts a new generation, so
the memo of which versions each cached page shows is recomputed (pages stay keyed by versions)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_save


def new_generation(sender: Any, **kwargs: Any) -> None:
    from jixiao.disclosure.views_portal import GENERATION_KEY

    with contextlib.suppress(ValueError):  # no generation yet: the first page view starts one
        cache.incr(GENERATION_KEY)


def connect() -> None:
    from jixiao.disclosure.models import Publication
    from jixiao.organisation.models import BudgetUnit, Project

    for model in (Publication, BudgetUnit, Project):
        post_save.connect(new_generation, sender=model, dispatch_uid=f"gongkai-{model._meta.label_lower}")
