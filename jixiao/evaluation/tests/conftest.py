"""Fixtures of the evaluation tests: an approved target for the fixture projects, self-evaluation
tasks issued from it, agencies and experts linked to the fixture's agency and expert accounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jixiao.targets.models import TargetDeclaration, TargetIndicator

# domain.md §4.8 worked example A: weights 15/15/10/10/20/10/10 (+ funds 10).
ROWS = [
    ("产出指标", "数量指标", "养护里程", ">=", "120", "公里", "15"),
    ("产出指标", "质量指标", "路面优良率", ">=", "85", "%", "15"),
    ("产出指标", "时效指标", "按期完成率", "=", "100", "%", "10"),
    ("产出指标", "成本指标", "每公里养护成本", "<=", "1.60", "万元", "10"),
    ("效益指标", "社会效益指标", "群众出行条件改善", "qual", "明显改善", "", "20"),
    ("效益指标", "可持续影响指标", "养护长效机制", "qual", "建立", "", "10"),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", ">=", "90", "%", "10"),
]
ACTUALS = ["126公里", "80%", "90%", "1.46万元", "达成年度指标", "部分达成年度指标并具有一定效果", "86%"]
SCORES = ["15", "14.12", "9", "10", "18", "7", "9.56"]


def approved_target(project: Any, state: str = "approved") -> TargetDeclaration:
    d = TargetDeclaration.objects.create(
        kind="project", year=project.year, unit=project.unit, sector=project.sector, project=project,
        state=state, annual_goal="完成农村公路养护120公里，路面优良率达到85%以上。", contact_person="张三",
    )
    for n, (l1, l2, name, cmp, value, unit, weight) in enumerate(ROWS):
        TargetIndicator.objects.create(declaration=d, position=n, level1=l1, level2=l2, name=name, comparison=cmp,
                                       value=value, unit=unit, weight=Decimal(weight))
    return d


@pytest.fixture
def targets(org: dict[str, Any]) -> dict[str, TargetDeclaration]:
    return {k: approved_target(p) for k, p in org["projects"].items()}


@pytest.fixture
def selfevals(targets: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    from jixiao.evaluation.models import SelfEvaluation
    from jixiao.evaluation.services import issue_tasks

    issue_tasks(2021, users["perf_section"])
    return {k: SelfEvaluation.objects.get(target=t) for k, t in targets.items()}


def fill(se: Any, executed_fen: int = 46_000_000) -> Any:
    """The unit's entries of worked example A (budget 500万 in the fixture; 460万 spent)."""
    from jixiao.evaluation.services import refresh_scores

    se.executed_fen, se.funds_score = executed_fen, Decimal("9.2")
    se.report_results = "主要绩效目标基本完成，路面优良率略低于目标。"
    se.save()
    for row, actual, score in zip(se.indicators.all(), ACTUALS, SCORES, strict=True):
        row.actual, row.score = actual, Decimal(score)
        row.note = "雨季施工期缩短" if row.name == "路面优良率" else ""
        row.save()
    refresh_scores(se)
    return se


@pytest.fixture
def agency(users: dict[str, Any]) -> Any:
    from jixiao.evaluation.models import Agency

    a = Agency.objects.create(name="湖南测试会计师事务所", qualifications="会计师事务所执业证书", phone="13873010041")
    a.members.add(users["agency"])
    return a


@pytest.fixture
def expert(users: dict[str, Any]) -> Any:
    from jixiao.evaluation.models import Expert

    return Expert.objects.create(name="谭克勤", organisation="湖南理工学院", phone="13873010051", user=users["expert"])


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
