"""The permission matrix: every role × every URL of the product, with records of its own unit and of another.

URLs are walked from the URL configuration (NetBox's generated view tests), so a new URL joins
the matrix by existing: a URL whose arguments this file cannot fill fails the test until it is
described in URL_ARGUMENTS. Expectations come from the declared policy (roles.PERMISSIONS,
checked against the golden file) and from the fixture's unit layout, not from the code under test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jixiao.accounts.roles import PERMISSIONS, ROLE_SCOPE, Scope

GOLDEN = Path(__file__).parent / "golden" / "permission_matrix.json"

# URLs every signed-in user may open, whatever the role (personal pages).
PERSONAL = {"core:home", "accounts:password_change", "accounts:logout", "workflow:notifications",
            "accounts:otp_verify", "accounts:otp_enrol"}
# Personal records: only their owner (this role) may act on them; everyone else is answered 404.
OWN_RECORDS = {"workflow:notification_open": "unit_filler"}
# Personal pages of one record (a background export): its owner (this role) sees it, everyone else 404.
OWN_PAGES = {"core:export_job": "unit_filler", "core:export_download": "unit_filler"}
PUBLIC = {"accounts:login", "core:healthz", "api:schema"}
#: The public portal (信息公开, /gongkai/): read-only pages for everyone, tested in jixiao/disclosure/tests.
PUBLIC_NAMESPACES = ("gongkai:",)


def is_public(name: str) -> bool:
    return name in PUBLIC or name.startswith(PUBLIC_NAMESPACES)
# Personal actions every signed-in user may take (answered by going back to a page).
PERSONAL_ACTIONS = {"core:working_year"}


def view_class(pattern: URLPattern) -> Any:
    """The class behind a URL: a Django view's ``view_class`` or a REST framework viewset's ``cls``."""
    callback = pattern.callback
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def is_api(pattern: URLPattern) -> bool:
    return hasattr(pattern.callback, "actions")  # REST framework viewsets answer 401, not a login redirect

# Which fixture record each unit-owned model's detail/edit URL is tried with, and whose unit it is.
UNIT_KEYS = ("a", "a_sub", "b")


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            found += walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif p.name:
            found.append((f"{namespace}:{p.name}" if namespace else p.name, p))
    return found


def visible(scope: Scope, key: str) -> bool:
    """Which of the fixture's units (a: first-level 东湖局/教育, a_sub: its 南山所, b: 西岭局/卫生健康)
    a scope sees, given the fixture's users (approver on a, filler on a_sub, desk for 教育)."""
    return {
        Scope.ALL: True,
        Scope.SECTOR: key in ("a", "a_sub"),
        Scope.UNIT_TREE: key in ("a", "a_sub"),
        Scope.OWN_UNIT: key == "a_sub",
    }.get(scope, False)


def test_policy_matches_golden_file() -> None:
    matrix = {
        label: {action: sorted(str(r) for r in roles) for action, roles in sorted(actions.items())}
        for label, actions in sorted(PERMISSIONS.items())
    }
    scopes = {str(r): str(s) for r, s in sorted(ROLE_SCOPE.items())}
    current = {"permissions": matrix, "scopes": scopes}
    assert GOLDEN.exists(), "tests/golden/permission_matrix.json is missing"
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == current, (
        "The permission policy changed. If intended, update tests/golden/permission_matrix.json "
        "(python -m tests.test_permission_matrix) and say so in the commit."
    )


Call = tuple[str, dict[str, Any], str]  # (label, URL kwargs, unit key: "a" | "a_sub" | "b" | "" | app-specific)


def matrix_modules() -> list[Any]:
    """Each app describes its own URLs in ``jixiao/<app>/tests/matrix.py``:
    ``url_arguments(org, users) -> {url name: [Call, …]}`` and, optionally,
    ``expected(role, label, action, unit_key) -> int | None`` for app-specific visibility rules."""
    import importlib

    from django.apps import apps

    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("jixiao."):
            name = f"{config.name}.tests.matrix"
            try:
                modules.append(importlib.import_module(name))
            except ModuleNotFoundError as exc:
                if not exc.name or not name.startswith(exc.name):  # a missing import inside the module
                    raise
    return modules


def targets(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[Call]]:
    """For each parameterised URL name, the records to try it with."""
    found: dict[str, list[Call]] = {}
    for module in matrix_modules():
        found |= module.url_arguments(org, users)
    return found


def expected_status(role: str, view: Any, unit_key: str) -> int:
    label, action = view.permission_label(), view.permission_action
    if role not in PERMISSIONS.get(label, {}).get(action, frozenset()):
        return 403
    for module in matrix_modules():
        hook = getattr(module, "expected", None)
        answer = hook(role, label, action, unit_key) if hook else None
        if answer is not None:
            return int(answer)
    if unit_key:
        return 200 if visible(ROLE_SCOPE[role], unit_key) else 404
    return 200


# Views whose allowed answer is a redirect rather than a page.
REDIRECTING = {"deadlines:calendar_entry_done",
               # the former 纠偏措施 / 整改清单 pages, now in the rectification register
               "monitoring:action_list", "monitoring:action_detail", "evaluation:rectification_list",
               # the former 审计发现问题 list and pages, now in the rectification register
               "auditlink:finding_list", "auditlink:finding_detail",
               # a decision form is on the proposal's page; its URL only takes the POST
               "application:decide", "application:override"}


def ok(name: str, status: int, expected: int, method: str) -> bool:
    if expected == 200 and (method == "post" or name in REDIRECTING):
        return status == 302  # an action done, then back to a page
    return status == expected


@pytest.mark.django_db
def test_every_url_every_role(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    patterns = walk(get_resolver().url_patterns)
    assert len(patterns) > 20
    args = targets(org, users)
    failures: list[str] = []
    undescribed: list[str] = []
    checked = 0
    for name, pattern in patterns:
        if is_public(name):
            continue
        view = view_class(pattern)
        needs_args = bool(re.search(r"<[^>]+>", str(pattern.pattern)))
        if needs_args and name not in args:
            undescribed.append(name)
            continue
        calls = args.get(name, [("", {}, "")])
        for role, user in users.items():
            client = login(user)
            for label, kwargs, unit_key in calls:
                url = reverse(name, kwargs=kwargs)
                method = "get" if view is None or hasattr(view, "get") or is_api(pattern) else "post"
                if name == "accounts:logout":
                    continue  # logging out ends the client's session; covered in test_accounts
                response = getattr(client, method)(url)
                checked += 1
                if name in OWN_RECORDS or name in OWN_PAGES:
                    want = (302 if role == OWN_RECORDS[name] else 404) if name in OWN_RECORDS else (
                        200 if role == OWN_PAGES[name] else 404)
                    if response.status_code != want:
                        failures.append(f"{role} {method.upper()} {url}: {response.status_code}, expected {want}")
                    continue
                if name in PERSONAL or name in PERSONAL_ACTIONS:
                    want = 302 if name in PERSONAL_ACTIONS else 200
                    if response.status_code != want:
                        failures.append(f"{role} {method.upper()} {url}: {response.status_code}, expected {want}")
                    continue
                expected = expected_status(role, view, unit_key)
                if not ok(name, response.status_code, expected, method):
                    failures.append(f"{role} {method.upper()} {url} ({label}): {response.status_code}, expected {expected}")
    assert not undescribed, f"URLs not in the permission matrix (describe them in URL_ARGUMENTS): {undescribed}"
    assert not failures, "\n".join(failures)
    assert checked > 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(org: dict[str, Any], users: dict[str, Any], client: Any) -> None:
    args = targets(org, users)
    for name, pattern in walk(get_resolver().url_patterns):
        if is_public(name):
            continue
        for _label, kwargs, _key in args.get(name, [("", {}, "")]):
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            if is_api(pattern):
                assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer", url
            else:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


LIST_LINKS = {
    "organisation:unit_list": ("units", "organisation:unit_detail"),
    "organisation:project_list": ("projects", "organisation:project_detail"),
    "organisation:expenditure_list": ("expenditures", "organisation:expenditure_detail"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("list_name", sorted(LIST_LINKS))
def test_lists_show_only_rows_in_scope(org: dict[str, Any], users: dict[str, Any], login: Any, list_name: str) -> None:
    kind, detail = LIST_LINKS[list_name]
    records = org[kind]
    for role, user in users.items():
        response = login(user).get(reverse(list_name))
        if response.status_code == 403:
            assert role not in PERMISSIONS[f"organisation.{ {'units': 'budgetunit', 'projects': 'project', 'expenditures': 'departmentexpenditure'}[kind]}"]["view"]
            continue
        html = response.content.decode()
        for key in UNIT_KEYS:
            link = f'href="{reverse(detail, kwargs={"pk": records[key].pk})}"'
            assert (link in html) == visible(ROLE_SCOPE[role], key), f"{role} {list_name} {key}"


@pytest.mark.django_db
def test_export_has_the_same_rows_as_the_screen(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    import io

    from openpyxl import load_workbook

    client = login(users["budget_desk"])
    response = client.get(reverse("organisation:project_list") + "?export=xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == ["东湖局项目", "南山所项目"]
    assert ws.cell(row=4, column=7).value == 50.0  # 年初预算数 in 万元


def regenerate() -> None:  # pragma: no cover - run by hand when the policy changes on purpose
    matrix = {
        label: {action: sorted(str(r) for r in roles) for action, roles in sorted(actions.items())}
        for label, actions in sorted(PERMISSIONS.items())
    }
    scopes = {str(r): str(s) for r, s in sorted(ROLE_SCOPE.items())}
    GOLDEN.write_text(json.dumps({"permissions": matrix, "scopes": scopes}, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    regenerate()
