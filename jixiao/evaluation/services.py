"""Service functions of the evaluation stage: every state change and every score goes through here.

Scores come from the rules engine only: a self-evaluation is turned into the selfeval-table JSON
document (``selfeval_document``) and checked by ``rules.check_table`` with the year's rule set —
the same checker as ``jixiao selfeval check``, the Excel and the JSON upload.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.core.locking import lock_row
from jixiao.core.types import with_reason
from jixiao.evaluation.models import (
    DEFAULT_FRAMEWORK,
    Agency,
    EvaluationYear,
    Expert,
    FrameworkIndicator,
    IndicatorScore,
    KeyEvaluation,
    Recheck,
    RecheckIndicator,
    RecheckRound,
    SelfEvalIndicator,
    SelfEvaluation,
    TableUpload,
)
from jixiao.organisation.models import BudgetUnit, DepartmentExpenditure
from jixiao.rules.checker import CheckResult, check_table
from jixiao.rules.conventions import check_document
from jixiao.rules.evaluation import RecheckResult, check_framework_weights, recheck_quality
from jixiao.rules.evaluation_key import (
    FrameworkRow,
    KeyEvaluationScore,
    agency_conflict,
    framework_weights,
    score_framework,
)
from jixiao.rules.evaluation_sample import SampleCandidate, read_sample_rule, select_sample
from jixiao.rules.layout import CellProblem
from jixiao.rules.money import fen_to_wan
from jixiao.rules.overall import SCORE_SHEET_KIND
from jixiao.rules.ruleset import get_rule_set
from jixiao.rules.targets import target_text
from jixiao.rules.values import json_number
from jixiao.tablefiles import import_table
from jixiao.targets.models import Kind, TargetDeclaration
from jixiao.workflow.engine import WorkflowError, perform_transition


class EvaluationError(WorkflowError):
    """A refused evaluation action; ``str(exc)`` is the Chinese message."""


#: Sources of 全年执行数 (e.g. the treasury data of the monitoring stage): (kind, year, unit id,
#: project id) -> amount in 分 or None. The first that answers prefills the self-evaluation.
EXECUTION_SOURCES: list[Callable[[str, int, int, int | None], int | None]] = []


def register_execution_source(source: Callable[[str, int, int, int | None], int | None]) -> None:
    EXECUTION_SOURCES.append(source)


def known_execution(kind: str, year: int, unit_id: int, project_id: int | None) -> int | None:
    for source in EXECUTION_SOURCES:
        amount = source(kind, year, unit_id, project_id)
        if amount is not None:
            return amount
    return None


# --- self-evaluation tasks --------------------------------------------------------------------------


def _budgets(target: TargetDeclaration, expenditures: dict[tuple[int, int], DepartmentExpenditure]) -> tuple[int | None, int | None]:
    if target.kind == Kind.PROJECT and target.project:
        return target.project.initial_budget_fen, target.project.adjusted_budget_fen
    expenditure = expenditures.get((target.unit_id, target.year))
    total = expenditure.total_fen if expenditure else None
    return total, total


def prefilled(target: TargetDeclaration, rule_set: str,
              expenditures: dict[tuple[int, int], DepartmentExpenditure]) -> tuple[SelfEvaluation, list[SelfEvalIndicator]]:
    """A self-evaluation (unsaved) prefilled from the approved target version and the execution data."""
    initial, budget = _budgets(target, expenditures)
    se = SelfEvaluation(
        kind=target.kind, year=target.year, unit=target.unit, sector=target.sector, project=target.project,
        target=target, rule_set=rule_set, goal=target.annual_goal, initial_budget_fen=initial, budget_fen=budget,
        executed_fen=known_execution(target.kind, target.year, target.unit_id, target.project_id),
        funds_weight=get_rule_set(rule_set).funds_weight, state="draft",
        contact_person=target.contact_person, contact_phone=target.contact_phone, unit_head=target.unit_head,
    )
    rows = [
        SelfEvalIndicator(selfeval=se, position=n, level1=i.level1, level2=i.level2, name=i.name,
                          target=target_text(i.comparison, i.value, i.unit)[:120], weight=i.weight)
        for n, i in enumerate(target.indicators.all())
    ]
    return se, rows


def issue_tasks(year: int, user: Any) -> int:
    """Open a self-evaluation for every project and department-overall expenditure whose target of
    ``year`` was approved (the baseline of whole-process management). Existing ones are kept."""
    if not user.can("evaluation.selfevaluation", "add"):
        raise EvaluationError("您无权下达自评任务。")
    settings = EvaluationYear.for_year(year)
    targets = (TargetDeclaration.objects.current().approved().filter(year=year)
               .exclude(self_evaluations__isnull=False)
               .select_related("project", "unit", "sector").prefetch_related("indicators"))
    expenditures = {(e.unit_id, e.year): e for e in DepartmentExpenditure.objects.filter(year=year)}
    made = [prefilled(t, settings.rule_set, expenditures) for t in targets]
    with transaction.atomic():
        SelfEvaluation.objects.bulk_create([se for se, _ in made], batch_size=500)
        SelfEvalIndicator.objects.bulk_create([r for _, rows in made for r in rows], batch_size=2000)
        EvaluationYear.objects.filter(pk=settings.pk).update(tasks_issued_at=timezone.now())
        for se, _ in made:
            refresh_scores(se)
    return len(made)


# --- the selfeval-table document and the checker ----------------------------------------------------------


def _wan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_wan(fen)


def selfeval_document(se: SelfEvaluation, rows: Sequence[SelfEvalIndicator] | None = None) -> dict[str, Any]:
    """The table in shared/formats/selfeval-table.md (amounts in 万元): what the checker reads."""
    rows = list(se.indicators.all()) if rows is None else rows
    return {
        "kind": "project_self_eval",
        "year": se.year,
        "unit": se.unit.name,
        "title": se.subject,
        "amount_unit": "万元",
        "funds": {
            "annual_initial_budget": _wan(se.initial_budget_fen),
            "annual_budget": _wan(se.budget_fen),
            "executed": _wan(se.executed_fen),
            "weight": se.funds_weight,
            "score": se.funds_score,
        },
        "indicators": [
            {"level1": r.level1, "level2": r.level2, "name": r.name, "target": r.target, "actual": r.actual,
             "weight": r.weight, "score": r.score, "note": r.note or None}
            for r in rows
        ],
        "total": se.claimed_total,
        "grade": se.claimed_grade or None,
        "execution_note": se.execution_note or None,
    }


def check(se: SelfEvaluation, rows: Sequence[SelfEvalIndicator] | None = None) -> CheckResult:
    return check_table(selfeval_document(se, rows), se.rule_set)


def refresh_scores(se: SelfEvaluation) -> CheckResult:
    """Store the checker's total, grade and finding counts on the row (lists read them)."""
    result = check(se)
    errors = sum(1 for f in result.findings if f.severity == "error") + len(result.errors)
    replaced = Recheck.objects.filter(selfeval_id=se.pk, replaces_self_score=True, completed_at__isnull=False).first()
    values = {
        "computed_total": result.total, "computed_grade": result.grade or "", "error_count": errors,
        "warning_count": sum(1 for f in result.findings if f.severity == "warning"),
        "effective_score": replaced.recheck_score if replaced else (
            se.claimed_total if se.claimed_total is not None else result.total),
    }
    SelfEvaluation.objects.filter(pk=se.pk).update(**values)
    for key, value in values.items():
        setattr(se, key, value)
    return result


def submission_problems(se: SelfEvaluation) -> list[str]:
    """What stops submission: missing execution or actual values, and the checker's errors."""
    problems = []
    if se.executed_fen is None:
        problems.append("未填写全年执行数")
    rows = list(se.indicators.all())
    problems += [f"第{n}行指标「{r.name}」未填写实际完成值" for n, r in enumerate(rows, start=1) if not r.actual.strip()]
    result = check(se, rows)
    problems += [e.message for e in result.errors]
    problems += [f.message for f in result.findings if f.severity == "error"]
    if not se.report_results.strip():
        problems.append("未填写自评报告“三、绩效目标实现情况分析”")
    return problems


# --- deadlines --------------------------------------------------------------------------------------------


def calendar_due(year: int, code: str) -> date:
    """The due date of ``code`` for evaluating budget year ``year`` (done in the calendar of year + 1)."""
    from jixiao.deadlines.models import year_entry

    return year_entry(year + 1, code).due_on


def overdue_selfevals(year: int, today: date) -> tuple[date, Any]:
    """Not submitted by the submission deadline (still with the unit), once it has passed."""
    due = calendar_due(year, "selfeval_submit")
    qs = SelfEvaluation.objects.filter(year=year, state__in=("draft", "returned")) if today > due else SelfEvaluation.objects.none()
    return due, qs


def late_submissions(year: int) -> tuple[date, Any]:
    due = calendar_due(year, "selfeval_submit")
    return due, SelfEvaluation.objects.filter(year=year, submitted_at__date__gt=due)


def unpublished_selfevals(year: int, today: date) -> tuple[date, Any]:
    """Not public by the publication deadline, once it has passed (涉密 ones are never published)."""
    due = calendar_due(year, "selfeval_publish")
    if today <= due:
        return due, SelfEvaluation.objects.none()
    qs = (SelfEvaluation.objects.filter(year=year).exclude(state="published")
          .exclude(unit__is_classified=True).exclude(project__is_classified=True))
    return due, qs


# --- re-check (§4.12) ---------------------------------------------------------------------------------------


def draw_sample(year: int, agency: Agency, user: Any, seed: int | None = None) -> RecheckRound:
    """Sample the year's self-evaluations received by finance: the editable rule, then a seeded draw."""
    settings = EvaluationYear.for_year(year)
    rule, problems = read_sample_rule(settings.sample_rule or {})
    if rule is None:
        raise EvaluationError("复核抽样规则有误：" + "；".join(problems))
    pool = list(SelfEvaluation.objects.filter(year=year, state__in=("received", "published"))
                .exclude(rechecks__isnull=False).select_related("sector").order_by("pk"))
    if not pool:
        raise EvaluationError(f"{year}年度没有财政已接收且未复核的自评表，无法抽样。")
    candidates = [SampleCandidate(se.pk, fen_to_wan(se.budget_fen or 0), _self_grade(se), se.sector.name)
                  for se in pool]
    seed = secrets.randbits(32) if seed is None else seed
    sample = select_sample(candidates, rule, seed)
    by_pk = {se.pk: se for se in pool}
    with transaction.atomic():
        rnd = RecheckRound.objects.create(year=year, rule=settings.sample_rule, seed=seed, agency=agency,
                                          candidate_count=len(pool), drawn_by=user)
        rechecks = Recheck.objects.bulk_create(
            Recheck(round=rnd, selfeval=by_pk[k], agency=agency, reason=sample.reasons[k],
                    executed_fen=by_pk[k].executed_fen, self_score=by_pk[k].self_score,
                    self_grade=by_pk[k].claimed_grade or by_pk[k].computed_grade)
            for k in sample.keys)
        indicators = SelfEvalIndicator.objects.filter(selfeval_id__in=sample.keys)
        by_selfeval: dict[int, list[SelfEvalIndicator]] = {}
        for row in indicators:
            by_selfeval.setdefault(row.selfeval_id, []).append(row)
        RecheckIndicator.objects.bulk_create(
            RecheckIndicator(recheck=r, indicator=row, actual=row.actual, score=row.score)
            for r in rechecks for row in by_selfeval.get(r.selfeval_id, []))
    return rnd


def _self_grade(se: SelfEvaluation) -> str | None:
    return se.claimed_grade or se.computed_grade or None


def recheck_document(recheck: Recheck) -> dict[str, Any]:
    """The self-evaluation table with the re-checker's verified execution, actuals and scores."""
    se = recheck.selfeval
    rows = {r.indicator_id: r for r in recheck.rows.all()}
    doc = selfeval_document(se)
    doc["funds"]["executed"] = _wan(recheck.executed_fen)
    doc["funds"]["score"] = None
    for row, indicator in zip(doc["indicators"], se.indicators.all(), strict=True):
        mine = rows.get(indicator.pk)
        if mine is not None:
            row["actual"], row["score"] = mine.actual, mine.score
    doc["total"], doc["grade"] = None, None
    return doc


RecheckRowValues = tuple[str, Decimal | None, str]  # actual, score, note


def save_recheck(recheck: Recheck, user: Any, expected_version: int | None, values: dict[str, Any],
                 rows: Sequence[tuple[RecheckIndicator, RecheckRowValues]], complete: bool = False,
                 ) -> RecheckResult | None:
    """Save the re-checker's values (and complete the re-check) under the row lock: an edit made on
    a page older than the last save is refused (StaleEdit), and a completed re-check is never
    changed or completed again, however many times the form is sent."""
    with transaction.atomic():
        locked = lock_row(recheck, expected_version)
        if locked.completed_at is not None:
            raise EvaluationError("该复核已完成，不能再修改。")
        for row, (actual, score, note) in rows:
            row.actual, row.score, row.note = actual, score, note
            row.save()
        for key, value in values.items():
            setattr(locked, key, value)
        locked.lock_version += 1
        with_reason(locked, "复核评分")
        locked.save()
        return complete_recheck(locked, user) if complete else None


def complete_recheck(recheck: Recheck, user: Any) -> RecheckResult:
    """Re-score with the checker, compare with the self score (Δ, quality grade) and, where the rule
    set says so, let the re-check score take the self score's place."""
    se = recheck.selfeval
    rules = get_rule_set(se.rule_set)
    result = check_table(recheck_document(recheck), rules)
    if result.total is None or se.self_score is None:
        raise EvaluationError("复核表数据不完整，无法计算复核得分：" + "；".join(e.message for e in result.errors))
    outcome = recheck_quality(se.self_score, result.total, rules,
                              documentation_complete=recheck.documentation_complete,
                              evidence_false=recheck.evidence_false)
    with transaction.atomic():
        recheck.self_score, recheck.recheck_score, recheck.delta = outcome.self_score, outcome.recheck_score, outcome.delta
        recheck.self_grade, recheck.recheck_grade, recheck.quality = outcome.self_grade, outcome.recheck_grade, outcome.quality
        recheck.replaces_self_score = outcome.replaces_self_score
        recheck.completed_at = timezone.now()
        with_reason(recheck, f"复核完成：质量等级{outcome.quality}")
        recheck.save()
        refresh_scores(se)
    return outcome


# --- agencies, key evaluations ----------------------------------------------------------------------------


def plan_due(plan_year: int, code: str) -> date:
    """The due date of ``code`` in the calendar of plan year ``plan_year`` (e.g. 人大 approval by 4/30)."""
    from jixiao.deadlines.models import year_entry

    return year_entry(plan_year, code).due_on


def npc_late(ke: KeyEvaluation) -> bool:
    """人大 approved the topic after the date its plan year's calendar sets (4/30 by default)."""
    return ke.npc_approved_on is not None and ke.npc_approved_on > plan_due(ke.year, "key_eval_topics")


def npc_approval_date(text: str) -> tuple[date | None, str | None]:
    """The 区人大审定日期 typed by the performance section: today when empty, never in the future."""
    from datetime import datetime

    text = (text or "").strip()
    if not text:
        return timezone.localdate(), None
    try:
        on = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None, f"区人大审定日期“{text}”不是有效日期，请按“年-月-日”填写。"
    if on > timezone.localdate():
        return None, "区人大审定日期不能晚于今天。"
    return on, None


def conflict_of_interest(provider: Agency | Expert, unit: BudgetUnit, year: int) -> str | None:
    """The refusal when the agency or expert served the unit (or its department) in the evaluated
    budget year ``year`` or within the preceding years the year's parameters set (回避年限, default 3)."""
    window = EvaluationYear.for_year(year).conflict_years
    services = list(provider.services.filter(unit_id__in={unit.pk, unit.root_id or unit.pk}).select_related("unit"))
    latest = agency_conflict((s.year for s in services), year, window)
    if latest is None:
        return None
    service = next(s for s in services if s.year == latest)
    who = "专家" if isinstance(provider, Expert) else "机构"
    return (f"回避规则：{who}「{provider.name}」于{latest}年为「{service.unit.name}」提供过“{service.description}”服务，"
            f"{window}年内不得承担该单位的重点评价，请另选{who}。")


def engage(ke: KeyEvaluation, agency: Agency | None, experts: Iterable[Expert], user: Any, expected_version: int | None = None) -> KeyEvaluation:
    """委托: name the agency (checked against the conflict rule) and experts, give the plan the
    default framework (§4.11) and move to 已委托."""
    experts = list(experts)
    if agency is None and ke.kind == "finance":
        raise EvaluationError("财政重点评价须委托第三方机构，请从第三方机构库选择机构。")
    if agency is not None and not Agency.objects.filter(pk=agency.pk, is_active=True).exists():
        raise EvaluationError(f"「{agency.name}」不在第三方机构库中，请另选机构。")
    inactive = [e.name for e in experts if not e.is_active]
    if inactive:
        raise EvaluationError(f"专家「{inactive[0]}」不在专家库中，请另选专家。")
    for provider in ([agency] if agency is not None else []) + experts:
        problem = conflict_of_interest(provider, ke.unit, ke.evaluated_year)
        if problem:
            raise EvaluationError(problem)
    with transaction.atomic():
        locked = KeyEvaluation.objects.select_for_update().get(pk=ke.pk)
        locked.agency = agency
        locked.save(update_fields=["agency"])
        locked.experts.set(list(experts))
        if not locked.indicators.exists():
            FrameworkIndicator.objects.bulk_create(
                FrameworkIndicator(key_evaluation=locked, position=n, level1=a, level2=b, name=c, weight=Decimal(w), standard=s)
                for n, (a, b, c, w, s) in enumerate(DEFAULT_FRAMEWORK))
        return perform_transition(locked, "engage", user, expected_version=expected_version,  # type: ignore[return-value]
                                  via_form=True)


def framework_problems(rows: Iterable[FrameworkRow]) -> tuple[str, ...]:
    rows = list(rows)
    if not rows:
        return ("评价方案尚无评价指标。",)
    return check_framework_weights(framework_weights(rows))


def rater_ids(ke: KeyEvaluation) -> set[int]:
    """Who may score (§6.4): the engaged agency's staff and the engaged experts; for a unit's own
    evaluation without an agency, the department's approvers who commissioned it."""
    from jixiao.accounts.models import User

    raters = set(ke.experts.exclude(user=None).values_list("user_id", flat=True))
    if ke.agency is not None:
        raters |= set(ke.agency.members.filter(role="agency").values_list("pk", flat=True))
    elif ke.kind == "unit":
        raters |= set(User.objects.filter(role="unit_approver", unit__root_id=ke.unit.root_id or ke.unit_id)
                      .values_list("pk", flat=True))
    return raters  # type: ignore[return-value]


def may_score(ke: KeyEvaluation, user: Any) -> bool:
    return ke.state == "fieldwork" and user.pk in rater_ids(ke)


#: From these states on the report is issued: the evaluated unit and the readers see the scores.
SCORES_ISSUED = ("reported", "published")


def may_see_scores(ke: KeyEvaluation, user: Any) -> bool:
    """Scores are the raters' and the commissioner's until the report is issued (§6.3)."""
    if ke.state in SCORES_ISSUED or user.role in ("perf_section", "budget_desk"):
        return True
    if ke.kind == "unit" and user.role == "unit_approver":
        return True  # the department commissioned its own evaluation
    return user.pk in rater_ids(ke)


def framework_rows(ke: KeyEvaluation) -> list[FrameworkRow]:
    """The plan's indicators with the scores of the legitimate raters only."""
    raters = rater_ids(ke)
    indicators = ke.indicators.prefetch_related("scores")
    return [FrameworkRow(i.level1, i.level2, i.name, i.weight,
                         tuple(s.score for s in i.scores.all() if s.scorer_id in raters)) for i in indicators]


def key_score(ke: KeyEvaluation) -> KeyEvaluationScore:
    return score_framework(framework_rows(ke), get_rule_set(ke.rule_set))


def save_scores(ke: KeyEvaluation, user: Any, scores: dict[int, tuple[Decimal, str]]) -> int:
    """One rater's scores; every score must lie within its indicator's weight (nothing saved otherwise)."""
    if ke.state != "fieldwork":
        raise EvaluationError("只有在评价实施阶段才能评分。")
    if user.pk not in rater_ids(ke):
        raise EvaluationError("只有受托第三方机构人员和受邀评审专家可以评分。")
    indicators = {i.pk: i for i in ke.indicators.all()}
    errors = []
    for n, (pk, (score, _note)) in enumerate(sorted(scores.items()), start=1):
        ind = indicators.get(pk)
        if ind is None:
            errors.append(f"第{n}项评分对应的指标不存在")
        elif score < 0 or score > ind.weight:
            errors.append(f"第{ind.position + 1}行指标「{ind.name}」的得分 {score} 超出 0～{ind.weight} 分")
    if errors:
        raise EvaluationError("；".join(errors))
    with transaction.atomic():
        for pk, (score, note) in scores.items():
            IndicatorScore.objects.update_or_create(indicator_id=pk, scorer=user, defaults={"score": score, "note": note})
    return len(scores)


def key_content(ke: KeyEvaluation) -> dict[str, Any]:
    score = key_score(ke)
    return {
        "title": ke.title, "kind": ke.get_kind_display(), "year": ke.year, "unit": ke.unit.name,
        "agency": ke.agency.name if ke.agency else None, "total": str(ke.total) if ke.total is not None else None,
        "grade": ke.grade, "levels": [level.to_dict() for level in score.levels],
        "conclusion": ke.final_conclusion, "problems": ke.final_problems, "recommendations": ke.final_recommendations,
    }


@dataclass(frozen=True)
class Quota:
    year: int
    projects: int
    departments: int
    minimum_projects: int = 4
    minimum_departments: int = 1

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.projects < self.minimum_projects:
            out.append(f"{self.year}年已确定的财政重点评价项目（含重大政策）{self.projects}个，少于方案要求的{self.minimum_projects}个以上。")
        if self.departments < self.minimum_departments:
            out.append(f"{self.year}年已确定的部门整体支出重点评价{self.departments}个，少于方案要求的{self.minimum_departments}个以上。")
        return out


APPROVED_KEY_STATES = ("approved", "engaged", "plan_submitted", "fieldwork", "draft_report", "feedback_given",
                       "final_report", "reported", "published")


def department_total(unit_id: int, year: int) -> int:
    """部门整体支出 of the unit and year (basic + project spending), 0 when not recorded."""
    expenditure = DepartmentExpenditure.objects.filter(unit_id=unit_id, year=year).first()
    return expenditure.total_fen if expenditure else 0


def quota(year: int) -> Quota:
    approved = KeyEvaluation.objects.filter(year=year, kind="finance", state__in=APPROVED_KEY_STATES)
    return Quota(year, approved.exclude(subject="department").count(), approved.filter(subject="department").count())


def add_rectification(ke: KeyEvaluation, user: Any, problem: str, requirement: str, owner: BudgetUnit,
                      deadline: date | None) -> Any:
    """A finding of the report goes onto the rectification register."""
    from jixiao.rectification.services import from_key_evaluation

    return from_key_evaluation(ke, user, problem, requirement, owner, deadline)


# --- tables as files arrive (issue 18) -------------------------------------------------------------------


@dataclass(frozen=True)
class TableReading:
    """A received file read and checked; ``upload`` is None when a cell could not be read."""

    upload: TableUpload | None
    problems: tuple[CellProblem, ...]


def receive_table(user: Any, file_name: str, data: bytes, recheck: Recheck | None = None) -> TableReading:
    """Read a Word / Excel / PDF self-evaluation table, check it under the convention it follows and
    record it — or record nothing and list every cell that could not be read."""
    reading = import_table(data, file_name)
    if reading.document is None or reading.problems:
        return TableReading(None, reading.problems)
    upload = _record(user, file_name, len(data), reading.document, recheck)
    return TableReading(upload, ())


def _record(user: Any, file_name: str, size: int, doc: dict[str, object], recheck: Recheck | None) -> TableUpload:
    result = check_document(doc, None)
    severities = [f.severity for f in result.findings]
    agency = recheck.agency if recheck is not None else user.agencies.first()
    return TableUpload.objects.create(
        agency=agency if user.role == "agency" or recheck is not None else None,
        recheck=recheck,
        file_name=file_name[:200],
        size=size,
        kind=str(doc["kind"]),
        title=str(doc.get("title") or "")[:200],
        unit_name=str(doc.get("unit") or "")[:200],
        year=int(str(doc["year"])),
        document=doc,
        result=result.to_dict(),
        convention=(result.convention or "")[:300],
        error_count=severities.count("error"),
        warning_count=len(severities) - severities.count("error"),
        uploaded_by=user,
    )


def score_sheet_document(header: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, object]:
    """The exchange document of a score sheet typed on the form (jixiao.rules.overall)."""
    def num(value: Decimal | None) -> int | float | None:
        return None if value is None else json_number(value)

    return {
        "kind": SCORE_SHEET_KIND, "year": header["year"], "unit": header["unit"], "title": "部门整体支出绩效评价评分表",
        "items": [{"level1": i["level1"], "level2": i["level2"], "name": i["name"], "weight": num(i["weight"]),
                   "standard": i["standard"], "value": i["value"] or None, "score": num(i["score"]),
                   "note": i["note"] or None} for i in items],
        "total": num(header["total"]), "grade": header["grade"] or None,
    }


def record_score_sheet(user: Any, doc: dict[str, object]) -> TableUpload:
    """A score sheet filled in on the form, checked and recorded like a received file."""
    return _record(user, "在线填写", 0, doc, None)
