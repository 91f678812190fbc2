"""The permission matrix restricted to this app's URLs (the full matrix is tests/test_permission_matrix.py):
every role × every monitoring URL, and the third party seeing only the item assigned to its firm."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import get_resolver, reverse

from jixiao.monitoring.tests import matrix
from tests.test_permission_matrix import expected_status, ok, walk

pytestmark = pytest.mark.django_db


def test_every_monitoring_url_every_role(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    args = matrix.url_arguments(org, users)
    failures = []
    patterns = [(n, p) for n, p in walk(get_resolver().url_patterns) if n.startswith("monitoring:")]
    assert len(patterns) >= 25
    for name, pattern in patterns:
        view = pattern.callback.view_class
        method = "get" if hasattr(view, "get") else "post"
        for role, user in users.items():
            client = login(user)
            for label, kwargs, key in args.get(name, [("", {}, "")]):
                response = getattr(client, method)(reverse(name, kwargs=kwargs))
                want = expected_status(role, view, key)
                if not ok(name, response.status_code, want, method):
                    failures.append(f"{role} {method.upper()} {name} ({label}): {response.status_code}, expected {want}")
    assert not failures, "\n".join(failures)


def test_agency_sees_only_the_assigned_item(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    matrix.url_arguments(org, users)
    client = login(users["agency"])
    html = client.get(reverse("monitoring:focus_list")).content.decode()
    assert "西岭局项目" in html and "东湖局项目" not in html and "南山所项目" not in html
    forms = client.get(reverse("monitoring:form_list")).content.decode()
    assert "西岭局项目" in forms and "东湖局项目" not in forms
    other = login(users["expert"]).get(reverse("monitoring:focus_list"))
    assert other.status_code == 403
