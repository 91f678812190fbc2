"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    pk = {"pk": users["unit_filler"].pk}
    return {name: [("filler", pk, "")] for name in (
        "accounts:user_detail", "accounts:user_edit", "accounts:role_assign", "accounts:user_unlock")}
