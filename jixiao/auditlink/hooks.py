"""Audit findings in the assessment (整改共抓, 成果共用): each is a rectification item of source 审计
(closed on time or not) and, for the year it was found, a deduction (审计发现的绩效问题)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from jixiao.assessment import facts
from jixiao.rules import assessment as rules


def audit_rectifications(units: list[int], year: int) -> Iterable[rules.Rectification]:
    from jixiao.auditlink.models import AuditFinding

    for f in (AuditFinding.objects.filter(unit_id__in=units, deadline__year=year).exclude(state="withdrawn")
              .order_by("deadline", "pk")):
        closed = timezone.localtime(f.closed_at).date() if f.closed_at else None
        yield rules.Rectification(f.title[:60], "审计", f.deadline, closed)


def audit_findings(units: list[int], year: int) -> Iterable[rules.Finding]:
    from jixiao.auditlink.models import AuditFinding

    for f in AuditFinding.objects.filter(unit_id__in=units, year=year).exclude(state="withdrawn").order_by("pk"):
        yield rules.Finding(f"{f.found_on:%Y-%m-%d} {f.title[:60]}", "审计")


facts.RECTIFICATION_SOURCES.append(audit_rectifications)
facts.FINDING_SOURCES.append(audit_findings)
