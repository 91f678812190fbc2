from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jixiao.targets.models import TargetDeclaration, TargetIndicator

ROWS = [
    ("产出指标", "数量指标", "养护里程", ">=", "120", "公里", "20"),
    ("产出指标", "质量指标", "路面优良率", ">=", "85", "%", "15"),
    ("产出指标", "时效指标", "完成时间", "<=", "12月底前", "", "15"),
    ("效益指标", "社会效益指标", "群众出行条件改善", "qual", "明显改善", "", "30"),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", ">=", "90", "%", "10"),
]


def fill(declaration: TargetDeclaration, rows: list[tuple[str, ...]] | None = None) -> TargetDeclaration:
    declaration.annual_goal = "完成农村公路养护120公里，路面优良率达到85%以上。"
    declaration.long_term_goal = "建立农村公路养护长效机制，保障群众安全便捷出行。"
    declaration.save()
    for n, (l1, l2, name, cmp, value, unit, weight) in enumerate(rows or ROWS):
        TargetIndicator.objects.create(declaration=declaration, position=n, level1=l1, level2=l2, name=name,
                                       comparison=cmp, value=value, unit=unit, weight=Decimal(weight))
    return declaration


@pytest.fixture
def declaration(org: dict[str, Any], users: dict[str, Any]) -> TargetDeclaration:
    from jixiao.targets.services import open_project_declaration

    return fill(open_project_declaration(org["projects"]["a_sub"], users["unit_filler"]))
