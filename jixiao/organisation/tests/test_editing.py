from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.organisation.models import BudgetUnit, Project, Sector

pytestmark = pytest.mark.django_db


def form_data(project: Project, **changes: Any) -> dict[str, Any]:
    data = {
        "name": project.name, "unit": project.unit_id, "sector": project.sector_id,
        "fund_sources": [s.pk for s in project.fund_sources.all()],
        "initial_budget_fen": "50.00", "adjusted_budget_fen": "50.00", "lock_version": project.lock_version,
    }
    return data | changes


def test_stale_save_is_refused_and_the_first_edit_survives(org: Any, users: dict[str, Any], login: Any) -> None:
    project = org["projects"]["a"]
    url = reverse("organisation:project_edit", kwargs={"pk": project.pk})
    first, second = login(users["perf_section"]), login(users["budget_desk"])
    # Both open the form at the same version.
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    assert first.post(url, form_data(project, adjusted_budget_fen="60.00")).status_code == 302
    response = second.post(url, form_data(project, adjusted_budget_fen="70.00"))
    assert response.status_code == 409
    assert "已被他人修改并保存" in response.content.decode()
    project.refresh_from_db()
    assert project.adjusted_budget_fen == 60_000_000
    # The refused editor is shown the saved value and the new version, so a deliberate retry works.
    assert 'value="60.00"' in response.content.decode()
    retry = second.post(url, form_data(project, adjusted_budget_fen="70.00"))
    assert retry.status_code == 302
    project.refresh_from_db()
    assert project.adjusted_budget_fen == 70_000_000


def test_amount_field_messages_name_the_problem(org: Any, users: dict[str, Any], login: Any) -> None:
    project = org["projects"]["a"]
    url = reverse("organisation:project_edit", kwargs={"pk": project.pk})
    html = login(users["perf_section"]).post(url, form_data(project, adjusted_budget_fen="1.0000001")).content.decode()
    assert "精确到分以下" in html
    html = login(users["perf_section"]).post(url, form_data(project, adjusted_budget_fen="１,２３４.５")).content.decode()
    project.refresh_from_db()
    assert project.adjusted_budget_fen == 1_234_500_000


def test_unit_cannot_become_its_own_ancestor(org: Any, users: dict[str, Any], login: Any) -> None:
    a = org["units"]["a"]
    url = reverse("organisation:unit_edit", kwargs={"pk": a.pk})
    html = login(users["perf_section"]).post(url, {
        "code": a.code, "name": a.name, "parent": org["units"]["a_sub"].pk, "sector": a.sector_id,
        "is_active": "on", "lock_version": a.lock_version,
    }).content.decode()
    assert "不能是本单位或本单位的下属单位" in html


@pytest.mark.parametrize("list_name", ["organisation:project_list", "organisation:unit_list", "organisation:expenditure_list"])
def test_list_query_count_does_not_grow_with_rows(org: Any, users: dict[str, Any], login: Any, list_name: str) -> None:
    client = login(users["perf_section"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(list_name)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    sector = Sector.objects.get(name="教育")
    for i in range(30):
        unit = BudgetUnit.objects.create(code=f"97{i:02d}", name=f"新增单位{i}", sector=sector)
        p = Project.objects.create(year=2021, code=f"Q{i}", name=f"项目{i}", unit=unit, sector=sector,
                                   initial_budget_fen=1, adjusted_budget_fen=1)
        p.fund_sources.set(org["projects"]["a"].fund_sources.all())
        unit.expenditures.create(year=2021)
    assert count() == small
    assert small <= 12
