"""Records of every kind the API serves beyond the fixture's units and projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def records(org: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """One register item and one proposal per fixture unit; sheets of the first-level units a and b."""
    from jixiao.application.models import Board, Proposal
    from jixiao.assessment import services
    from jixiao.assessment.models import ItemScore, UnitAssessment
    from jixiao.rectification.models import Rectification
    from jixiao.rules.assessment import default_sheet

    units, projects, perf = org["units"], org["projects"], users["perf_section"]
    items = {k: Rectification.objects.create(
        source="key_evaluation", source_title=f"{u.name}项目重点评价报告", year=2021, unit=u, sector=u.sector,
        project=projects[k], kind="rectify", problem="绩效目标不够细化", requirement="细化量化指标",
        owner="张三", deadline=date(2021, 12, 31), reduce_fen=1_234_567, created_by=perf, state="issued")
        for k, u in units.items()}
    board = Board.objects.create(year=2022, evidence_year=2021, state="open", built_by=perf)
    proposals = {k: Proposal.objects.create(
        board=board, project=projects[k], unit=u, sector=u.sector, code=projects[k].code, name=projects[k].name,
        base_fen=50_000_001, rule="重点评价等级“差”：压减或取消30%", action="cut", cut=Decimal(30),
        proposed_fen=35_000_001, final_action="cut", final_fen=35_000_001) for k, u in units.items()}
    scheme = services.ensure_scheme(2021)
    sheets = {}
    for key, state, rank in (("a", "review", 1), ("b", "final", 2)):
        ua = UnitAssessment.objects.create(scheme=scheme, year=2021, unit=units[key], state=state, total=Decimal("86.50"),
                                           grade="良", rank=rank, mark="通报表扬" if rank == 1 else "")
        ItemScore.objects.bulk_create([
            ItemScore(assessment=ua, position=i, code=r.code, name=r.name, kind=r.kind, measure=r.measure,
                      points=r.points, computed=r.points if r.measure else None,
                      score=r.points - Decimal("0.25") if not r.measure else None) for i, r in enumerate(default_sheet())])
        sheets[key] = ua
    from jixiao.auditlink.models import AuditPlanItem, AuditWorkPlan

    plan = AuditWorkPlan.objects.create(year=2021, title="2021年度财审联动工作方案", topics="指标共商\n\n整改共抓\n",
                                        finance_owner="李四", audit_owner="王五", agreed_on=date(2021, 3, 1))
    AuditPlanItem.objects.create(plan=plan, title="西岭局预算执行审计", unit=units["b"], owner="赵六",
                                 starts_on=date(2021, 4, 1), suggest_key_evaluation=True, reason="资金量大")
    AuditPlanItem.objects.create(plan=plan, title="全区专项资金审计")
    return {"items": items, "proposals": proposals, "sheets": sheets, "plan": plan}
