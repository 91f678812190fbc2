"""This app's URLs in the permission matrix (tests/test_permission_matrix.py), administrator actions included.

Each account page is tried on a unit filler and on each of the three administrators, so the matrix
shows 三权分立: the security administrator assigns roles but never an administrator's (nor its own),
and an administrator account is disabled only by an administrator of another kind.
"""

from __future__ import annotations

from typing import Any

from jixiao.accounts.roles import ADMIN_ROLES, Role

TARGETS = ("unit_filler", "sys_admin", "sec_admin", "audit_admin")
URLS = ("accounts:user_detail", "accounts:user_edit", "accounts:role_assign", "accounts:user_unlock",
        "accounts:user_active", "accounts:otp_reset")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    calls = [(t, {"pk": users[t].pk}, f"user-{t}") for t in TARGETS]
    return {name: calls for name in URLS}


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if label != "accounts.user" or not unit_key.startswith("user-"):
        return None
    target = unit_key.removeprefix("user-")
    if action == "assign_role":
        return 403 if target in ADMIN_ROLES else 200
    if action == "reset_otp":
        return 403 if target == role else 200
    if action == "disable":
        if target == role:
            return 403
        if target in ADMIN_ROLES:
            return 200 if role in ADMIN_ROLES and role != target else 403
        return 200 if role == Role.SYS_ADMIN else 403
    return 200  # viewing, editing and unlocking accounts: every account, for the roles the policy names
