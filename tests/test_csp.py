"""Scripts come only from this host: no 'unsafe-inline' for scripts, no inline script on any page (issue 17 item 9)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+=\"|javascript:", re.IGNORECASE)


def test_script_policy_has_no_unsafe_inline_and_pages_have_no_inline_script(
        org: Any, users: dict[str, Any], login: Any) -> None:
    client = login(users["perf_section"])
    pages = ["/", reverse("organisation:project_list"), reverse("monitoring:dashboard"),
             reverse("organisation:project_detail", kwargs={"pk": org["projects"]["a"].pk}),
             reverse("organisation:project_edit", kwargs={"pk": org["projects"]["a"].pk}),
             reverse("targets:declaration_list"), reverse("evaluation:selfeval_list")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'", page
        assert not INLINE.search(response.content.decode()), (page, INLINE.search(response.content.decode()))


def test_no_template_has_an_inline_script_or_handler() -> None:
    """Every template, not just the pages above: scripts only from jixiao.js and htmx."""
    from pathlib import Path

    import jixiao

    root = Path(jixiao.__file__).parent
    found = [f"{path.relative_to(root)}: {m.group(0)}" for path in root.rglob("templates/**/*.html")
             for m in [INLINE.search(path.read_text(encoding="utf-8"))] if m]
    assert not found, found
