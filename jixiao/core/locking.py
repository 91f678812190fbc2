"""Optimistic locking for every editable record (security.md §3.4).

A form carries the ``lock_version`` it was rendered with; the save locks the row, compares,
and refuses a stale version, so when two people edit the same form the first save is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction

T = TypeVar("T", bound=models.Model)

STALE_MESSAGE = "该表单已被他人修改并保存，您的修改未保存。请刷新页面查看最新内容后重新修改。"


class StaleEdit(Exception):
    def __init__(self, message: str = STALE_MESSAGE) -> None:
        super().__init__(message)


def lock_row(instance: T, expected_version: int | None) -> T:
    """Re-read ``instance`` with a row lock; raise StaleEdit when its version moved on."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.lock_version != expected_version:  # type: ignore[attr-defined]
        raise StaleEdit()
    return current


def save_with_lock(
    instance: T,
    expected_version: int,
    check: Callable[[T], None] | None = None,
    after_save: Callable[[T], None] | None = None,
) -> T:
    """Save the edited ``instance`` if nobody saved since ``expected_version``."""
    with transaction.atomic():
        current = lock_row(instance, expected_version)
        if check:
            check(current)
        instance.lock_version = current.lock_version + 1  # type: ignore[attr-defined]
        instance.save()
        if after_save:
            after_save(instance)
    return instance


def form_version(data: Any) -> int | None:
    """The ``lock_version`` a submitted form was rendered with."""
    try:
        return int(data.get("lock_version", ""))
    except (TypeError, ValueError):
        return None
