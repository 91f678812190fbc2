"""The first browser test: every demo role logs in and sees its Chinese home page."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_accounts() -> list[dict[str, Any]]:
    call_command("demo", "load", "--scale", "district", "--seed", "2021")
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("demo", "users", "--json")
    return json.loads(out.getvalue())


def test_every_demo_role_logs_in_and_sees_its_home_page(live_server: Any, page: Any) -> None:
    accounts = demo_accounts()
    roles_seen = set()
    for account in accounts:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", account["username"])
        page.fill("input[name=password]", account["password"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        body = page.inner_text("body")
        assert "您好" in body, account["username"]
        assert "我的到期事项" in body
        if account["unit"]:
            assert account["unit"] in body
        roles_seen.add(account["role"])
        # Pages load only local assets: nothing from a CDN.
        sources = page.eval_on_selector_all("script[src], link[href]", "els => els.map(e => e.src || e.href)")
        assert all(src.startswith(live_server.url) for src in sources), sources
        page.click("text=退出")
        page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert len(roles_seen) == 11


def test_lockout_is_shown_to_the_user(live_server: Any, page: Any) -> None:
    accounts = demo_accounts()
    filler = next(a for a in accounts if a["role"] == "unit_filler")
    for _ in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", filler["username"])
        page.fill("input[name=password]", "Wrong#Password1")
        page.click("button[type=submit]")
        assert "用户名或密码错误" in page.inner_text("body")
    page.fill("input[name=username]", filler["username"])
    page.fill("input[name=password]", filler["password"])
    page.click("button[type=submit]")
    assert "账号已被锁定" in page.inner_text("body")
