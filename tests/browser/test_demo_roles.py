"""The first browser test: every demo role logs in and sees its Chinese home page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoServer, login

pytestmark = pytest.mark.browser


def test_every_demo_role_logs_in_and_sees_its_home_page(demo_server: DemoServer, page: Any) -> None:
    accounts = demo_server.accounts()
    roles_seen = set()
    for account in accounts:
        login(page, demo_server, account)
        page.wait_for_url(f"{demo_server.url}/")
        body = page.inner_text("body")
        assert "您好" in body, account["username"]
        assert "我的到期事项" in body
        if account["unit"]:
            assert account["unit"] in body
        roles_seen.add(account["role"])
        # Pages load only local assets: nothing from a CDN.
        sources = page.eval_on_selector_all("script[src], link[href]", "els => els.map(e => e.src || e.href)")
        assert sources and all(src.startswith((demo_server.url, "data:")) for src in sources), sources
        assert page.evaluate("typeof htmx") == "object"  # htmx served from the installed package
        page.click("text=退出")
        page.wait_for_url(f"{demo_server.url}/accounts/login/")
    assert len(roles_seen) == 11


def test_lockout_is_shown_to_the_user(demo_server: DemoServer, page: Any) -> None:
    filler = next(a for a in demo_server.accounts() if a["role"] == "unit_filler" and a["username"] != "jyj_tb")
    for _ in range(5):
        login(page, demo_server, {**filler, "password": "Wrong#Password1"})
        assert "用户名或密码错误" in page.inner_text("body")
    login(page, demo_server, filler)
    assert "账号已被锁定" in page.inner_text("body")
