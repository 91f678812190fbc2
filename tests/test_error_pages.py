"""Error pages speak Chinese and lead back home (DEBUG is off in tests, as in production)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.django_db
def test_not_found_and_forbidden_pages_are_chinese(users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode() and "返回首页" in missing.content.decode()
    forbidden = client.get("/audit/security-log/")
    assert forbidden.status_code == 403 and "您的角色无权访问该页面" in forbidden.content.decode()
