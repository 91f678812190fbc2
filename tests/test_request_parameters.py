"""Malformed parameters never give a server error, and GETs never write (issue 17 item 9)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jixiao.deadlines.models import CalendarEntry

pytestmark = pytest.mark.django_db
BAD = [{"year": "abc"}, {"year": "99999"}, {"year": "0"}, {"round": "99999999999999999999"},
       {"sort": "forms"}, {"sort": "-nonexistent"}, {"page": "abc"}, {"page": "99999999999999999999"},
       {"ids": "1,99999999999999999999"}, {"unit": "99999999999999999999"}, {"sector": "abc"}]


def list_urls() -> list[str]:
    """Every URL of the product that takes no argument (lists, dashboards, forms)."""
    names: list[str] = []

    def walk(patterns: Any, prefix: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.converters and not p.pattern.regex.groups:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns)
    return [reverse(n) for n in names if "logout" not in n]


def test_malformed_parameters_give_a_400_page_or_are_ignored(users: dict[str, Any], login: Any) -> None:
    failures = []
    for role in ("perf_section", "unit_filler"):
        client = login(users[role])
        for url in list_urls():
            for params in BAD:
                response = client.get(url, params)
                if response.status_code >= 500:
                    failures.append(f"{role} {url}?{params}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_bad_year_is_a_chinese_400_page(users: dict[str, Any], login: Any) -> None:
    response = login(users["perf_section"]).get(reverse("monitoring:round_list"), {"year": "abc"})
    assert response.status_code == 400
    assert "参数年度的值「abc」无效：应为2000–2100之间的年份。" in response.content.decode()
    huge = login(users["perf_section"]).get(reverse("monitoring:dashboard"), {"round": "99999999999999999999"})
    assert huge.status_code == 400 and "数字过大" in huge.content.decode()
    sorted_page = login(users["perf_section"]).get(reverse("monitoring:round_list"), {"sort": "forms"})
    assert sorted_page.status_code == 200
    nul = login(users["perf_section"]).get(reverse("monitoring:round_list"), {"unit": "9\x0002"})
    assert nul.status_code == 400 and "含有不允许的字符" in nul.content.decode()


def test_gets_never_write_the_calendar(users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    assert client.get(reverse("targets:missing"), {"year": "2099"}).status_code == 200
    assert client.get("/").status_code == 200
    assert login(users["perf_section"]).get(reverse("deadlines:calendar"), {"year": "2099"}).status_code == 200
    assert not CalendarEntry.objects.exists()
    # The performance section makes a year's calendar with a POST.
    response = login(users["perf_section"]).post(reverse("deadlines:calendar"), {"year": "2099"})
    assert response.status_code == 302 and CalendarEntry.objects.filter(year=2099).exists()
    assert login(users["unit_filler"]).post(reverse("deadlines:calendar"), {"year": "2098"}).status_code == 403
