"""The declaration list's kept total (``DeclarationTally``, issue 15): the database triggers keep it
equal to counting the declarations through every kind of write — workflow transitions, a new
version and its approval, bulk creates and updates, a sector change, deletes — and the list shows
it (and queues a large export with it) for a user who sees every declaration without counting the
rows, while a scoped user's list and a searched list still count theirs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.targets.models import LISTED, DeclarationTally, TargetDeclaration
from jixiao.targets.services import start_adjustment
from jixiao.workflow.engine import perform_transition

pytestmark = pytest.mark.django_db

KEY = ("year", "kind", "state", "sector_id", "review_grade")


def counted() -> dict[tuple[Any, ...], int]:
    """The raw computation: declarations grouped by the tally's key."""
    found: dict[tuple[Any, ...], int] = {}
    for listed, rows in ((True, TargetDeclaration.objects.filter(LISTED)),
                         (False, TargetDeclaration.objects.exclude(LISTED))):
        for row in rows.values(*KEY).annotate(n=Count("pk")):
            found[(*(row[k] for k in KEY), listed)] = row["n"]
    return found


def kept() -> dict[tuple[Any, ...], int]:
    return {(*(line[k] for k in KEY), line["listed"]): line["declarations"]
            for line in DeclarationTally.objects.exclude(declarations=0).values(*KEY, "listed", "declarations")}


def test_the_tally_equals_the_count_through_every_kind_of_write(declaration: TargetDeclaration, users: dict[str, Any],
                                                                  org: dict[str, Any]) -> None:
    assert kept() == counted() != {}
    other = project_declaration(org, "b")
    perform_transition(declaration, "submit", users["unit_filler"])
    perform_transition(declaration, "dept_approve", users["unit_approver"], comment="同意报送")
    perform_transition(declaration, "approve", users["perf_section"], grade="优")
    assert kept() == counted()
    v2 = start_adjustment(declaration, users["unit_filler"], "受汛期影响，养护里程调减")  # listed while under way
    perform_transition(v2, "submit", users["unit_filler"])
    perform_transition(v2, "dept_approve", users["unit_approver"], comment="同意")
    perform_transition(v2, "approve", users["perf_section"], grade="良")  # v1 superseded, no longer listed
    assert kept() == counted()
    TargetDeclaration.objects.bulk_create([  # a bulk write (what imports and the demo use)
        TargetDeclaration(kind="department", year=year, unit=org["units"]["b"], sector=org["sectors"]["health"])
        for year in (2021, 2022)])
    TargetDeclaration.objects.filter(kind="department").update(state="submitted", review_grade="中")  # one UPDATE
    TargetDeclaration.objects.filter(pk=other.pk).update(sector=org["sectors"]["edu"])
    TargetDeclaration.objects.filter(pk=other.pk).update(state="draft")  # a change the tally does not key: nothing
    assert kept() == counted()
    other.indicators.all().delete()
    TargetDeclaration.objects.filter(pk=other.pk).delete()
    assert kept() == counted()
    listed = TargetDeclaration.objects.filter(LISTED, year=2021).count()
    assert DeclarationTally.kept_count(year=2021) == listed > 0
    assert DeclarationTally.kept_count(year=2021, listed_only=False) == listed + 1  # with the superseded v1


def test_the_list_shows_the_kept_total_without_counting_and_scoped_lists_count(
        declaration: TargetDeclaration, users: dict[str, Any], org: dict[str, Any], login: Any,
        settings: Any) -> None:
    project_declaration(org, "b")
    perform_transition(declaration, "submit", users["unit_filler"])
    url = reverse("targets:declaration_list")
    edu = org["sectors"]["edu"].pk
    perf = login(users["perf_section"])
    for query, rows in (("?year=2021", TargetDeclaration.objects.filter(LISTED, year=2021)),
                        ("?year=2021&state=submitted", TargetDeclaration.objects.filter(year=2021, state="submitted")),
                        (f"?year=2021&sector={edu}&current=all", TargetDeclaration.objects.filter(year=2021, sector=edu)),
                        ("?year=2022", TargetDeclaration.objects.filter(year=2022))):
        with CaptureQueriesContext(connection) as queries:
            html = perf.get(url + query).content.decode()
        assert total_shown(html) == rows.count(), query
        assert not [q for q in queries if "COUNT(" in q["sql"] and "targets_targetdeclaration" in q["sql"]], query
    with CaptureQueriesContext(connection) as queries:  # a search is counted
        html = perf.get(url + "?year=2021&q=东湖").content.decode()
    assert total_shown(html) == 0 and [q for q in queries if "COUNT(" in q["sql"]]
    settings.JIXIAO_EXPORT_INLINE_ROWS = 1
    with CaptureQueriesContext(connection) as queries:  # a large export is queued with the kept total
        response = perf.get(url + "?year=2021&export=xlsx")
    assert response.status_code == 302
    assert not [q for q in queries if "COUNT(" in q["sql"] and "targets_targetdeclaration" in q["sql"]]
    from jixiao.core.models import ExportJob

    assert ExportJob.objects.get().total == TargetDeclaration.objects.filter(LISTED, year=2021).count()
    desk = login(users["budget_desk"])  # sees the education sector only: counts its rows
    with CaptureQueriesContext(connection) as queries:
        html = desk.get(url + "?year=2021").content.decode()
    assert total_shown(html) == TargetDeclaration.objects.filter(LISTED, year=2021, sector=edu).count() == 1
    assert [q for q in queries if "COUNT(" in q["sql"] and "targets_targetdeclaration" in q["sql"]]


def project_declaration(org: dict[str, Any], key: str) -> TargetDeclaration:
    project = org["projects"][key]
    return TargetDeclaration.objects.create(kind="project", year=2021, unit=project.unit, sector=project.sector,
                                            project=project)


def total_shown(html: str) -> int:
    found = re.search(r"共 (\d+) 条", html)
    assert found, "the list shows its total"
    return int(found.group(1))
