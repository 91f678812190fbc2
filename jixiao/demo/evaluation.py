"""Demo evaluation data: self-evaluations of N−1 (plan year N) of every project and department in every workflow
state, a re-check sample with completed re-checks, and four key evaluations at different stages."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.demo.reviewlog import review_logs
from jixiao.evaluation.models import (
    Agency,
    AgencyService,
    EvaluationYear,
    Expert,
    ExpertService,
    IndicatorScore,
    KeyEvaluation,
    Recheck,
    SelfEvalIndicator,
    SelfEvaluation,
)
from jixiao.evaluation.services import (
    check,
    complete_recheck,
    department_total,
    draw_sample,
    engage,
    issue_tasks,
)
from jixiao.evaluation.workflows import SELFEVAL_WORKFLOW
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rules.numbers import fmt_plain
from jixiao.rules.parsing import parse_value
from jixiao.rules.values import Deadline, Quantitative
from jixiao.workflow.engine import perform_transition
from jixiao.workflow.models import ReviewLog

PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "submitted": ("submit",),
    "returned": ("submit", "dept_return"),
    "dept_approved": ("submit", "dept_approve"),
    "received": ("submit", "dept_approve", "receive"),
    "published": ("submit", "dept_approve", "receive", "publish"),
}
MIX = [("published", 0.35), ("received", 0.3), ("dept_approved", 0.1), ("submitted", 0.08), ("returned", 0.05),
       ("draft", 0.12)]
AGENCIES = (
    ("湖南湘诚会计师事务所", "jg_xc", "会计师事务所执业证书；财政部门绩效评价第三方机构名录", "曾凡", "13873010041"),
    ("岳阳正源工程咨询有限公司", "jg_zy", "工程咨询单位甲级资信；绩效评价服务经验5年以上", "蒋鹏", "13873010042"),
)
EXPERTS = (("谭克勤", "zj1", "湖南理工学院", "教授", "公共管理", "13873010051"),
           ("汤慧", "zj2", "岳阳市财政科学研究所", "高级会计师", "财政预算", "13873010052"))


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for state, share in mix:
        acc += share
        if x < acc:
            return state
    return mix[-1][0]


def actual_text(rng: random.Random, target: str) -> str:
    """A plausible 实际完成值 for a target text: mostly met, sometimes short."""
    parsed = parse_value(target)
    if isinstance(parsed, Quantitative):
        factor = Decimal(str(round(rng.uniform(0.85, 1.12), 2)))
        if parsed.op in ("<=", "<"):
            factor = Decimal(str(round(rng.uniform(0.8, 1.05), 2)))
        value = (parsed.value * factor).quantize(Decimal("1") if parsed.value >= 10 else Decimal("0.01"))
        if parsed.unit == "%":
            value = min(value, Decimal(100))
        return f"{fmt_plain(value)}{parsed.unit}"
    if isinstance(parsed, Deadline):
        return f"{min(12, parsed.month + (1 if rng.random() < 0.15 else 0))}月"
    return rng.choice(("达成年度指标", "达成年度指标", "部分达成年度指标并具有一定效果"))


def _fill(rng: random.Random, se: SelfEvaluation, rows: list[SelfEvalIndicator], careless: bool) -> None:
    """The unit's entries; claimed scores follow the rules except where the unit was careless."""
    budget = se.budget_fen or 0
    se.executed_fen = int(budget * rng.uniform(0.82, 1.0)) // 100 * 100
    for row in rows:
        row.actual = actual_text(rng, row.target)
    result = check(se, rows)
    for row, c in zip(rows, result.indicators, strict=True):
        if c.result.score is not None:
            row.score = c.result.score
        elif c.result.band is not None:
            low, high = c.result.band
            row.score = high if c.result.band_kind == "met" else (low + high) / 2
            row.score = row.score.quantize(Decimal("0.01"))
        short = row.score is not None and row.weight is not None and row.score < row.weight * Decimal("0.9")
        if c.result.overachieved or short:
            row.note = "受项目实施条件影响，已在下年度计划中调整。"
    se.funds_score = result.funds.score if result.funds else None
    if careless and rows:
        rows[0].score = rows[0].weight
    if result.funds and result.funds.low_execution:
        se.execution_note = "部分资金因项目验收延后未能支付。"
    claimed = check(se, rows)
    total = sum((r.score or Decimal(0) for r in rows), se.funds_score or Decimal(0))
    se.claimed_total = total
    se.claimed_grade = claimed.grade or ""
    se.goal_actual = "年度主要绩效目标基本完成。"
    se.report_overview = f"{se.unit.name}{se.year}年度{se.subject}资金已按计划拨付使用。"
    se.report_work = "成立自评工作小组，对照批复的绩效目标逐项核实，收集佐证材料。"
    se.report_results = "产出数量和质量指标基本完成，社会效益逐步显现，服务对象满意度较高。"
    se.report_problems = "个别指标完成值低于年初目标，资金支付进度偏慢。"
    se.report_measures = "加强项目实施管理，科学设定下年度绩效目标，评价结果作为下年度预算安排的参考。"


def _cache(se: SelfEvaluation, rows: list[SelfEvalIndicator]) -> None:
    result = check(se, rows)
    se.computed_total, se.computed_grade = result.total, result.grade or ""
    se.error_count = sum(1 for f in result.findings if f.severity == "error")
    se.warning_count = sum(1 for f in result.findings if f.severity == "warning")
    se.effective_score = se.claimed_total


def _log(se: SelfEvaluation, path: Sequence[str], actors: dict[str, User | None], when: Any) -> list[ReviewLog]:
    return review_logs(SELFEVAL_WORKFLOW, se, path, actors.get, when, {"dept_return": "佐证材料不全，请补充。"},
                       days_between=4)

def load_selfevaluations(rng: random.Random, perf: User, year: int) -> int:
    issue_tasks(year, perf)
    users = list(User.objects.filter(role__in=("unit_filler", "unit_approver")))
    fillers = {u.unit_id: u for u in users if u.role == "unit_filler"}
    approvers = {u.unit_id: u for u in users if u.role == "unit_approver"}
    selfevals = list(SelfEvaluation.objects.filter(year=year).select_related("unit", "project")
                     .prefetch_related("indicators").order_by("pk"))
    all_rows: list[SelfEvalIndicator] = []
    logs: list[ReviewLog] = []
    start = timezone.make_aware(datetime(year + 1, 5, 10, 9))
    for se in selfevals:
        state = _pick(rng, MIX)
        rows = list(se.indicators.all())
        if state != "draft" or rng.random() < 0.5:
            _fill(rng, se, rows, careless=state in ("draft", "returned"))
        _cache(se, rows)
        path = PATHS[state]
        when = start + timedelta(days=rng.randint(0, 25))
        se.state = state
        se.submitted_at = when if path else None
        se.received_at = when + timedelta(days=8) if "receive" in path else None
        if "publish" in path and not (se.unit.is_classified or (se.project_id and se.project.is_classified)):
            se.published_at = when + timedelta(days=12)
        elif "publish" in path:
            se.state, path = "received", PATHS["received"]
        all_rows += rows
        root = se.unit.root_id or se.unit_id
        actors = {"submit": fillers.get(se.unit_id) or approvers.get(root), "dept_approve": approvers.get(root),
                  "dept_return": approvers.get(root), "receive": perf, "publish": approvers.get(root) or perf}
        logs += _log(se, path, actors, when)
    SelfEvaluation.objects.bulk_update(selfevals, [
        "state", "executed_fen", "funds_score", "execution_note", "claimed_total", "claimed_grade", "goal_actual",
        "report_overview", "report_work", "report_results", "report_problems", "report_measures", "computed_total",
        "computed_grade", "error_count", "warning_count", "effective_score", "submitted_at", "received_at",
        "published_at"], batch_size=500)
    SelfEvalIndicator.objects.bulk_update(all_rows, ["actual", "score", "note"], batch_size=2000)
    ReviewLog.objects.bulk_create(logs, batch_size=2000)
    return len(selfevals)


def registry() -> tuple[list[Agency], list[Expert]]:
    users = {u.username: u for u in User.objects.filter(role__in=("agency", "expert"))}
    agencies = []
    for name, username, qualifications, contact, phone in AGENCIES:
        agency, _ = Agency.objects.get_or_create(name=name, defaults={
            "qualifications": qualifications, "contact_person": contact, "phone": phone, "address": "岳阳市岳阳楼区"})
        if username in users:
            agency.members.add(users[username])
        agencies.append(agency)
    experts = []
    for name, username, organisation, title, specialty, phone in EXPERTS:
        expert, _ = Expert.objects.get_or_create(name=name, organisation=organisation, defaults={
            "title": title, "specialty": specialty, "phone": phone})
        if username in users and expert.user_id is None:
            expert.user = users[username]
            expert.save()
        experts.append(expert)
    return agencies, experts


def load_rechecks(rng: random.Random, perf: User, agency: Agency, year: int) -> int:
    settings = EvaluationYear.for_year(year)
    settings.sample_rule = {"always_from_wan": 200, "random_share": 0.08, "random_minimum": 5}
    settings.save()
    rnd = draw_sample(year, agency, perf, seed=int(f"{year + 1}0716"))
    rechecks = list(rnd.rechecks.select_related("selfeval").prefetch_related("rows__indicator"))
    for n, recheck in enumerate(rechecks):
        if n % 3 == 2:
            continue  # still being re-checked
        for row in recheck.rows.all():
            if row.actual and rng.random() < 0.3:
                row.actual = actual_text(rng, row.indicator.target)
                row.note = "按核实的佐证材料调整。"
                row.save()
        recheck.documentation_complete = rng.random() < 0.7
        recheck.findings = "抽查佐证材料，实际完成值与原始凭证基本一致。"
        recheck.save()
        complete_recheck(recheck, perf)
    _recheck_findings(perf, [r for r in rechecks if r.completed_at and not r.documentation_complete][:4])
    return len(rechecks)


def _recheck_findings(perf: User, rechecks: Sequence[Recheck]) -> None:
    """Re-check findings put on the rectification register."""
    from jixiao.demo.rectification import add_items

    add_items(perf, [dict(source="recheck", source_title=f"{r.selfeval.year}年度自评质量复核：{r.selfeval.subject}", recheck=r,
                          year=r.selfeval.year, project=r.selfeval.project, unit_id=r.selfeval.unit_id,
                          sector_id=r.selfeval.sector_id, kind="rectify", state=state,
                          problem="自评佐证材料不完整，部分实际完成值缺少原始凭证。",
                          requirement="补齐佐证材料并按核实的完成值修正自评表。")
                     for r, state in zip(rechecks, ("issued", "returned", "answered", "closed"), strict=False)])


def _topic(year: int, unit: BudgetUnit, title: str, project: Project | None, subject: str = "project",
           **extra: Any) -> KeyEvaluation:
    return KeyEvaluation.objects.create(
        year=year + 1, evaluated_year=year, title=title, unit=unit, sector=unit.sector, project=project, subject=subject,
        amount_fen=project.adjusted_budget_fen if project else department_total(unit.pk, year),
        reason="区委、区政府高度重视，社会关注度高，资金规模较大。", **extra)


def load_key_evaluations(perf: User, agencies: list[Agency], experts: list[Expert], year: int) -> int:
    with_approver = set(User.objects.filter(role="unit_approver").values_list("unit_id", flat=True))
    projects = list(Project.objects.filter(year=year, unit__root_id__in=with_approver).select_related("unit__root", "sector")
                    .prefetch_related("policy_categories").order_by("-adjusted_budget_fen"))
    by_sector: dict[str, Project] = {}
    for p in projects:
        by_sector.setdefault(p.sector.name, p)
    policy = next((p for p in projects if p.policy_categories.all()), projects[0])
    made = []
    for sector, state in (("农林水", "shortlisted"), ("交通运输", "fieldwork"), ("", "reported")):
        project = policy if not sector else by_sector.get(sector, projects[0])
        ke = _topic(year, project.unit, project.name, project,
                    policy_category=project.policy_categories.first() if not sector else None,
                    subject="policy" if not sector else "project")
        made.append((ke, state))
    first = BudgetUnit.objects.filter(parent__isnull=True, pk__in=with_approver, sector__name="教育").first()
    if first is not None:
        made.append((_topic(year, first, f"{first.name}部门整体支出", None, subject="department"), "engaged"))
    if agencies:
        AgencyService.objects.get_or_create(agency=agencies[1], unit=made[1][0].unit.root or made[1][0].unit, year=year - 1,
                                            defaults={"description": "工程造价咨询"})
    if experts:  # an expert's earlier service, outside the 回避年限 (shown on the expert's page)
        ExpertService.objects.get_or_create(expert=experts[0], unit=made[1][0].unit.root or made[1][0].unit,
                                            year=year - 6, defaults={"description": "项目预算评审专家咨询"})
    for n, (ke, state) in enumerate(made):
        if state == "candidate":
            continue
        perform_transition(ke, "shortlist", perf)
        if state == "shortlisted":
            continue
        # The 区人大's approval of the plan year's topics (by 4/30), recorded by the performance section.
        approved_on = min(date(year + 1, 4, 20 + n), timezone.localdate())
        KeyEvaluation.objects.filter(pk=ke.pk).update(npc_approved_on=approved_on)
        perform_transition(ke, "npc_approve", perf, comment=f"云人大常〔{year + 1}〕{n + 2}号")
        engage(ke, agencies[0], experts, perf)
        if state == "engaged":
            continue
        ke.refresh_from_db()
        ke.scope_text, ke.method, ke.schedule = f"{year}年度项目资金", "比较法、公众评判法", "7-9月实地调研，10月形成初稿"
        ke.save()
        perform_transition(ke, "submit_plan", agencies[0].members.first() or perf)
        perform_transition(ke, "approve_plan", perf)
        _scores(ke, agencies[0], experts, complete=state != "fieldwork")
        if state == "fieldwork":
            continue
        _report(ke, perf, agencies[0])
    return len(made)


def _scores(ke: KeyEvaluation, agency: Agency, experts: list[Expert], complete: bool) -> None:
    raters = [u for u in [agency.members.first(), *(e.user for e in experts)] if u is not None]
    rows = []
    for n, ind in enumerate(ke.indicators.all()):
        for k, rater in enumerate(raters if complete else raters[:1]):
            if not complete and n > 8:
                break
            rows.append(IndicatorScore(indicator=ind, scorer=rater, score=max(Decimal(0), ind.weight - Decimal(k % 2 + n % 3) / 2),
                                       note="" if n % 3 == 0 else "部分资料不完整"))
    IndicatorScore.objects.bulk_create(rows)


def _report(ke: KeyEvaluation, perf: User, agency: Agency) -> None:
    staff = agency.members.first() or perf
    KeyEvaluation.objects.filter(pk=ke.pk).update(draft_report="项目总体实施情况较好，资金使用基本规范，部分产出指标未完成。")
    perform_transition(ke, "submit_draft", staff)
    approver = User.objects.filter(role="unit_approver", unit=ke.unit.root or ke.unit).first()
    KeyEvaluation.objects.filter(pk=ke.pk).update(unit_feedback="对评价结论无异议，将按建议整改。")
    if approver is None:
        return
    perform_transition(ke, "give_feedback", approver)
    KeyEvaluation.objects.filter(pk=ke.pk).update(
        final_conclusion="项目立项依据充分，资金管理总体规范，产出和效益基本达到预期。",
        final_problems="绩效目标设置不够细化；资金支付进度偏慢。",
        final_recommendations="细化量化绩效指标；加快项目实施和资金支付进度。")
    perform_transition(ke, "finalise", staff)
    perform_transition(ke, "report", perf)
    from jixiao.demo.rectification import add_items

    add_items(perf, [dict(source="key_evaluation", source_title=ke.title, key_evaluation=ke, year=ke.evaluated_year,
                          project=ke.project, unit_id=ke.unit_id, sector_id=ke.sector_id, kind="rectify", state=state,
                          problem=problem, requirement=requirement)
                     for state, problem, requirement in (
                         ("issued", "绩效目标设置不够细化", "按行业标准细化量化绩效指标"),
                         ("answered", "资金支付进度偏慢", "制定支付计划并按月报送进度"),
                         ("closed", "项目档案管理不规范", "建立项目档案并归集验收资料"),
                         ("escalated", "以前年度整改事项未落实", "限期落实并书面说明原因"))])


def load_evaluation(rng: random.Random, plan_year: int) -> int:
    """Self-evaluations, a re-check sample and key evaluations of N−1 spending (plan year N)."""
    year = plan_year - 1
    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if perf is None:
        return 0
    count = load_selfevaluations(rng, perf, year)
    agencies, experts = registry()
    load_rechecks(rng, perf, agencies[0], year)
    load_key_evaluations(perf, agencies, experts, year)
    return count
