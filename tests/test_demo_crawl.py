"""Every page a demo user can reach from the navigation, and the first records listed there, render
without a server error on the demo district's real data (every workflow state, every role)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from jixiao.accounts.models import User
from jixiao.core.navigation import ITEMS

LINK = re.compile(r'href="(/[^"#?]*)"')
SKIP = re.compile(r"(logout|\.xlsx|\.docx|/download|/errors|/evidence/\d+/)")


@pytest.mark.django_db
def test_demo_pages_render_for_every_role() -> None:
    call_command("demo", "load", "--scale", "district", "--seed", "2021")
    from django.urls import reverse

    failures: list[str] = []
    visited = 0
    for user in _one_per_role():
        client = Client()
        client.force_login(user)
        pages = ["/"] + [reverse(i.url_name) for i in ITEMS if user.can(i.model_label, i.action)]
        seen: set[str] = set()
        for page in pages:
            response = client.get(page)
            visited += 1
            if response.status_code >= 500 or response.status_code not in (200, 302):
                failures.append(f"{user.username} {page}: {response.status_code}")
                continue
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
    assert not failures, "\n".join(failures)
    assert visited > 150


def _one_per_role() -> list[Any]:
    chosen: dict[str, Any] = {}
    for user in User.objects.exclude(role="").order_by("username"):
        chosen.setdefault(user.role, user)
    return list(chosen.values())
