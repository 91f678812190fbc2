"""Every page a demo user can reach from the navigation, and the first records listed there, render
without a server error on the demo district's real data (every workflow state, every role); with
no ``?year=`` every list, dashboard and report shows the objects of the working year's stage; and
every word they show is Chinese: no snake_case code, English sentence or UTC timestamp in the
visible text (issue 10 item 12)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.management import call_command

from conftest import signed_in
from jixiao.accounts.models import User
from jixiao.core.navigation import ITEMS

LINK = re.compile(r'href="(/[^"#?]*)"')
#: An internal identifier (execution_ratio, national-default, perf_section) shown as text.
CODE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+(?![\w./-])")
#: Three English words in a row: a sentence (or a message) that was never translated.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,'’]+[A-Za-z][a-z]+){2,}\b")
#: A raw timestamp: microseconds, an offset or "UTC".
RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+|(?<=\d)[+-]\d{2}:\d{2}\b|\bUTC\b|\d{4}-\d{2}-\d{2}T\d{2}")


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside script/style, plus placeholders and titles.
    An element marked ``translate="no"`` holds data that is not words (a login name, a code a
    user typed) and is left out, as a translator would leave it."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._closers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template") or ("translate", "no") in attrs:
            self._closers.append(tag)
        elif not self._closers:
            self.parts += [v for k, v in attrs if k in ("placeholder", "title", "alt") and v]

    def handle_endtag(self, tag: str) -> None:
        if self._closers and self._closers[-1] == tag:
            self._closers.pop()

    def handle_data(self, data: str) -> None:
        if not self._closers:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def foreign_words(html: str) -> list[str]:
    """Identifiers, English sentences and raw timestamps a user would read on the page."""
    text = visible_text(html)
    return sorted({m.group(0) for pattern in (CODE, ENGLISH, RAW_TIME) for m in pattern.finditer(text)})


def test_foreign_words_finds_what_a_user_should_never_read() -> None:
    page = ("<p>计分方法：execution_ratio（national-default）</p><script>var a_b = 1;</script>"
            "<p>This password is too short.</p><p>2021-03-05 06:07:08.123456+00:00</p>"
            '<a href="/targets/declaration_list/">目标</a><input placeholder="项目 code_name">'
            "<p>执行率 92.00%，Word文档，安全日志 2021-03-05 14:07:31，PDF，邮箱 a.b@c.cn</p>"
            '<td translate="no">glzx_tb</td>')
    assert foreign_words(page) == ["+00:00", "06:07:08.123456", "This password is too short", "code_name",
                                   "execution_ratio", "national-default"]
SKIP = re.compile(r"(logout|\.xlsx|\.docx|/download|/errors|/evidence/\d+/)")
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


def list_years(n: int) -> dict[str, tuple[int, Callable[[Any], int], str]]:
    """List page → (year its records must be of in plan year ``n``, the record's year, its year field)."""
    return {
        "targets:declaration_list": (n, lambda d: d.year, "year"),
        "organisation:project_list": (n, lambda p: p.year, "year"),
        "organisation:expenditure_list": (n, lambda e: e.year, "year"),
        "monitoring:form_list": (n, lambda f: f.round.year, "round__year"),
        "monitoring:execution_list": (n, lambda r: r.year, "year"),
        "evaluation:selfeval_list": (n - 1, lambda s: s.year, "year"),
        "evaluation:keyeval_list": (n - 1, lambda k: k.evaluated_year, "evaluated_year"),
        "deadlines:calendar": (n, lambda e: e.year, "year"),
    }


def headings(n: int) -> dict[str, str]:
    """Dashboard and report page → the object year its heading states in words."""
    return {
        "targets:missing": f"{n}年度待填报绩效目标",
        "targets:completeness": f"{n}年度绩效目标六同步完成情况",
        "evaluation:issue_tasks": f"下达{n - 1}年度项目支出绩效自评任务",
        "evaluation:overdue": f"{n - 1}年度项目支出绩效自评逾期与未公开情况",
        "evaluation:summary": f"{n - 1}年度绩效评价工作情况",
        "monitoring:dashboard": f"{n}年1-9月监控汇总分析",
    }


@pytest.mark.django_db
def test_demo_pages_render_for_every_role(settings: Any) -> None:
    from django.urls import reverse

    from jixiao.core.years import default_working_year

    settings.JIXIAO_WORKING_YEAR = 0  # the plan year today falls in, as on a fresh machine
    call_command("demo", "load", "--scale", "district")  # the demo lives in today's year
    n = default_working_year()
    lists, heads = list_years(n), headings(n)
    failures: list[str] = []
    visited = checked = histories = 0
    for user in _one_per_role():
        client = signed_in(user)
        names = [i.url_name for i in ITEMS if user.can(i.model_label, i.action)]
        pages = [("core:home", "/")] + [(name, reverse(name)) for name in names]
        seen: set[str] = set()
        for name, page in pages:
            response = client.get(page)
            visited += 1
            if response.status_code >= 500 or response.status_code not in (200, 302):
                failures.append(f"{user.username} {page}: {response.status_code}")
                continue
            checked += _check_year(user, name, response, lists, heads, failures)
            _check_words(user, page, response, failures)
            # Follow the first few detail links of each page (records in their real states).
            links = [u for u in LINK.findall(response.content.decode()) if re.search(r"/\d+/", u) and not SKIP.search(u)]
            for link in links[:4]:
                if link in seen:
                    continue
                seen.add(link)
                detail = client.get(link)
                visited += 1
                if detail.status_code >= 500:
                    failures.append(f"{user.username} {link}: {detail.status_code}")
                _check_words(user, link, detail, failures)
                # ...and the record's field history (states, before/after, local times).
                for history in [u for u in LINK.findall(detail.content.decode()) if "/audit/history/" in u][:1]:
                    if history not in seen:
                        seen.add(history)
                        shown = client.get(history)
                        visited += 1
                        histories += 1
                        if shown.status_code >= 500:
                            failures.append(f"{user.username} {history}: {shown.status_code}")
                        _check_words(user, history, shown, failures)
    assert not failures, "\n".join(failures)
    assert visited > 150
    assert checked > 40
    assert histories > 10


def _check_year(user: Any, name: str, response: Any, lists: dict[str, Any], heads: dict[str, str],
                failures: list[str]) -> int:
    """The page shows the working year's objects: every row of that year, none empty while that
    year has records this user may see; a dashboard's or report's heading names that year."""
    from django.urls import resolve, reverse

    if response.status_code != 200:
        return 0
    if name in lists:
        year, of, field = lists[name]
        table = response.context["table"]
        years = {of(row) for row in table.rows}
        model = resolve(reverse(name)).func.view_class.model  # type: ignore[attr-defined]
        if years - {year}:
            failures.append(f"{user.username} {name}: rows of {sorted(years)}, expected only {year}")
        if not table.rows and model.objects.for_user(user).filter(**{field: year}).exists():
            failures.append(f"{user.username} {name}: empty although {year} has records")
        return 1
    if name in heads:
        h1 = " ".join(H1.findall(response.content.decode()))
        if heads[name] not in h1:
            failures.append(f"{user.username} {name}: heading {h1!r} does not say {heads[name]!r}")
        return 1
    return 0


def _check_words(user: Any, page: str, response: Any, failures: list[str]) -> None:
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        words = foreign_words(response.content.decode())
        if words:
            failures.append(f"{user.username} {page}: 非中文文字 {words[:8]}")


def _one_per_role() -> list[Any]:
    chosen: dict[str, Any] = {}
    for user in User.objects.exclude(role="").order_by("username"):
        chosen.setdefault(user.role, user)
    return list(chosen.values())
