"""`make demo` on the current date: the home pages of the performance section, a unit filler and an
approver list due work of the current plan year, and the due table, the data and the headings agree.
Screenshots of the three home pages are written next to the test run (for the reviewer's eye)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import DemoServer, login

pytestmark = pytest.mark.browser

ROLES = ("perf_section", "unit_filler", "unit_approver")


@pytest.mark.parametrize("role", ROLES)
def test_home_page_lists_due_work_of_the_current_year(demo_server: DemoServer, page: Any, role: str,
                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    n = timezone.localdate().year  # the demo was loaded without --year: it lives in today's plan year
    account = next(a for a in demo_server.accounts() if a["role"] == role)
    login(page, demo_server, account)
    page.wait_for_url(f"{demo_server.url}/")
    shots = Path(tmp_path_factory.getbasetemp()) / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"home-{role}.png"), full_page=True)

    # The header's switcher says the working year; the due table lists this year's work.
    assert page.eval_on_selector("#working-year", "s => s.value") == str(n)
    rows = page.locator("table.grid tbody tr")
    assert rows.count() > 0
    due_text = " ".join(rows.all_inner_texts())
    assert "当前没有到期事项" not in due_text
    dates = {int(y) for y in re.findall(r"(20\d\d)-\d\d-\d\d", due_text)}
    assert n in dates, due_text  # calendar items or documents due in the current plan year
    today = f"{timezone.localdate():%Y-%m-%d}"
    for row in rows.all_inner_texts():  # a document past its deadline is 逾期未报 N天, never 填报中
        due = re.findall(r"20\d\d-\d\d-\d\d", row)
        if "填报中" in row:
            assert due and due[-1] >= today, row

    body = page.inner_text("body")
    if role != "perf_section":
        # The unit's key numbers are this year's budget, and the unit has projects.
        found = re.search(rf"(\d+) 个\s*{n}年度预算项目", body)
        assert found and int(found.group(1)) > 0, body[:600]
    else:
        assert f"{n}年度预算项目" in body

    # The headings of the stage pages state the same year as the data behind the home page.
    page.goto(f"{demo_server.url}/targets/")
    assert f"{n}年度绩效目标申报表" in page.inner_text("h1")
    page.goto(f"{demo_server.url}/evaluation/selfeval/")
    assert f"{n - 1}年度绩效自评表" in page.inner_text("h1")
    page.goto(f"{demo_server.url}/monitoring/")
    assert f"{n}年度绩效监控情况表" in page.inner_text("h1")
    assert page.locator("table.grid tbody tr").count() > 0


def test_switching_the_year_changes_every_page(demo_server: DemoServer, page: Any) -> None:
    n = timezone.localdate().year
    account = next(a for a in demo_server.accounts() if a["role"] == "perf_section")
    login(page, demo_server, account)
    page.wait_for_url(f"{demo_server.url}/")
    page.goto(f"{demo_server.url}/targets/")
    page.select_option("#working-year", str(n - 1))
    page.wait_for_load_state("networkidle")
    assert f"{n - 1}年度绩效目标申报表" in page.inner_text("h1")
    page.goto(f"{demo_server.url}/")
    assert f"{n - 1}年度预算项目" in page.inner_text("body")
    page.select_option("#working-year", str(n))  # back, for the other tests
    page.wait_for_load_state("networkidle")
    assert f"{n}年度预算项目" in page.inner_text("body")
