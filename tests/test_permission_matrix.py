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

from jixiao.accounts.roles import PERMISSIONS, ROLE_SCOPE, Role, Scope

GOLDEN = Path(__file__).parent / "golden" / "permission_matrix.json"

# URLs every signed-in user may open, whatever the role (personal pages).
PERSONAL = {"core:home", "accounts:password_change", "accounts:logout", "workflow:notifications"}
PUBLIC = {"accounts:login", "core:healthz"}

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


def targets(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    """For each parameterised URL name: (label, kwargs, unit key or '' for not unit-owned)."""
    from jixiao.audit.models import SecurityEvent
    from jixiao.deadlines.models import CalendarEntry, ensure_year
    from jixiao.organisation.models import ImportBatch

    ensure_year(2021)
    entry = CalendarEntry.objects.get(year=2021, code="selfeval_publish")  # concerns unit roles only
    batch = ImportBatch.objects.create(kind="units", file_name="x.xlsx", uploaded_by=users["sys_admin"],
                                       status="rejected", annotated_workbook=b"PK\x03\x04")
    SecurityEvent.objects.create(event_type="login", username="x")
    u, p, e = org["units"], org["projects"], org["expenditures"]
    from jixiao.targets.models import IndicatorLibraryItem, TargetDeclaration

    d = {k: TargetDeclaration.objects.create(kind="project", year=2021, unit=p[k].unit, sector=p[k].sector, project=p[k])
         for k in UNIT_KEYS}
    item = IndicatorLibraryItem.objects.create(level1="产出指标", level2="数量指标", name="培训人次", unit="人次")
    return {
        **{name: [(k, {"pk": d[k].pk}, k) for k in UNIT_KEYS] for name in (
            "targets:declaration_detail", "targets:declaration_edit", "targets:transition",
            "targets:indicator_comments", "targets:adjust", "targets:add_from_library", "targets:declaration_docx")},
        "targets:compare": [(k, {"pk": d[k].pk, "other": d[k].pk}, k) for k in UNIT_KEYS],
        "targets:approve_budget": [(k, {"pk": p[k].pk}, k) for k in UNIT_KEYS],
        "targets:library_edit": [("item", {"pk": item.pk}, "")],
        "organisation:unit_detail": [(k, {"pk": u[k].pk}, k) for k in UNIT_KEYS],
        "organisation:unit_edit": [(k, {"pk": u[k].pk}, k) for k in UNIT_KEYS],
        "organisation:project_detail": [(k, {"pk": p[k].pk}, k) for k in UNIT_KEYS],
        "organisation:project_edit": [(k, {"pk": p[k].pk}, k) for k in UNIT_KEYS],
        "organisation:expenditure_detail": [(k, {"pk": e[k].pk}, k) for k in UNIT_KEYS],
        "organisation:expenditure_edit": [(k, {"pk": e[k].pk}, k) for k in UNIT_KEYS],
        "organisation:import_template": [("units", {"kind": "units"}, ""), ("projects", {"kind": "projects"}, "")],
        "organisation:import_batch": [("batch", {"pk": batch.pk}, "")],
        "organisation:import_annotated": [("batch", {"pk": batch.pk}, "")],
        "audit:history": [(k, {"model": "organisation.project", "pk": p[k].pk}, k) for k in UNIT_KEYS],
        "accounts:user_detail": [("filler", {"pk": users["unit_filler"].pk}, "")],
        "accounts:user_edit": [("filler", {"pk": users["unit_filler"].pk}, "")],
        "accounts:role_assign": [("filler", {"pk": users["unit_filler"].pk}, "")],
        "accounts:user_unlock": [("filler", {"pk": users["unit_filler"].pk}, "")],
        "deadlines:calendar_entry_edit": [("entry", {"pk": entry.pk}, "entry")],
        "deadlines:calendar_entry_done": [("entry", {"pk": entry.pk}, "entry")],
    }


def expected_status(role: str, view: Any, unit_key: str) -> int:
    label, action = view.permission_label(), view.permission_action
    if role not in PERMISSIONS.get(label, {}).get(action, frozenset()):
        return 403
    if unit_key == "entry":  # calendar entry for 自评报告公开: unit roles and the performance section
        return 200 if role in (Role.UNIT_FILLER, Role.UNIT_APPROVER, Role.PERF_SECTION) else 404
    if unit_key and label == "targets.targetdeclaration" and role == Role.NPC_READER:
        return 404  # 人大 reads targets only once approved; the fixture's are drafts
    if unit_key and label != "audit.history":
        return 200 if visible(ROLE_SCOPE[role], unit_key) else 404
    if label == "audit.history":
        if role == Role.AUDIT_ADMIN:
            return 200
        project_action_ok = role in PERMISSIONS["organisation.project"]["view"]
        return 200 if project_action_ok and visible(ROLE_SCOPE[role], unit_key) else 404
    return 200


# Views whose allowed answer is a redirect rather than a page.
REDIRECTING = {"deadlines:calendar_entry_done"}


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
        if name in PUBLIC:
            continue
        view = getattr(pattern.callback, "view_class", None)
        needs_args = bool(re.search(r"<[^>]+>", str(pattern.pattern)))
        if needs_args and name not in args:
            undescribed.append(name)
            continue
        calls = args.get(name, [("", {}, "")])
        for role, user in users.items():
            client = login(user)
            for label, kwargs, unit_key in calls:
                url = reverse(name, kwargs=kwargs)
                method = "get" if view is None or hasattr(view, "get") else "post"
                if name == "accounts:logout":
                    continue  # logging out ends the client's session; covered in test_accounts
                response = getattr(client, method)(url)
                checked += 1
                if name in PERSONAL:
                    if response.status_code != 200:
                        failures.append(f"{role} {method.upper()} {url}: {response.status_code}, expected 200")
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
    for name, _pattern in walk(get_resolver().url_patterns):
        if name in PUBLIC:
            continue
        for _label, kwargs, _key in args.get(name, [("", {}, "")]):
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
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
