"""A refused form gives back everything that was typed (issue 10 item 11), checked on every data-entry
form a demo user can reach: every text field and text area is filled with a distinct marker, one field
is made invalid (a number field given letters, or a required field emptied), and the re-rendered page
must carry every marker back — for every role, on the demo district's real records."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import signed_in
from jixiao.accounts.models import User
from jixiao.core.navigation import ITEMS

LINK = re.compile(r'href="(/[^"#?]*)"')
#: The pages whose own form enters data (not workflow buttons, exports or searches).
ENTRY = re.compile(r"/(new|edit|save|scores|section/[\w-]+|recheck/\d+|settings/\d+|agencies/\d+|experts/\d+|library/\d+)/$")
TEXT_TYPES = ("text", "search", "email", "url", "tel", "")


class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (name, kind, value, required)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": []}
            self.forms.append(self._form)
        if self._form is None or "disabled" in a or "readonly" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            checked = kind not in ("checkbox", "radio") or "checked" in a
            if kind not in ("submit", "button", "file", "reset", "image") and checked:
                self._form["fields"].append({"name": a["name"], "kind": kind, "value": a.get("value", ""),
                                             "required": "required" in a})
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "kind": "textarea", "value": "", "required": "required" in a}
            self._form["fields"].append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "kind": "select", "value": None, "required": "required" in a,
                            "first": None}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select["first"] is None:
                self._select["first"] = a.get("value", "")
            if "selected" in a:
                self._select["value"] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._select["value"] is None:
                self._select["value"] = self._select["first"] or ""
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data


def page_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def refused_post(fields: list[dict[str, Any]]) -> tuple[dict[str, list[str]], list[str]] | None:
    """The data to post (markers in every text field, one field invalid) and the markers that must
    come back; None when the form has no field that can be made invalid."""
    text = [f for f in fields if f["kind"] in (*TEXT_TYPES, "textarea") and not f["name"].startswith("csrf")]
    invalid = next((f for f in fields if f["kind"] == "number"), None)
    if invalid is None:
        invalid = next((f for f in text if f["required"]), None)
    if invalid is None:
        invalid = next((f for f in fields if f["kind"] == "select" and not f["name"].endswith("year")), None)
    if invalid is None or len(text) < 2 - (invalid["kind"] != "textarea" and invalid not in text):
        return None
    data: dict[str, list[str]] = {}
    markers: list[str] = []
    for i, field in enumerate(fields):
        value = field["value"]
        if field is invalid:
            value = {"number": "不是数字", "select": "不存在的选项"}.get(field["kind"], "")
        elif field in text:
            value = f"保留输入{i}号"
            markers.append(value)
        data.setdefault(field["name"], []).append(value)
    return data, markers


def test_refused_post_fills_markers_and_breaks_one_field() -> None:
    forms = page_forms('<form method="post"><input name="title" required value="a"><textarea name="scope">x'
                       '</textarea><input type="number" name="weight" value="5"><select name="level">'
                       '<option value="1">一</option><option value="2" selected>二</option></select>'
                       '<input type="checkbox" name="flag"><input type="submit" name="go"></form>')
    post = refused_post(forms[0]["fields"])
    assert post == ({"title": ["保留输入0号"], "scope": ["保留输入1号"], "weight": ["不是数字"], "level": ["2"]},
                    ["保留输入0号", "保留输入1号"])


@pytest.mark.django_db
def test_every_form_gives_back_what_was_typed_when_refused() -> None:
    call_command("demo", "load", "--scale", "district")
    failures: list[str] = []
    checked = 0
    for user in _one_per_role():
        client = signed_in(user)  # both factors, as after password and dynamic code
        tried: dict[str, int] = {}
        for page in _entry_pages(client, user):
            response = client.get(page)
            if response.status_code != 200:
                continue
            for form in page_forms(response.content.decode()):
                target = form["action"] or page
                kind = re.sub(r"\d+", "N", target)
                if not ENTRY.search(target) or tried.get(kind, 0) >= 2:
                    continue
                tried[kind] = tried.get(kind, 0) + 1
                post = refused_post(form["fields"])
                if post is None:
                    continue
                data, markers = post
                refused = client.post(target, data)
                checked += 1
                if refused.status_code not in (200, 400):
                    failures.append(f"{user.username} {page}: 无效输入未被拒绝（{refused.status_code}）")
                    continue
                body = refused.content.decode()
                lost = [m for m in markers if m not in body]
                if lost:
                    failures.append(f"{user.username} {page}: 退回后丢失 {len(lost)}/{len(markers)} 项输入")
    assert not failures, "\n".join(failures)
    assert checked >= 30


def _entry_pages(client: Client, user: User) -> list[str]:
    """Data-entry pages this user reaches from the navigation and from the first records listed."""
    from django.urls import reverse

    pages: list[str] = []
    for item in ITEMS:
        if not user.can(item.model_label, item.action):
            continue
        listing = client.get(reverse(item.url_name))
        if listing.status_code != 200:
            continue
        links = LINK.findall(listing.content.decode())
        details = [u for u in links if re.search(r"/\d+/$", u)][:6]
        for detail in details:
            shown = client.get(detail)
            if shown.status_code == 200:
                links += LINK.findall(shown.content.decode())
        pages += [u for u in details + links if (ENTRY.search(u) or u in details) and u not in pages]
    return pages


def _one_per_role() -> list[User]:
    chosen: dict[str, User] = {}
    for user in User.objects.exclude(role="").order_by("username"):
        chosen.setdefault(user.role, user)
    return list(chosen.values())
