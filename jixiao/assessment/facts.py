"""The facts table of one unit's assessment, read from what the product already knows.

Targets of budget year N (coverage, review grades, first submission against the calendar,
publication), the N monitoring tables (submission, paper copies), the N−1 self-evaluations
(submission, publication by the calendar's date, the report's use of results), their re-check
quality, and the rectification items the unit holds on the rectification register (every source;
its audit findings of 财审联动, source 审计, are also the 审计发现的绩效问题 deductions). Everything is
turned into ``rules.assessment.Facts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Min
from django.utils import timezone

from jixiao.rules import assessment as rules


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if hasattr(value, "tzinfo") else value


def _due(plan_year: int, code: str) -> date:
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    entry = CalendarEntry.objects.filter(year=plan_year, code=code).first()
    if entry is None:
        ensure_year(plan_year)
        entry = CalendarEntry.objects.get(year=plan_year, code=code)
    return entry.due_on


def tree_unit_ids(root_ids: Iterable[int]) -> list[int]:
    from jixiao.organisation.models import BudgetUnit

    return list(BudgetUnit.objects.filter(root_id__in=list(root_ids)).values_list("pk", flat=True))


def target_facts(roots: list[int], units: list[int], year: int) -> list[rules.Document]:
    from jixiao.organisation.models import BudgetUnit, Project
    from jixiao.targets.models import TargetDeclaration
    from jixiao.workflow.models import ReviewLog

    due = _due(year, "targets_declare")
    declarations = list(TargetDeclaration.objects.filter(year=year, unit_id__in=units)
                        .select_related("project", "unit"))
    ct = ContentType.objects.get_for_model(TargetDeclaration)
    first_submit = dict(ReviewLog.objects.filter(content_type=ct, transition="submit",
                                                 object_id__in=[d.pk for d in declarations])
                        .values("object_id").annotate(first=Min("at")).values_list("object_id", "first"))
    by_subject: dict[tuple[str, int], dict[str, Any]] = {}
    for d in sorted(declarations, key=lambda d: d.version):
        key = ("project", d.project_id) if d.project_id else ("department", d.unit_id)
        entry = by_subject.setdefault(key, {"done": None, "current": None})
        submitted = _day(first_submit.get(d.pk))
        if submitted and (entry["done"] is None or submitted < entry["done"]):
            entry["done"] = submitted
        if d.is_current:
            entry["current"] = d
    docs = []
    owed: list[tuple[tuple[str, int], str]] = []
    for unit in BudgetUnit.objects.filter(pk__in=roots).order_by("code"):
        owed.append((("department", unit.pk), f"{unit.name}部门整体支出绩效目标"))
    for p in Project.objects.filter(year=year, unit_id__in=units).order_by("code"):
        owed.append((("project", p.pk), f"{p.name}项目绩效目标"))
    for key, label in owed:
        entry = by_subject.get(key, {})
        current = entry.get("current")
        docs.append(rules.Document(
            label, due, entry.get("done"),
            grade=(current.review_grade if current else "") or "",
            published=_day(current.published_at) if current else None,
        ))
    return docs


def monitoring_facts(units: list[int], year: int) -> list[rules.Document]:
    from jixiao.monitoring.models import MonitoringForm

    forms = (MonitoringForm.objects.filter(round__year=year, unit_id__in=units)
             .select_related("round", "project", "unit").order_by("round__due_on", "unit__code", "pk"))
    return [rules.Document(f"{f.round.title}：{f.project.name if f.project else f.unit.name + '部门整体支出'}监控表",
                           f.round.due_on, _day(f.submitted_at), needs_paper=f.needs_paper,
                           paper_received=f.paper_received_at is not None) for f in forms]


def selfeval_facts(units: list[int], year: int) -> tuple[list[rules.Document], list[rules.Recheck]]:
    from jixiao.evaluation.models import Recheck, SelfEvaluation

    evaluated = year - 1
    due = _due(year, "selfeval_submit")
    publish_due = _due(year, "selfeval_publish")
    selfevals = list(SelfEvaluation.objects.filter(year=evaluated, unit_id__in=units)
                     .select_related("project", "unit").order_by("unit__code", "pk"))
    docs = [rules.Document(f"{s.project.name if s.project else s.unit.name + '部门整体支出'}{evaluated}年度绩效自评",
                           due, _day(s.submitted_at), published=_day(s.published_at), publish_due=publish_due,
                           applies_results=bool(s.report_measures.strip()))
            for s in selfevals]
    rechecks = [rules.Recheck(f"{r.selfeval.project.name if r.selfeval.project else r.selfeval.unit.name}自评复核",
                              r.quality)
                for r in Recheck.objects.filter(selfeval__in=selfevals, completed_at__isnull=False)
                .select_related("selfeval__project", "selfeval__unit").order_by("pk") if r.quality]
    return docs, rechecks


def rectification_facts(units: list[int], year: int) -> list[rules.Rectification]:
    """The unit's items of the rectification register due in the year, every source (cancelled ones not counted)."""
    from jixiao.rectification.models import Rectification

    return [rules.Rectification(_headline(r.problem), r.get_source_display(), r.deadline, _day(r.closed_at))
            for r in Rectification.objects.filter(unit_id__in=units, deadline__year=year)
            .exclude(state="cancelled").order_by("deadline", "pk")]


def finding_facts(units: list[int], year: int) -> list[rules.Finding]:
    """The 审计发现的绩效问题 deductions: the unit's audit findings on the register concerning the year (not cancelled)."""
    from jixiao.rectification.models import Rectification, Source

    return [rules.Finding(f"{r.found_on or _day(r.created_at)} {_headline(r.problem)}", "审计")
            for r in Rectification.objects.filter(unit_id__in=units, source=Source.AUDIT, year=year)
            .exclude(state="cancelled").order_by("found_on", "pk")]


def _headline(text: str) -> str:
    return (text.splitlines() or [""])[0][:60]


def facts_for(assessment: Any, as_of: date) -> rules.Facts:
    roots = [assessment.unit_id, *assessment.absorbed.values_list("pk", flat=True)]
    units = tree_unit_ids(roots)
    year = assessment.year
    selfevals, rechecks = selfeval_facts(units, year)
    return rules.Facts(
        unit=assessment.unit.name, as_of=as_of, joined=assessment.joined_on,
        targets=tuple(target_facts(roots, units, year)), monitoring=tuple(monitoring_facts(units, year)),
        selfevals=tuple(selfevals), rechecks=tuple(rechecks),
        rectifications=tuple(rectification_facts(units, year)), findings=tuple(finding_facts(units, year)),
    )
