"""This app's URLs in the permission matrix (tests/test_permission_matrix.py).

Register items, result-application proposals and assessment sheets of the fixture's units a, a_sub
and b follow the usual scopes; the assessment sheets use the assessment matrix's keys (``ua_a`` is
final and seen by external readers, ``ua_b`` is still with the unit and is not); the year's 财审联动
work plan is district-wide (every role that may view it).
"""

from __future__ import annotations

from typing import Any

KEYS = ("a", "a_sub", "b")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.api.services import issue_token
    from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.targets.models import TargetDeclaration

    token, _secret = issue_token(users["audit_reader"], "矩阵", timezone.now() + timedelta(days=1), users["sec_admin"])
    u, p = org["units"], org["projects"]
    calls: dict[str, list[tuple[str, dict[str, Any], str]]] = {
        "api:unit-detail": [(k, {"pk": u[k].pk}, k) for k in KEYS],
        "api:project-detail": [(k, {"pk": p[k].pk}, k) for k in KEYS],
        "api:token_revoke": [("token", {"pk": token.pk}, "")],
    }
    # Documents of each kind, where the fixture has them (other apps' matrix modules create them).
    # Documents engaged to the fixture's agency or expert are left out: their visibility is the
    # evaluation and monitoring matrices' own rule (assigned items), checked there on the pages.
    for name, model in (("api:target-detail", TargetDeclaration), ("api:monitoring-form-detail", MonitoringForm),
                        ("api:self-evaluation-detail", SelfEvaluation), ("api:key-evaluation-detail", KeyEvaluation)):
        engaged = {pk for role in ("agency", "expert")
                   for pk in model.objects.for_user(users[role]).values_list("pk", flat=True)}  # type: ignore[attr-defined]
        calls[name] = []
        for key in KEYS:
            doc = model.objects.filter(unit=u[key]).exclude(pk__in=engaged).order_by("pk").first()
            if doc is not None:
                calls[name].append((key, {"pk": doc.pk}, key))
    calls |= _register_and_results(org, users)
    return calls


def _register_and_results(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from datetime import date

    from jixiao.application.models import Board, Proposal
    from jixiao.auditlink.models import AuditWorkPlan
    from jixiao.rectification.models import Rectification

    u, p, perf = org["units"], org["projects"], users["perf_section"]
    items = {k: Rectification.objects.create(
        source="unit_evaluation", source_title="2020年度部门评价报告", year=2020, unit=u[k], sector=u[k].sector,
        project=p[k], problem="绩效指标不够量化", requirement="细化量化指标", deadline=date(2021, 9, 30),
        created_by=perf, state="issued") for k in KEYS}
    board = Board.objects.create(year=2023, evidence_year=2022, state="open", built_by=perf)
    proposals = {k: Proposal.objects.create(
        board=board, project=p[k], unit=u[k], sector=p[k].sector, code=p[k].code, name=p[k].name, base_fen=1_000_000,
        rule="自评等级“良”：保持", action="keep", proposed_fen=1_000_000, final_action="keep", final_fen=1_000_000)
        for k in KEYS}
    plan, _ = AuditWorkPlan.objects.get_or_create(year=2021, defaults={
        "title": "2021年度财审联动工作方案", "topics": "指标共商\n整改共抓", "finance_owner": "绩效股", "audit_owner": "审计局"})
    return {
        "api:rectification-detail": [(k, {"pk": items[k].pk}, k) for k in KEYS],
        "api:result-proposal-detail": [(k, {"pk": proposals[k].pk}, k) for k in KEYS],
        "api:audit-work-plan-detail": [("plan", {"pk": plan.pk}, "")],
        "api:assessment-detail": [(key, {"pk": ua.pk}, key) for key, ua in _sheets(org, users).items()],
    }


def _sheets(org: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """The assessment matrix's sheets (unit a final, unit b with the unit), made here when it has not run."""
    from jixiao.assessment import services
    from jixiao.assessment.models import UnitAssessment

    u = org["units"]
    final = UnitAssessment.objects.filter(unit=u["a"], state="final").first()
    open_ = UnitAssessment.objects.filter(unit=u["b"]).exclude(state="final").first()
    if final is None or open_ is None:
        scheme = services.ensure_scheme(2020)
        final = UnitAssessment.objects.create(scheme=scheme, year=2020, unit=u["a"], state="final", total=85,
                                              grade="良", rank=1)
        open_ = UnitAssessment.objects.create(scheme=scheme, year=2020, unit=u["b"], state="self_assessment")
    return {"ua_a": final, "ua_b": open_}
