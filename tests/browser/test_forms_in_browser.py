"""Filling forms in a real browser: htmx feedback while typing, saving, and the workflow buttons."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoServer, login

pytestmark = pytest.mark.browser


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def account(server: DemoServer, username: str) -> dict[str, Any]:
    return next(a for a in server.accounts() if a["username"] == username)


def test_unit_fills_a_target_with_live_parse_feedback(demo_server: DemoServer, page: Any) -> None:
    login(page, demo_server, account(demo_server, "jyj_tb"))
    page.goto(f"{demo_server.url}/targets/?current=all&state=draft&year=")  # drafts of every year
    page.click("#list-table tbody tr:first-child td:first-child a")
    page.click("text=填报 / 修改")
    value = page.locator("input[name='ind-0-value']")
    parse = page.locator("#parse-ind-0")
    value.fill("尽量多")
    expect(parse).to_contain_text("无法计量")  # polls; the page's CSP forbids eval, so no wait_for_function
    assert "parse-bad" in parse.inner_html()
    page.select_option("select[name='ind-0-comparison']", ">=")
    value.fill("120")
    expect(parse).to_contain_text("≥ 120")
    page.click("button:text('保存并继续填报')")
    assert "已保存" in page.inner_text(".messages")
    assert page.locator("input[name='ind-0-value']").input_value() == "120"


def test_finance_dashboard_draws_its_charts(demo_server: DemoServer, page: Any) -> None:
    login(page, demo_server, account(demo_server, "jxg"))
    page.goto(f"{demo_server.url}/monitoring/dashboard/")
    assert page.locator("svg").count() >= 2
    assert "序时进度" in page.inner_text("body")


def test_monitoring_light_follows_the_value_typed(demo_server: DemoServer, page: Any) -> None:
    # The first-level approver may fill its whole tree's forms while they are drafts or returned.
    login(page, demo_server, account(demo_server, "jyj_sh"))
    page.goto(f"{demo_server.url}/monitoring/?state=draft")
    if page.locator("#list-table tbody tr:first-child td:first-child a").count() == 0:
        page.goto(f"{demo_server.url}/monitoring/?state=returned")
    page.click("#list-table tbody tr:first-child td:first-child a")
    page.goto(page.url.rstrip("/") + "/edit/")
    first = page.locator("table.rows tbody tr").first
    actual = first.locator("input[name$='-actual']")
    actual.fill("0")
    expect(first.locator(".light")).to_have_class("light light-red")
