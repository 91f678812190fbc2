"""This app's URLs in the permission matrix: findings of units a and b (open); the audit bureau's
reader sees both (finding rows have no reader-only states), the units their own tree's."""

from __future__ import annotations

from datetime import date
from typing import Any


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.auditlink.models import AuditFinding

    findings = {k: AuditFinding.objects.create(
        year=2021, unit=org["units"][k], title="绩效目标未细化量化", requirement="细化量化绩效指标",
        found_on=date(2021, 8, 1), deadline=date(2021, 11, 30), created_by=users["audit_reader"]) for k in ("a", "b")}
    return {name: [(k, {"pk": f.pk}, k) for k, f in findings.items()]
            for name in ("auditlink:finding_detail", "auditlink:finding_transition")}
