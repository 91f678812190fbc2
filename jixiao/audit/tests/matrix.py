"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from jixiao.accounts.roles import PERMISSIONS, ROLE_SCOPE

KEYS = ("a", "a_sub", "b")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.audit.models import SecurityEvent

    SecurityEvent.objects.create(event_type="login", username="x")
    p = org["projects"]
    return {"audit:history": [(k, {"model": "organisation.project", "pk": p[k].pk}, f"history-{k}") for k in KEYS]}


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if not unit_key.startswith("history-"):
        return None
    from tests.test_permission_matrix import visible

    may_view = role in PERMISSIONS["organisation.project"]["view"]
    return 200 if may_view and visible(ROLE_SCOPE[role], unit_key.removeprefix("history-")) else 404
