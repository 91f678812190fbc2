"""This app's URLs in the permission matrix: the former pages of audit findings of units a and b, now items of
the rectification register migrated from them (``legacy``), which redirect to the register item for whoever
may see it."""

from __future__ import annotations

from datetime import date
from typing import Any


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.rectification.models import Rectification

    calls = []
    for n, key in enumerate(("a", "b"), start=1):
        unit = org["units"][key]
        Rectification.objects.create(
            source="audit", source_title="区审计局2021年8月1日审计发现", year=2021, unit=unit, sector=unit.sector,
            problem="绩效目标未细化量化", requirement="细化量化绩效指标", found_on=date(2021, 8, 1),
            deadline=date(2021, 11, 30), created_by=users["audit_reader"], state="issued", legacy=f"auditfinding:{n}")
        calls.append((key, {"pk": n}, key))
    return {"auditlink:finding_detail": calls}
