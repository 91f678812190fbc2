"""Service functions of the target stage: open a declaration, check it, adjust it (v+1),
compare versions, approve a project's budget only with an approved target (六同步)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.core.locking import lock_row
from jixiao.core.types import with_reason
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rules.parsing import parse_value
from jixiao.rules.targets import TargetFinding, review_target
from jixiao.rules.values import Quantitative
from jixiao.targets.models import Kind, MainTask, TargetDeclaration, TargetIndicator
from jixiao.targets.workflows import APPROVED_STATES
from jixiao.workflow.engine import WorkflowError


class TargetError(WorkflowError):
    pass


def open_project_declaration(project: Project, user: Any) -> TargetDeclaration:
    """The project's current declaration, or a new draft prefilled from last year's approved one."""
    existing = TargetDeclaration.objects.filter(project=project).order_by("-version").first()
    if existing is not None:
        return existing
    if not Project.objects.for_user(user, "view").filter(pk=project.pk).exists():
        raise TargetError("您无权为该项目填报绩效目标。")
    with transaction.atomic():
        declaration = TargetDeclaration.objects.create(
            kind=Kind.PROJECT, year=project.year, unit=project.unit, sector=project.sector, project=project,
            fiscal_fen=project.adjusted_budget_fen, other_fen=0,
        )
        previous = last_year_declaration(declaration)
        if previous is not None:
            _copy_content(previous, declaration)
            declaration.save()
    return declaration


def open_department_declaration(unit: BudgetUnit, year: int, user: Any) -> TargetDeclaration:
    existing = TargetDeclaration.objects.filter(kind=Kind.DEPARTMENT, unit=unit, year=year).order_by("-version").first()
    if existing is not None:
        return existing
    if not BudgetUnit.objects.for_user(user, "view").filter(pk=unit.pk).exists() or not unit.is_first_level:
        raise TargetError("部门整体支出绩效目标由一级预算单位填报。")
    return TargetDeclaration.objects.create(kind=Kind.DEPARTMENT, year=year, unit=unit, sector=unit.sector)


def last_year_declaration(declaration: TargetDeclaration) -> TargetDeclaration | None:
    """Last year's current approved declaration of the same project code (or the same unit); ordered by
    version alone (the list's default order joins units and projects for nothing here)."""
    qs = TargetDeclaration.objects.filter(year=declaration.year - 1, kind=declaration.kind, is_current=True,
                                          state__in=APPROVED_STATES)
    if declaration.kind == Kind.PROJECT:
        # A continuing project keeps its 项目库 code from year to year.
        return qs.filter(project__code=declaration.project.code).order_by("-version").first() if declaration.project else None
    return qs.filter(unit=declaration.unit).order_by("-version").first()


def previous_values(declaration: TargetDeclaration) -> dict[str, Decimal]:
    """A continuing project's last-year values by indicator name (the approved targets until
    self-evaluation actuals exist for that year)."""
    previous = last_year_declaration(declaration)
    if previous is None:
        return {}
    values = {}
    for ind in previous.indicators.all():
        parsed = parse_value(f"{ind.value}{ind.unit}")
        if isinstance(parsed, Quantitative):
            values[ind.name] = parsed.value
    return values


def review_findings(declaration: TargetDeclaration,
                    indicators: Sequence[TargetIndicator] | None = None) -> list[TargetFinding]:
    """The automatic review checks (run on save, before submission and for reviewers); ``indicators``:
    the declaration's saved rows when the page has read them already."""
    from jixiao.rules import get_rule_set

    rule_set = get_rule_set("national-default")
    weights = dict(rule_set.level1_weights)
    return review_target(declaration.to_draft(previous_values(declaration), indicators), weights)


def _copy_content(source: TargetDeclaration, target: TargetDeclaration) -> None:
    for field in ("long_term_goal", "annual_goal", "basis", "implementation_plan", "safeguards", "functions",
                  "staff_quota", "staff_actual", "contact_person", "contact_phone", "unit_head", "start_month"):
        setattr(target, field, getattr(source, field))
    TargetIndicator.objects.bulk_create(
        TargetIndicator(declaration=target, **{f: getattr(i, f) for f in (
            "position", "level1", "level2", "name", "comparison", "value", "unit", "weight", "explanation",
            "data_source", "library_item_id")})
        for i in source.indicators.all()
    )
    MainTask.objects.bulk_create(
        MainTask(declaration=target, position=t.position, name=t.name, content=t.content,
                 fiscal_fen=t.fiscal_fen, other_fen=t.other_fen)
        for t in source.main_tasks.all()
    )


def start_adjustment(declaration: TargetDeclaration, user: Any, reason: str) -> TargetDeclaration:
    """调整: version v+1 as a draft, reviewed the same way; v stays current until v+1 is approved."""
    reason = (reason or "").strip()
    if not reason:
        raise TargetError("请填写调整原因。")
    with transaction.atomic():
        current = TargetDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if current.state not in APPROVED_STATES:
            raise TargetError("只有已批复的绩效目标才能申请调整。")
        if user.role not in ("unit_filler", "unit_approver") or not TargetDeclaration.objects.for_user(user).filter(pk=current.pk).exists():
            raise TargetError("只有本单位可以申请调整绩效目标。")
        if TargetDeclaration.objects.filter(supersedes=current).exists():
            raise TargetError("该绩效目标已有调整版本在办理中。")
        new = TargetDeclaration(
            kind=current.kind, year=current.year, unit=current.unit, sector=current.sector, project=current.project,
            version=current.version + 1, supersedes=current, adjustment_reason=reason, is_current=False,
            fiscal_fen=current.fiscal_fen, other_fen=current.other_fen,
        )
        with_reason(new, f"申请调整：{reason}")
        new.save()
        _copy_content(current, new)
        new.save()
    return new


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def compare_versions(old: TargetDeclaration, new: TargetDeclaration) -> list[Change]:
    """Side-by-side differences between two versions: goals and every indicator row."""
    changes = []
    for field in ("long_term_goal", "annual_goal", "fiscal_fen", "other_fen"):
        a, b = getattr(old, field), getattr(new, field)
        if a != b:
            changes.append(Change(str(getattr(TargetDeclaration._meta.get_field(field), "verbose_name", field)), _show(a), _show(b)))
    old_rows = {(i.level1, i.level2, i.name): i for i in old.indicators.all()}
    new_rows = {(i.level1, i.level2, i.name): i for i in new.indicators.all()}
    for key in [*old_rows, *[k for k in new_rows if k not in old_rows]]:
        a, b = old_rows.get(key), new_rows.get(key)
        label = f"指标「{key[2]}」（{key[0]}/{key[1]}）"
        if a is None or b is None or _row(a) != _row(b):
            changes.append(Change(label, _row(a), _row(b)))
    return changes


def _row(i: TargetIndicator | None) -> str:
    if i is None:
        return "（无）"
    weight = f"，权重{i.weight.normalize():f}" if i.weight is not None else ""
    return f"{i.get_comparison_display()} {i.value}{i.unit}{weight}"


def _show(value: Any) -> str:
    from jixiao.rules.money import format_wan

    if isinstance(value, int):
        return f"{format_wan(value)}万元"
    return value or "（空）"


def approve_project_budget(project: Project, user: Any, expected_version: int | None = None) -> Project:
    """六同步 (同批复): a project's budget is approved only with an approved performance target.
    Under the row lock: approved once (a repeated POST changes nothing), and a page older than the
    project's last change is refused (StaleEdit)."""
    if not Project.objects.for_user(user, "change").filter(pk=project.pk).exists():
        raise TargetError("您无权批复该项目预算。")
    declaration = TargetDeclaration.objects.filter(project=project, is_current=True).first()
    if declaration is None or declaration.state not in APPROVED_STATES:
        state = declaration.state_label if declaration else "未填报"
        raise TargetError(f"项目「{project.name}」的绩效目标尚未批复（当前：{state}），不能批复预算。")
    with transaction.atomic():
        locked = lock_row(project, expected_version)
        if locked.budget_approved_at is not None:
            when = timezone.localtime(locked.budget_approved_at)
            raise TargetError(f"项目「{locked.name}」的预算已于{when:%Y-%m-%d %H:%M}批复，未重复批复。")
        locked.budget_approved_at = timezone.now()
        locked.lock_version += 1
        with_reason(locked, "批复预算（绩效目标已批复）")
        locked.save()
    return locked


# --- 六同步 completeness (the completeness page and the annual report packages read it) ----------------


COMPLETENESS_COUNTS = ("projects", "declared", "approved", "lacking", "rejected", "budget")


def _completeness_querysets(year: int, user: Any) -> tuple[Any, Any]:
    return (Project.objects.for_user(user).filter(year=year),
            TargetDeclaration.objects.for_user(user).filter(year=year, kind=Kind.PROJECT, is_current=True))


def completeness_counts(projects: Any, declared: Any, by: str) -> dict[Any, dict[str, int]]:
    """The six counts grouped ``by`` a field (two grouped queries merged; no join fans out); grouped by
    anything but the unit, also the number of units."""
    from django.db.models import Count, Q

    p_sums = {"projects": Count("pk"), "budget": Count("pk", filter=Q(budget_approved_at__isnull=False))}
    if by != "unit_id":
        p_sums["units"] = Count("unit_id", distinct=True)
    d_sums = {"declared": Count("pk"), "approved": Count("pk", filter=Q(state__in=("approved", "published"))),
              "rejected": Count("pk", filter=Q(state="rejected"))}
    d_rows = {r[by]: r for r in declared.values(by).annotate(**d_sums).order_by()}
    result = {}
    for p in projects.values(by).annotate(**p_sums).order_by():
        d = d_rows.get(p[by]) or {}
        approved = d.get("approved") or 0
        result[p[by]] = {"projects": p["projects"], "declared": d.get("declared") or 0, "approved": approved,
                         "lacking": p["projects"] - approved, "rejected": d.get("rejected") or 0,
                         "budget": p["budget"], "units": p.get("units", 1)}
    return result


def completeness_rows(year: int, user: Any, unit_ids: Any = None) -> list[dict[str, Any]]:
    """Per unit the user sees with projects in ``year`` (all, or those of ``unit_ids``), by unit code."""
    projects, declared = _completeness_querysets(year, user)
    if unit_ids is not None:
        projects, declared = projects.filter(unit_id__in=unit_ids), declared.filter(unit_id__in=unit_ids)
    counts = completeness_counts(projects, declared, "unit_id")
    units = BudgetUnit.objects.filter(pk__in=projects.values("unit_id")).select_related("sector").order_by("code")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    return [{"unit": unit, **{k: counts[unit.pk][k] for k in COMPLETENESS_COUNTS}} for unit in units if unit.pk in counts]


def completeness_summary(year: int, user: Any) -> dict[str, Any]:
    """Everything but the per-unit rows, counted in SQL: by sector (two grouped queries), the totals
    and the number of units (the sectors' sums: a unit has one sector), and the department-overall
    targets of the units in the 综合绩效考评 scope (two counts)."""
    from jixiao.organisation.models import UnitYearSetting

    by_sector = completeness_counts(*_completeness_querysets(year, user), "unit__sector__name")
    totals = {k: sum(s[k] for s in by_sector.values()) for k in COMPLETENESS_COUNTS}
    overall_units = (UnitYearSetting.objects.for_user(user) if user.can("organisation.budgetunit", "view")
                     else UnitYearSetting.objects.none())
    overall = TargetDeclaration.objects.for_user(user).filter(kind=Kind.DEPARTMENT, year=year, is_current=True)
    return {
        "by_sector": sorted(by_sector.items()), "totals": totals, "units": sum(s["units"] for s in by_sector.values()),
        "overall_in_scope": overall_units.filter(year=year, in_assessment_scope=True).count(),
        "overall_approved": overall.filter(state__in=("approved", "published")).count(),
    }


def completeness(year: int, user: Any) -> dict[str, Any]:
    """The whole 六同步 table of ``year`` for what the user sees: :func:`completeness_summary` and every
    unit's row (the annual report package and the export; the page lists a page of units)."""
    return {**completeness_summary(year, user), "rows": completeness_rows(year, user)}


