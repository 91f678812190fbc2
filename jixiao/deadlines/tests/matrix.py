"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from jixiao.accounts.roles import Role


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    ensure_year(2021)
    entry = CalendarEntry.objects.get(year=2021, code="selfeval_publish")  # concerns unit roles only
    return {name: [("entry", {"pk": entry.pk}, "entry")]
            for name in ("deadlines:calendar_entry_edit", "deadlines:calendar_entry_done")}


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if unit_key != "entry":
        return None
    return 200 if role in (Role.UNIT_FILLER, Role.UNIT_APPROVER, Role.PERF_SECTION) else 404
