"""The list body and the navigation built once (issue 15): same links as reverse() for every row and
the sections of each role, whatever role was served before in the same process."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from jixiao.core.listing import Column, Table

pytestmark = pytest.mark.django_db


def test_each_row_links_to_its_own_detail_page() -> None:
    rows = [SimpleNamespace(pk=pk, name=f"项目{pk}") for pk in (7, 918, 12345)]
    html = Table([Column("name", "名称")], rows).body_html(False, "targets:declaration_detail")
    for row in rows:
        assert f'<a href="{reverse("targets:declaration_detail", args=[row.pk])}">{row.name}</a>' in html


def test_navigation_is_each_roles_own(users: dict[str, Any], login: Any) -> None:
    def sections(role: str) -> list[str]:
        return [s["label"] for s in login(users[role]).get("/").context["nav_sections"]]

    filler, perf, again = sections("unit_filler"), sections("perf_section"), sections("unit_filler")
    assert filler == again and filler != perf and "系统管理" not in filler
