"""The province demo's documents (issue 15 item 5): every project's target with indicator rows, the
plan year's monitoring forms of the approved targets and N−1's self-evaluations, in the district's
state mixes; written with the same rows on SQLite (bulk_create) as on PostgreSQL (COPY)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from jixiao.demo import targets as demo_targets
from jixiao.demo.province import load_province_documents
from jixiao.evaluation.models import SelfEvalIndicator, SelfEvaluation
from jixiao.monitoring.models import MonitoringForm, MonitoringIndicator
from jixiao.organisation.models import Project, UnitYearSetting
from jixiao.targets.models import TargetDeclaration, TargetIndicator

pytestmark = pytest.mark.django_db


def test_documents_follow_the_district_mixes(org: dict[str, Any], users: dict[str, Any]) -> None:
    units = org["units"]
    for n in range(40):  # budget years N−1, N and N+1 of plan year 2021
        unit = list(units.values())[n % 3]
        Project.objects.create(year=2020 + n % 3, code=f"X-{n}", name=f"演示项目{n}", unit=unit, sector=unit.sector,
                               initial_budget_fen=10_000_000, adjusted_budget_fen=12_000_000)
    UnitYearSetting.objects.bulk_create(UnitYearSetting(unit=u, year=y, in_assessment_scope=True)
                                        for u in (units["a"], units["b"]) for y in (2020, 2021, 2022))
    counts = load_province_documents(random.Random(1), 2021, chunk_units=10)

    projects = Project.objects.count()
    assert TargetDeclaration.objects.filter(kind="project").count() == projects
    assert TargetDeclaration.objects.filter(kind="department").count() == 2 * 3
    assert counts["targets"] == projects + 6
    assert not TargetIndicator.objects.filter(declaration__isnull=True).exists()
    assert TargetIndicator.objects.count() == 5 * counts["targets"] == counts["target_indicators"]
    states = {y: set(TargetDeclaration.objects.filter(year=y).values_list("state", flat=True)) for y in (2020, 2021, 2022)}
    for offset, mix in demo_targets.MIX.items():
        assert states[2021 + offset] <= {s for s, _ in mix}
    approved = TargetDeclaration.objects.filter(state__in=("approved", "published"))
    forms = MonitoringForm.objects.select_related("round")
    assert forms.count() == approved.filter(year=2021).count() == counts["monitoring_forms"]
    assert {f.round.year for f in forms} == {2021}
    assert all(f.execution_rate is not None or f.budget_fen == 0 for f in forms if f.kind == "project")
    assert MonitoringIndicator.objects.count() == 5 * forms.count()
    selfevals = SelfEvaluation.objects.all()
    assert selfevals.count() == approved.filter(year=2020).count() == counts["selfevaluations"]
    assert SelfEvalIndicator.objects.count() == 5 * selfevals.count()
    assert all(se.computed_grade or se.executed_fen is None for se in selfevals)
    assert Project.objects.filter(budget_approved_at__isnull=False).count() == approved.filter(kind="project").count()
