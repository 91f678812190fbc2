"""Monitoring fixtures: approved targets for the fixture's projects and units, and an open 1–9月 round."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jixiao.targets.models import TargetDeclaration, TargetIndicator

INDICATORS = [
    ("产出指标", "数量指标", "培训人次", ">=", "1000", "人次"),
    ("产出指标", "时效指标", "完成时间", "<=", "12月底前", ""),
    ("效益指标", "社会效益指标", "培训满意度", "qual", "明显提高", ""),
]


def approved_target(kind: str, unit: Any, project: Any = None) -> TargetDeclaration:
    # Another app's fixture may have opened a draft already: the approved one becomes the next version.
    earlier = TargetDeclaration.objects.filter(kind=kind, year=2021, unit=unit, project=project)
    version = (earlier.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    earlier.update(is_current=False)
    d = TargetDeclaration.objects.create(
        kind=kind, year=2021, unit=unit, sector=project.sector if project else unit.sector, project=project,
        state="approved", version=version, annual_goal="完成年度培训任务，提升基层业务能力和服务水平。",
    )
    for n, (l1, l2, name, cmp, value, u) in enumerate(INDICATORS):
        TargetIndicator.objects.create(declaration=d, position=n, level1=l1, level2=l2, name=name, comparison=cmp,
                                       value=value, unit=u, weight=Decimal(10))
    return d


def build_round(org: dict[str, Any], users: dict[str, Any]) -> Any:
    from jixiao.monitoring.services import open_round

    for key in ("a", "a_sub", "b"):
        approved_target("project", org["units"][key], org["projects"][key])
    approved_target("department", org["units"]["a"])
    return open_round(users["perf_section"], 2021, 9, date(2021, 11, 30))


def registry_agency(users: dict[str, Any]) -> Any:
    """The fixture's agency user's firm in the registry (the evaluation fixtures may have made it already)."""
    from jixiao.evaluation.models import Agency

    agency, _ = Agency.objects.get_or_create(name="湖南测试会计师事务所", defaults={"phone": "13873010041"})
    agency.members.add(users["agency"])
    return agency


@pytest.fixture
def monitoring_round(org: dict[str, Any], users: dict[str, Any]) -> Any:
    return build_round(org, users)


@pytest.fixture
def project_form(monitoring_round: Any, org: dict[str, Any]) -> Any:
    return monitoring_round.forms.get(project=org["projects"]["a_sub"])
