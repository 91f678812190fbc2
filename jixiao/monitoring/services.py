"""Service functions of the monitoring stage: every state change goes through one of these.

Lights come from ``jixiao.rules`` (``execution_light``, ``indicator_light``, ``target_light``);
the deviation-analysis requirement from ``rules.monitoring_review``. Nothing is half-written:
each function runs in one transaction and refuses bad input with a Chinese message naming the row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jixiao.core.types import with_reason
from jixiao.monitoring.models import (
    Engagement,
    ExecutionRecord,
    FocusItem,
    FocusRule,
    Kind,
    MonitoringForm,
    MonitoringIndicator,
    MonitoringRound,
)
from jixiao.monitoring.summary import refresh_summary
from jixiao.organisation.models import DepartmentExpenditure
from jixiao.rules import get_rule_set
from jixiao.rules.monitoring import Light, deviation_degree, execution_light, indicator_light, target_light
from jixiao.rules.monitoring_review import FocusCandidate, execution_rate, missing_explanation, select_focus
from jixiao.rules.monitoring_review import FocusRule as FocusRuleData
from jixiao.rules.targets import PLAIN_NUMBER, target_text
from jixiao.workflow.engine import WorkflowError, save_document

OPEN_STATES = ("draft", "returned")
SUBMITTED_STATES = ("submitted", "dept_approved", "accepted")


class MonitoringError(WorkflowError):
    """A refused monitoring operation; ``messages`` lists every problem (Chinese, naming the row)."""

    def __init__(self, message: str | list[str]) -> None:
        self.messages = [message] if isinstance(message, str) else list(message)
        super().__init__("；".join(self.messages))


def _require(user: Any, label: str, action: str, what: str) -> None:
    if not user.can(label, action):
        raise MonitoringError(f"您的角色无权{what}。")


# --- rounds -------------------------------------------------------------------------------------


def open_round(user: Any, year: int, end_month: int, due_on: date, title: str = "") -> MonitoringRound:
    """Open a round over every project and department-overall expenditure with an approved current
    target of ``year``: one monitoring form each, its indicator rows read from that target."""
    from jixiao.targets.models import TargetDeclaration

    _require(user, "monitoring.monitoringround", "add", "发起监控")
    if not 1 <= end_month <= 12:
        raise MonitoringError("截至月份应为1至12月。")
    if MonitoringRound.objects.filter(year=year, end_month=end_month).exists():
        raise MonitoringError(f"{year}年1-{end_month}月的监控轮次已经发起。")
    targets = list(TargetDeclaration.objects.current().approved().filter(year=year)
                   .select_related("project", "unit").prefetch_related("indicators"))
    if not targets:
        raise MonitoringError(f"{year}年度没有已批复的绩效目标，无法发起监控。")
    expenditures = {e.unit_id: e for e in DepartmentExpenditure.objects.filter(year=year)}
    with transaction.atomic():
        rnd = MonitoringRound.objects.create(
            year=year, end_month=end_month, due_on=due_on, opened_by=user,
            title=title.strip() or f"{year}年1-{end_month}月绩效运行监控",
        )
        FocusRule.objects.create(round=rnd)
        forms = [_new_form(rnd, t, expenditures.get(t.unit_id)) for t in targets]
        bulk_create_with_history(forms, MonitoringForm, batch_size=1000, default_user=user,
                                 default_change_reason="发起监控")
        rows = [MonitoringIndicator(form=f, indicator=i, position=n)
                for f, t in zip(forms, targets, strict=True) for n, i in enumerate(t.indicators.all())]
        MonitoringIndicator.objects.bulk_create(rows, batch_size=2000)
        refresh_execution(rnd)
    return rnd


def _new_form(rnd: MonitoringRound, target: Any, expenditure: DepartmentExpenditure | None) -> MonitoringForm:
    if target.kind == Kind.PROJECT:
        project = target.project
        initial, budget, basic = project.initial_budget_fen, project.adjusted_budget_fen, 0
        needs_paper = project.needs_paper_copy
    else:
        budget = expenditure.total_fen if expenditure else 0
        initial, basic, needs_paper = budget, expenditure.basic_fen if expenditure else 0, True
    return MonitoringForm(
        round=rnd, kind=target.kind, unit=target.unit, sector_id=target.sector_id, project=target.project,
        target=target, initial_budget_fen=initial, budget_fen=budget, basic_budget_fen=basic,
        needs_paper=needs_paper, state="draft",
    )


def refresh_execution(rnd: MonitoringRound) -> int:
    """Recompute every form's execution, rate and lights from the treasury data (three queries),
    and the round's summary lines (call it in a transaction)."""
    records = ExecutionRecord.objects.filter(year=rnd.year, month__lte=rnd.end_month)
    by_project = dict(records.filter(project__isnull=False).values_list("project_id").annotate(s=Sum("amount_fen")))
    by_unit = dict(records.values_list("unit_id").annotate(s=Sum("amount_fen")))
    basic_by_unit = dict(records.filter(project__isnull=True).values_list("unit_id").annotate(s=Sum("amount_fen")))
    rule_set = get_rule_set(rnd.rule_set)
    forms = list(MonitoringForm.objects.filter(round=rnd).only(
        "pk", "kind", "project_id", "unit_id", "budget_fen", "target_light"))
    for f in forms:
        if f.kind == Kind.PROJECT:
            f.executed_fen, f.executed_basic_fen = by_project.get(f.project_id, 0), 0
        else:
            f.executed_fen, f.executed_basic_fen = by_unit.get(f.unit_id, 0), basic_by_unit.get(f.unit_id, 0)
        _set_execution(f, rnd, rule_set)
    MonitoringForm.objects.bulk_update(
        forms, ["executed_fen", "executed_basic_fen", "execution_rate", "execution_light", "overall_light"],
        batch_size=1000)
    refresh_summary(rnd.pk)
    return len(forms)


def _set_execution(form: MonitoringForm, rnd: MonitoringRound, rule_set: Any) -> None:
    light = execution_light(Decimal(form.budget_fen), Decimal(form.executed_fen), rnd.end_month, rule_set)
    form.execution_rate = execution_rate(form.budget_fen, form.executed_fen)
    form.execution_light = light.code
    form.overall_light = _worst(light.code, form.target_light)


def _worst(*codes: str) -> str:
    worst = target_light(Light("", code) for code in codes if code)  # type: ignore[arg-type]
    return worst.code if worst else ""


# --- the monitoring table -----------------------------------------------------------------------


@dataclass
class RowInput:
    actual: str = ""
    forecast: str = ""
    reasons: tuple[str, ...] = ()
    other_reason: str = ""
    possibility: str = ""
    corrective_plan: str = ""
    note: str = ""


def actual_text(actual: str, unit: str) -> str:
    """A value to date as the parser reads it: a bare number takes the indicator's unit."""
    actual = actual.strip()
    return f"{actual}{unit}" if unit and PLAIN_NUMBER.match(actual) else actual


def row_light(row: MonitoringIndicator, rnd: MonitoringRound, rule_set: Any) -> Light | None:
    """The row's light from the rules engine (None until a value to date is entered)."""
    if not row.actual.strip():
        return None
    ind = row.indicator
    return indicator_light(
        target_text(ind.comparison, ind.value, ind.unit), actual_text(row.actual, ind.unit), rnd.end_month,
        rule_set, possibility=row.possibility or None, year=rnd.year,
    )


def apply_row_light(row: MonitoringIndicator, rnd: MonitoringRound, rule_set: Any) -> None:
    light = row_light(row, rnd, rule_set)
    row.light = light.code if light else ""
    row.light_value = light.value if light else None
    row.deviation = deviation_degree(light.value, Decimal(100)) if light and light.value is not None else None


def row_problems(row: MonitoringIndicator) -> list[str]:
    missing = missing_explanation(row.light or None, row.possibility or None, row.reasons, row.other_reason,
                                  row.forecast, row.corrective_plan)
    if not missing:
        return []
    why = f"为{row.get_light_display()}灯" if row.light in ("red", "yellow") else f"完成可能性为“{row.possibility}”"
    return [f"{row.row_label}{why}，请填写{'、'.join(missing)}"]


def funds_problems(form: MonitoringForm) -> list[str]:
    if form.execution_light not in ("red", "yellow"):
        return []
    missing = [label for label, empty in (("执行偏差原因", not form.execution_reason.strip()),
                                          ("全年预计执行数", form.forecast_fen is None)) if empty]
    return [f"预算执行为{form.get_execution_light_display()}灯，请填写{'、'.join(missing)}"] if missing else []


def form_problems(form: MonitoringForm) -> list[str]:
    """Everything still missing before the form may be submitted."""
    rows = list(form.rows.select_related("indicator"))
    problems = [f"{r.row_label}未填写截至本期实际完成值" for r in rows if not r.actual.strip()]
    for r in rows:
        problems += row_problems(r)
    problems += funds_problems(form)
    if not form.contact_person.strip():
        problems.append("请填写填报人")
    return problems


def save_form(form: MonitoringForm, user: Any, expected_version: int, rows: dict[int, RowInput]) -> MonitoringForm:
    """Save the unit's entries; lights are recomputed by the rules engine. A row that needs a
    deviation analysis (red, yellow, or not "确定能") and lacks it refuses the whole save; the
    funds explanation and the empty rows are checked at submission (``form_problems``)."""
    rnd = form.round
    rule_set = get_rule_set(rnd.rule_set)
    current = {r.pk: r for r in form.rows.select_related("indicator")}
    unknown = set(rows) - set(current)
    if unknown:
        raise MonitoringError("提交的指标行不属于该监控表，请刷新页面后重新填写。")
    changed: list[MonitoringIndicator] = []
    problems: list[str] = []
    for pk, data in rows.items():
        row = current[pk]
        row.actual, row.forecast = data.actual.strip()[:100], data.forecast.strip()[:100]
        row.reasons, row.other_reason = list(data.reasons), data.other_reason.strip()[:300]
        row.possibility, row.corrective_plan, row.note = data.possibility, data.corrective_plan.strip()[:300], data.note[:200]
        apply_row_light(row, rnd, rule_set)
        problems += row_problems(row)
        changed.append(row)
    all_rows = list(current.values())
    form.target_light = _worst(*(r.light for r in all_rows))
    _set_execution(form, rnd, rule_set)
    if problems:
        raise MonitoringError(problems)

    def write_rows(saved: Any) -> None:
        for row in changed:
            with_reason(row, "填报监控表")
            row.save()

    with_reason(form, "填报监控表")
    return save_document(form, user, expected_version, after_save=write_rows)  # type: ignore[return-value]


def receive_paper(form: MonitoringForm, user: Any) -> MonitoringForm:
    """财政记录纸质档已接收 (department-overall tables and projects of 30万 and above)."""
    _require(user, "monitoring.monitoringform", "review", "登记纸质档")
    with transaction.atomic():
        current = MonitoringForm.objects.select_for_update().get(pk=form.pk)
        if not current.needs_paper:
            raise MonitoringError("该监控表无需报送纸质档。")
        if current.state not in SUBMITTED_STATES:
            raise MonitoringError("监控表报送后才能登记纸质档。")
        if current.paper_received_at:
            raise MonitoringError(f"纸质档已于{timezone.localtime(current.paper_received_at):%Y-%m-%d}登记接收。")
        current.paper_received_at, current.paper_received_by = timezone.now(), user
        current.lock_version += 1
        with_reason(current, "登记纸质档接收")
        current.save()
        current.document_changed()
    return current


# --- focused monitoring -------------------------------------------------------------------------


def apply_focus_rule(rnd: MonitoringRound, user: Any, seed: int | None = None) -> list[FocusItem]:
    """Select the focused-monitoring list by the round's rule; the seed is recorded so the random
    sample can be replayed. Items already assigned to a third party are kept."""
    _require(user, "monitoring.focusrule", "change", "选取重点监控项目")
    with transaction.atomic():
        rule = FocusRule.objects.select_for_update().get(round=rnd)
        rule.seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
        rows = MonitoringForm.objects.filter(round=rnd).values_list(
            "pk", "budget_fen", "overall_light", "sector__name", "sector__is_key", "kind")
        candidates = [FocusCandidate(pk, budget, light or None, sector, is_key, kind == Kind.DEPARTMENT)
                      for pk, budget, light, sector, is_key, kind in rows]
        data = FocusRuleData(rule.red_min_budget_fen, rule.key_sector_top_n, rule.sample_percent, rule.department_count)
        chosen = dict(select_focus(candidates, data, rule.seed))
        FocusItem.objects.filter(form__round=rnd, engagement__isnull=True).exclude(reason="manual").delete()
        kept = set(FocusItem.objects.filter(form__round=rnd).values_list("form_id", flat=True))
        items = [FocusItem(form_id=pk, reason=reason) for pk, reason in chosen.items() if pk not in kept]
        bulk_create_with_history(items, FocusItem, default_user=user, default_change_reason="按规则选取")
        rule.applied_at = timezone.now()
        rule.lock_version += 1
        with_reason(rule, f"按规则选取（随机种子{rule.seed}）")
        rule.save()
    return items


def add_focus_item(form: MonitoringForm, user: Any) -> FocusItem:
    _require(user, "monitoring.focusitem", "add", "选取重点监控项目")
    if FocusItem.objects.filter(form=form).exists():
        raise MonitoringError(f"「{form.subject}」已在重点监控清单中。")
    return FocusItem.objects.create(form=form, reason="manual")


def assign_items(item_ids: list[int], engagement: Engagement, user: Any) -> int:
    """Commission the chosen items to a third party; items of another round are refused."""
    _require(user, "monitoring.focusitem", "add", "委托第三方")
    with transaction.atomic():
        items = list(FocusItem.objects.select_for_update(of=("self",)).filter(pk__in=item_ids).select_related("form"))
        wrong = [i.form.subject for i in items if i.form.round_id != engagement.round_id]
        if wrong:
            raise MonitoringError(f"「{wrong[0]}」不属于该委托的监控轮次。")
        for item in items:
            item.engagement = engagement
            item.lock_version += 1
            with_reason(item, f"委托{engagement.agency.name}")
            item.save()
    return len(items)


def record_findings(item: FocusItem, user: Any, expected_version: int, findings: str, light: str,
                    recommendation: str) -> FocusItem:
    """The third party's on-site findings for one assigned item."""
    from jixiao.core.locking import save_with_lock

    if not FocusItem.objects.for_user(user, "record").filter(pk=item.pk).exists():
        raise MonitoringError("该事项未委托给您所在的机构。")
    if not findings.strip():
        raise MonitoringError("请填写核查发现。")
    item.findings, item.finding_light, item.recommendation = findings.strip(), light, recommendation.strip()
    item.recorded_by, item.recorded_at = user, timezone.now()
    with_reason(item, "记录核查发现")
    return save_with_lock(item, expected_version)


# --- home page ----------------------------------------------------------------------------------


def due_forms(user: Any, on: date) -> list[Any]:
    """The unit's monitoring forms still to fill or revise (for the home page's due table)."""
    from jixiao.deadlines.registry import DueDocument

    if not user.can("monitoring.monitoringform", "change"):
        return []
    forms = (MonitoringForm.objects.for_user(user, "change").filter(state__in=OPEN_STATES)
             .select_related("round", "project", "unit").order_by("round__due_on", "pk")[:30])
    return [DueDocument(str(f), f.round.due_on, f.state_label, f.get_absolute_url()) for f in forms]


def review_queue(user: Any) -> list[tuple[str, int, str]]:
    """待我审核: forms at the user's review step (corrective actions: the rectification register's queue)."""
    from django.urls import reverse

    queue = []
    state = {"unit_approver": "submitted", "perf_section": "dept_approved", "budget_desk": "dept_approved"}.get(user.role)
    if state and user.can("monitoring.monitoringform", "view"):
        n = MonitoringForm.objects.for_user(user).filter(state=state).count()
        if n:
            queue.append(("待审核的绩效监控情况表", n, f"{reverse('monitoring:form_list')}?state={state}&year="))
    return queue
