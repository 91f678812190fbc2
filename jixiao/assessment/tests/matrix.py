"""This app's URLs in the permission matrix (tests/test_permission_matrix.py).

The fixture's first-level units a and b each have a sheet: a's is final (external readers see it),
b's is still with the unit (external readers do not)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from jixiao.accounts.roles import EXTERNAL_READERS


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.assessment import services
    from jixiao.assessment.models import AssessmentEvidence, ItemScore, UnitAssessment
    from jixiao.rules.assessment import default_sheet

    scheme = services.ensure_scheme(2021)
    units = org["units"]
    sheets = {}
    for key, state in (("a", "final"), ("b", "self_assessment")):
        ua = UnitAssessment.objects.create(scheme=scheme, year=2021, unit=units[key], state=state, total=85,
                                           grade="良", rank=1 if key == "a" else 2)
        ItemScore.objects.bulk_create([
            ItemScore(assessment=ua, position=i, code=r.code, name=r.name, kind=r.kind, measure=r.measure,
                      points=r.points, computed=r.points if r.measure else None,
                      score=r.points if not r.measure else None) for i, r in enumerate(default_sheet())])
        sheets[key] = ua
    evidence = AssessmentEvidence(assessment=sheets["a"], item_code="1", name="制度文件.pdf", size=8,
                                  uploaded_by=users["unit_approver"])
    evidence.file.save("matrix.pdf", ContentFile(b"%PDF-1.4"), save=True)
    per_sheet = ("assessment:detail", "assessment:self_score", "assessment:review", "assessment:transition",
                 "assessment:evidence_upload")
    return {
        **{name: [(k, {"pk": ua.pk}, f"ua_{k}") for k, ua in sheets.items()] for name in per_sheet},
        "assessment:item_facts": [(k, {"pk": ua.pk, "code": "2.1"}, f"ua_{k}") for k, ua in sheets.items()],
        "assessment:evidence_download": [("a", {"pk": sheets["a"].pk, "evidence": evidence.pk}, "ua_a")],
    }


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if not unit_key.startswith("ua_"):
        return None
    from jixiao.accounts.roles import ROLE_SCOPE, Scope

    unit = unit_key.removeprefix("ua_")
    if role in EXTERNAL_READERS:
        return 200 if unit == "a" else 404  # external readers see final sheets only
    visible = {Scope.ALL: True, Scope.SECTOR: unit == "a", Scope.UNIT_TREE: unit == "a"}.get(ROLE_SCOPE[role], False)
    return 200 if visible else 404
