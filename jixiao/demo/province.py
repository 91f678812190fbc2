"""The province-scale benchmark data's documents: targets with indicator rows for every project and
in-scope department of the three budget years, the plan year's 1–9月 monitoring round with its
forms (treasury payments, lights from the rules engine) and the self-evaluations of N−1 — in the
same state mixes as the district (:mod:`jixiao.demo.targets`, ``.monitoring``, ``.evaluation``).

Written unit chunk by unit chunk with ``bulk_create`` only (no object is read back twice, memory
stays flat). Like the units and projects of the province, the documents carry no history rows and
no review log: they exist to make the finance bureau's pages and exports measurable.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.demo import evaluation as demo_evaluation
from jixiao.demo import monitoring as demo_monitoring
from jixiao.demo import targets as demo_targets
from jixiao.demo.bulk import insert
from jixiao.evaluation.models import EvaluationYear, SelfEvalIndicator, SelfEvaluation
from jixiao.evaluation.services import check
from jixiao.monitoring.forms import report_due
from jixiao.monitoring.models import (
    ExecutionImport,
    ExecutionRecord,
    FocusRule,
    MonitoringForm,
    MonitoringIndicator,
    MonitoringRound,
)
from jixiao.monitoring.services import _set_execution, _worst
from jixiao.monitoring.summary import rebuild_all as rebuild_summary
from jixiao.organisation.models import BudgetUnit, DepartmentExpenditure, Project
from jixiao.rules import get_rule_set
from jixiao.rules.targets import target_text
from jixiao.targets.models import IndicatorLibraryItem, Kind, MainTask, TargetDeclaration, TargetIndicator

CHUNK_UNITS = 400
BATCH = 5_000
APPROVED = ("approved", "published")


class _Context:
    """What every chunk shares: the library, the plan year's round and rule sets, the perf user."""

    def __init__(self, rng: random.Random, plan_year: int) -> None:
        self.rng = rng
        self.plan_year = plan_year
        self.library: dict[str, list[IndicatorLibraryItem]] = {}
        for item in IndicatorLibraryItem.objects.select_related("sector"):
            self.library.setdefault(item.sector.name if item.sector_id else "", []).append(item)
        self.perf = User.objects.filter(role="perf_section").order_by("pk").first()
        self.round: MonitoringRound | None = None
        self.batch: ExecutionImport | None = None
        if self.perf is not None:
            self.batch = ExecutionImport.objects.create(
                year=plan_year, file_name=f"{plan_year}年1-10月国库支付数据.xlsx", uploaded_by=self.perf,
                status=ExecutionImport.Status.IMPORTED, progress=100)
            self.round = MonitoringRound.objects.create(
                year=plan_year, end_month=demo_monitoring.END_MONTH, due_on=report_due(plan_year), opened_by=self.perf,
                title=f"{plan_year}年1-{demo_monitoring.END_MONTH}月绩效运行监控")
            FocusRule.objects.create(round=self.round)
            self.monitoring_rules = get_rule_set(self.round.rule_set)
        self.eval_settings = EvaluationYear.for_year(plan_year - 1)
        self.counts: dict[str, int] = defaultdict(int)


def load_province_documents(rng: random.Random, plan_year: int, chunk_units: int = CHUNK_UNITS) -> dict[str, int]:
    """Every document of the province, written unit chunk by unit chunk; returns the counts."""
    ctx = _Context(rng, plan_year)
    in_scope = set(BudgetUnit.objects.filter(parent__isnull=True, year_settings__in_assessment_scope=True)
                   .values_list("pk", flat=True).distinct())
    roots = list(BudgetUnit.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(roots), max(1, chunk_units // 10)):
        _chunk(ctx, roots[start:start + max(1, chunk_units // 10)], in_scope)
    if ctx.batch is not None:
        ExecutionImport.objects.filter(pk=ctx.batch.pk).update(row_count=ctx.counts["payments"],
                                                               total_fen=ctx.counts["paid_fen"])
    rebuild_summary()
    if ctx.counts["selfevaluations"]:
        EvaluationYear.objects.filter(pk=ctx.eval_settings.pk).update(tasks_issued_at=timezone.now())
    ctx.counts.pop("paid_fen", None)
    return dict(ctx.counts)


def _chunk(ctx: _Context, root_ids: Sequence[int], in_scope: set[int]) -> None:
    """The documents of some first-level units and their subordinates."""
    rng = ctx.rng
    units = {u.pk: u for u in BudgetUnit.objects.filter(root_id__in=root_ids).select_related("sector")}
    projects = list(Project.objects.filter(unit_id__in=list(units)).select_related("sector").order_by("year", "code"))
    for p in projects:
        p.unit = units[p.unit_id]
    declarations: list[tuple[TargetDeclaration, Project | None]] = []
    for p in projects:
        state = demo_targets._pick(rng, demo_targets.MIX.get(p.year - ctx.plan_year, demo_targets.MIX[1]))
        declarations.append((demo_targets._declaration(rng, Kind.PROJECT, p.year, p.unit, p, state), p))
    for offset in sorted(demo_targets.MIX):
        for root_id in root_ids:
            if root_id in in_scope:
                state = demo_targets._pick(rng, demo_targets.MIX[offset])
                declarations.append((demo_targets._declaration(rng, Kind.DEPARTMENT, ctx.plan_year + offset,
                                                               units[root_id], None, state), None))
    insert(TargetDeclaration, [d for d, _ in declarations], batch_size=BATCH)
    indicators: dict[int, list[TargetIndicator]] = {}
    tasks: list[MainTask] = []
    by_root_year: dict[tuple[int, int], list[Project]] = defaultdict(list)
    for p in projects:
        by_root_year[(p.unit.root_id or p.unit_id, p.year)].append(p)
    for d, project in declarations:
        rows = [TargetIndicator(declaration=d, position=n, **row)
                for n, row in enumerate(demo_targets.indicator_rows(rng, ctx.library, d.sector.name))]
        indicators[d.pk] = rows
        if project is None:
            top = sorted(by_root_year.get((d.unit_id, d.year), []), key=lambda p: -p.adjusted_budget_fen)[:3]
            tasks += [MainTask(declaration=d, position=n, name=p.name, content=f"组织实施{p.name}",
                               fiscal_fen=p.adjusted_budget_fen) for n, p in enumerate(top)]
    insert(TargetIndicator, [r for rows in indicators.values() for r in rows], batch_size=BATCH)
    insert(MainTask, tasks, batch_size=BATCH)
    approved_projects = [p.pk for d, p in declarations if p is not None and d.state in APPROVED]
    if approved_projects:
        Project.objects.filter(pk__in=approved_projects).update(budget_approved_at=timezone.now())
    ctx.counts["targets"] += len(declarations)
    ctx.counts["target_indicators"] += sum(len(r) for r in indicators.values())
    approved = [(d, p) for d, p in declarations if d.state in APPROVED]
    expenditures = {(e.unit_id, e.year): e for e in DepartmentExpenditure.objects.filter(
        unit_id__in=root_ids, year__in=(ctx.plan_year - 1, ctx.plan_year))}
    if ctx.round is not None:
        _monitoring(ctx, [(d, p) for d, p in approved if d.year == ctx.plan_year], indicators, expenditures, units)
    _selfevaluations(ctx, [(d, p) for d, p in approved if d.year == ctx.plan_year - 1], indicators, expenditures)


def _monitoring(ctx: _Context, approved: list[tuple[TargetDeclaration, Project | None]],
                indicators: dict[int, list[TargetIndicator]], expenditures: dict[tuple[int, int], DepartmentExpenditure],
                ctx_units: dict[int, BudgetUnit]) -> None:
    """Payments to the end of October and one 1–9月 form per approved target, filled in the district's mix."""
    rng, rnd, year = ctx.rng, ctx.round, ctx.plan_year
    assert rnd is not None and ctx.batch is not None
    records: list[ExecutionRecord] = []
    executed: dict[int, int] = defaultdict(int)  # project id -> paid to the round's end month
    unit_paid: dict[int, int] = defaultdict(int)  # root unit id -> everything its units paid (department forms)
    basic_paid: dict[int, int] = defaultdict(int)
    for _d, p in approved:
        if p is None:
            continue
        share = rng.choice((0.3, 0.55, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0))
        total = int(p.adjusted_budget_fen * share * rng.uniform(0.9, 1.1)) // 100 * 100
        for month in sorted(rng.sample(range(1, 11), 2)):
            amount = max(total // 2, 100)
            records.append(ExecutionRecord(batch=ctx.batch, year=year, month=month, unit_id=p.unit_id,
                                           sector_id=p.sector_id, project_id=p.pk, amount_fen=amount,
                                           paid_on=date(year, month, 15)))
            if month <= rnd.end_month:
                executed[p.pk] += amount
                unit_paid[p.unit.root_id or p.unit_id] += amount
    for (unit_id, e_year), spending in expenditures.items():
        if e_year != year:
            continue
        for month in (3, 6, 9):
            amount = max(spending.basic_fen // 4, 100)
            records.append(ExecutionRecord(batch=ctx.batch, year=year, month=month, unit_id=unit_id,
                                           sector_id=ctx_units[unit_id].sector_id, amount_fen=amount))
            basic_paid[unit_id] += amount
            unit_paid[unit_id] += amount
    insert(ExecutionRecord, records, batch_size=BATCH)
    ctx.counts["payments"] += len(records)
    ctx.counts["paid_fen"] += sum(r.amount_fen for r in records)

    forms: list[MonitoringForm] = []
    rows: list[list[MonitoringIndicator]] = []
    now = timezone.now()
    for d, p in approved:
        e = expenditures.get((d.unit_id, year)) if p is None else None
        if p is not None:
            initial, budget, basic, paper = p.initial_budget_fen, p.adjusted_budget_fen, 0, p.needs_paper_copy
            done, done_basic = executed.get(p.pk, 0), 0
        else:
            budget = e.total_fen if e else 0
            initial, basic, paper = budget, e.basic_fen if e else 0, True
            done, done_basic = unit_paid.get(d.unit_id, 0), basic_paid.get(d.unit_id, 0)
        form = MonitoringForm(round=rnd, kind=d.kind, unit=d.unit, sector_id=d.sector_id, project=p, target=d,
                              initial_budget_fen=initial, budget_fen=budget, basic_budget_fen=basic, needs_paper=paper,
                              executed_fen=done, executed_basic_fen=done_basic, state="draft")
        form_rows = [MonitoringIndicator(form=form, indicator=i, position=n) for n, i in enumerate(indicators[d.pk])]
        state = demo_monitoring._pick(rng)
        if state != "draft":
            demo_monitoring._fill_rows(rng, form_rows, form, ctx.monitoring_rules)
            form.target_light = _worst(*(r.light for r in form_rows))
            form.state = "draft" if state == "filled" else state
            form.contact_person, form.contact_phone, form.unit_head = "张晓", "0730-8421234", "李建国"
            form.forecast_fen = form.budget_fen * rng.choice((85, 90, 95, 100)) // 100
            form.goal_progress = "截至9月底，主要产出指标按计划推进，部分指标受资金拨付进度影响略有滞后。"
            form.implementation = "已完成政府采购和合同签订，正在组织实施。"
            if state not in ("draft", "filled"):
                form.submitted_at = now - timedelta(days=rng.randint(1, 20))
                if form.needs_paper and state in ("dept_approved", "accepted") and rng.random() < 0.8:
                    form.paper_received_at, form.paper_received_by = form.submitted_at + timedelta(days=2), ctx.perf
            if state == "returned":
                form.review_comment = "偏差原因分析不够具体，请补充纠偏措施。"
        _set_execution(form, rnd, ctx.monitoring_rules)
        if form.execution_light in ("red", "yellow") and form.state != "draft":
            form.execution_reason = "项目资金按合同节点支付，部分款项待验收后拨付。"
            form.measures = "加快项目验收和资金拨付，确保年底前完成支付。"
        forms.append(form)
        rows.append(form_rows)
    insert(MonitoringForm, forms, batch_size=BATCH)
    insert(MonitoringIndicator, [r for form_rows in rows for r in form_rows], batch_size=BATCH)
    ctx.counts["monitoring_forms"] += len(forms)


def _selfevaluations(ctx: _Context, approved: list[tuple[TargetDeclaration, Project | None]],
                     indicators: dict[int, list[TargetIndicator]], expenditures: dict[tuple[int, int], DepartmentExpenditure]) -> None:
    """N−1's self-evaluations in the district's state mix, scored once by the checker."""
    rng, year, rule_set = ctx.rng, ctx.plan_year - 1, ctx.eval_settings.rule_set
    funds_weight = get_rule_set(rule_set).funds_weight
    made: list[SelfEvaluation] = []
    all_rows: list[SelfEvalIndicator] = []
    start = timezone.make_aware(datetime(year + 1, 5, 10, 9))
    for d, p in approved:
        if p is not None:
            initial, budget = p.initial_budget_fen, p.adjusted_budget_fen
        else:
            spent = expenditures.get((d.unit_id, year))
            initial = budget = spent.total_fen if spent else 0
        se = SelfEvaluation(kind=d.kind, year=year, unit=d.unit, sector=d.sector, project=p, target=d,
                            rule_set=rule_set, goal=d.annual_goal, initial_budget_fen=initial, budget_fen=budget,
                            funds_weight=funds_weight, state="draft")
        rows = [SelfEvalIndicator(selfeval=se, position=n, level1=i.level1, level2=i.level2, name=i.name,
                                  target=target_text(i.comparison, i.value, i.unit)[:120], weight=i.weight)
                for n, i in enumerate(indicators[d.pk])]
        state = demo_evaluation._pick(rng, demo_evaluation.MIX)
        if state != "draft" or rng.random() < 0.5:
            se.executed_fen = int(budget * rng.uniform(0.82, 1.0)) // 100 * 100
            for row in rows:
                row.actual = demo_evaluation.actual_text(rng, row.target)
        result = check(se, rows)
        if se.executed_fen is not None:
            for row, c in zip(rows, result.indicators, strict=True):
                row.score = c.result.score if c.result.score is not None else (
                    c.result.band[1] if c.result.band is not None else None)
            se.funds_score = result.funds.score if result.funds else None
            se.claimed_total = sum((r.score or Decimal(0) for r in rows), se.funds_score or Decimal(0))
            se.claimed_grade = result.grade or ""
            se.goal_actual = "年度主要绩效目标基本完成。"
        se.computed_total, se.computed_grade = result.total, result.grade or ""
        se.error_count = sum(1 for f in result.findings if f.severity == "error")
        se.warning_count = sum(1 for f in result.findings if f.severity == "warning")
        se.effective_score = se.claimed_total
        path = demo_evaluation.PATHS[state]
        when = start + timedelta(days=rng.randint(0, 25))
        se.state = state
        se.submitted_at = when if path else None
        se.received_at = when + timedelta(days=8) if "receive" in path else None
        if "publish" in path and not (d.unit.is_classified or (p is not None and p.is_classified)):
            se.published_at = when + timedelta(days=12)
        elif "publish" in path:
            se.state = "received"
        made.append(se)
        all_rows += rows
    insert(SelfEvaluation, made, batch_size=BATCH)
    insert(SelfEvalIndicator, all_rows, batch_size=BATCH)
    ctx.counts["selfevaluations"] += len(made)


