"""Demo monitoring: the district's 1–9月 round of the plan year with treasury payments, tables filled in every
state, paper copies, a focused-monitoring list commissioned to a demo agency with findings, and
corrective actions. Rows are written in bulk; lights come from the services (the rules engine)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.demo.reviewlog import review_logs
from jixiao.monitoring.forms import report_due
from jixiao.monitoring.models import (
    Engagement,
    ExecutionImport,
    ExecutionRecord,
    FocusItem,
    MonitoringForm,
    MonitoringIndicator,
)
from jixiao.monitoring.services import _set_execution, _worst, apply_focus_rule, apply_row_light, open_round
from jixiao.monitoring.summary import refresh_summary
from jixiao.monitoring.workflows import FORM_WORKFLOW
from jixiao.organisation.models import DepartmentExpenditure, Project
from jixiao.rules import get_rule_set
from jixiao.rules.monitoring_review import explanation_required
from jixiao.workflow.models import ReviewLog

END_MONTH = 9
STATES = [("draft", 0.2), ("filled", 0.15), ("submitted", 0.15), ("dept_approved", 0.15), ("returned", 0.05),
          ("accepted", 0.3)]
QUALITATIVE = ["达成目标", "部分达成目标并具有一定效果", "未达成目标且效果较差"]
REASON_TEXT = {"经费保障": "资金拨付滞后", "制度保障": "实施办法尚未出台", "人员保障": "专业人员不足", "硬件条件保障": "场地未落实"}


def _pick(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for state, share in STATES:
        acc += share
        if x < acc:
            return state
    return STATES[-1][0]


def _payments(rng: random.Random, perf: User, year: int) -> None:
    """Treasury payments to the end of October: execution spread from very slow to complete."""
    batch = ExecutionImport.objects.create(year=year, file_name=f"{year}年1-10月国库支付数据.xlsx", uploaded_by=perf,
                                           status=ExecutionImport.Status.IMPORTED, progress=100)
    records = []
    for p in Project.objects.filter(year=year).only("pk", "unit_id", "sector_id", "adjusted_budget_fen"):
        share = rng.choice((0.3, 0.55, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0))
        total = int(p.adjusted_budget_fen * share * rng.uniform(0.9, 1.1)) // 100 * 100
        for month in sorted(rng.sample(range(1, 11), 3)):
            records.append(ExecutionRecord(batch=batch, year=year, month=month, unit_id=p.unit_id, sector_id=p.sector_id,
                                           project_id=p.pk, amount_fen=max(total // 3, 100), paid_on=date(year, month, 15)))
    for e in DepartmentExpenditure.objects.filter(year=year).select_related("unit"):
        for month in range(1, 11):
            records.append(ExecutionRecord(batch=batch, year=year, month=month, unit_id=e.unit_id,
                                           sector_id=e.unit.sector_id, amount_fen=max(e.basic_fen // 12, 100)))
    ExecutionRecord.objects.bulk_create(records, batch_size=5000)
    ExecutionImport.objects.filter(pk=batch.pk).update(row_count=len(records), total_fen=sum(r.amount_fen for r in records))


def _actual(rng: random.Random, row: MonitoringIndicator) -> str:
    ind = row.indicator
    if ind.comparison == "qual":
        return rng.choices(QUALITATIVE, weights=(6, 3, 1))[0]
    if ind.comparison in (">=", ">") and ind.value.replace(".", "", 1).isdigit():
        return str(round(float(ind.value) * rng.uniform(0.5, 1.0), 1 if "." in ind.value else None))
    return ind.value


def _fill_rows(rng: random.Random, rows: list[MonitoringIndicator], form: MonitoringForm, rule_set: Any) -> None:
    for row in rows:
        row.actual = _actual(rng, row)
        apply_row_light(row, form.round, rule_set)
        if explanation_required(row.light or None, None):
            reason = rng.choice(list(REASON_TEXT))
            row.reasons, row.possibility = [reason], rng.choice(("有可能", "有可能", "完全不可能"))
            row.forecast, row.corrective_plan = row.indicator.value, f"针对{REASON_TEXT[reason]}，四季度加快推进"
            if row.possibility == "完全不可能":
                apply_row_light(row, form.round, rule_set)
        else:
            row.forecast, row.possibility = row.indicator.value, "确定能"


def load_monitoring(rng: random.Random, year: int) -> int:
    """The 1–9月 round of budget year ``year`` (the plan year), open and due by the calendar's date."""
    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if perf is None:
        return 0
    _payments(rng, perf, year)
    rnd = open_round(perf, year, END_MONTH, report_due(year), f"{year}年1-9月绩效运行监控")
    rule_set = get_rule_set(rnd.rule_set)
    forms = list(MonitoringForm.objects.filter(round=rnd).select_related("round", "unit"))
    rows: dict[int, list[MonitoringIndicator]] = {}
    for row in MonitoringIndicator.objects.filter(form__round=rnd).select_related("indicator"):
        rows.setdefault(row.form_id, []).append(row)
    now = timezone.now()
    changed_rows: list[MonitoringIndicator] = []
    for form in forms:
        state = _pick(rng)
        if state == "draft":
            continue
        _fill_rows(rng, rows.get(form.pk, []), form, rule_set)
        changed_rows += rows.get(form.pk, [])
        form.target_light = _worst(*(r.light for r in rows.get(form.pk, [])))
        _set_execution(form, rnd, rule_set)
        form.state = "draft" if state == "filled" else state
        form.contact_person, form.contact_phone, form.unit_head = "张晓", "0730-8421234", "李建国"
        form.forecast_fen = form.budget_fen * rng.choice((85, 90, 95, 100)) // 100
        form.goal_progress = "截至9月底，主要产出指标按计划推进，部分指标受资金拨付进度影响略有滞后。"
        form.implementation = "已完成政府采购和合同签订，正在组织实施。"
        if form.execution_light in ("red", "yellow"):
            form.execution_reason = "项目资金按合同节点支付，部分款项待验收后拨付。"
            form.measures = "加快项目验收和资金拨付，确保年底前完成支付。"
        if state not in ("draft", "filled"):
            form.submitted_at = now - timedelta(days=rng.randint(1, 20))
            if form.needs_paper and state in ("dept_approved", "accepted") and rng.random() < 0.8:
                form.paper_received_at, form.paper_received_by = form.submitted_at + timedelta(days=2), perf
        if state == "returned":
            form.review_comment = "偏差原因分析不够具体，请补充纠偏措施。"
    MonitoringForm.objects.bulk_update(forms, [
        "state", "target_light", "execution_rate", "execution_light", "overall_light", "contact_person", "contact_phone",
        "unit_head", "forecast_fen", "goal_progress", "implementation", "execution_reason", "measures", "submitted_at",
        "paper_received_at", "paper_received_by", "review_comment"], batch_size=500)
    MonitoringIndicator.objects.bulk_update(changed_rows, [
        "actual", "forecast", "light", "light_value", "deviation", "reasons", "possibility", "corrective_plan"],
        batch_size=2000)
    refresh_summary(rnd.pk)
    _review_logs(forms, perf)
    _focus(rnd, perf)
    _actions(rng, forms, perf)
    return len(forms)


FORM_PATHS = {
    "submitted": ("submit",),
    "dept_approved": ("submit", "dept_approve"),
    "accepted": ("submit", "dept_approve", "accept"),
    "returned": ("submit", "dept_approve", "return"),
}
FORM_COMMENTS = {"dept_approve": "经审核，同意报送。", "accept": "监控情况属实，同意。",
                 "return": "偏差原因分析不够具体，请补充纠偏措施。"}


def _review_logs(forms: list[MonitoringForm], perf: User) -> None:
    """The review log each demo form's state implies (who submitted, approved, accepted or returned)."""
    users = list(User.objects.filter(role__in=("unit_filler", "unit_approver", "budget_desk"))
                 .select_related("unit").prefetch_related("sectors"))
    fillers = {u.unit_id: u for u in users if u.role == "unit_filler"}
    approvers = {u.unit_id: u for u in users if u.role == "unit_approver"}
    desks = {s.pk: u for u in users if u.role == "budget_desk" for s in u.sectors.all()}
    logs = []
    for form in forms:
        path = FORM_PATHS.get(form.state)
        if not path or form.submitted_at is None:
            continue
        root_id = form.unit.root_id
        actors = {"submit": fillers.get(form.unit_id) or approvers.get(root_id), "dept_approve": approvers.get(root_id),
                  "accept": desks.get(form.sector_id, perf), "return": desks.get(form.sector_id, perf)}
        logs += review_logs(FORM_WORKFLOW, form, path, actors.get, form.submitted_at, FORM_COMMENTS)
    ReviewLog.objects.bulk_create(logs, batch_size=2000)


def _focus(rnd: Any, perf: User) -> None:
    year = rnd.year
    apply_focus_rule(rnd, perf, seed=year)
    from jixiao.evaluation.models import Agency

    firm = Agency.objects.filter(is_active=True, members__role="agency").order_by("pk").first()
    agency = firm.members.filter(role="agency").order_by("pk").first() if firm else None
    if firm is None or agency is None:
        return
    engagement = Engagement.objects.create(round=rnd, agency=firm, title=f"{year}年重点绩效跟踪监控",
                                           due_on=report_due(year), created_by=perf)
    items = list(FocusItem.objects.filter(form__round=rnd).order_by("pk"))
    chosen = items[: max(1, len(items) * 2 // 3)]
    for n, item in enumerate(chosen):
        item.engagement = engagement
        if n % 2 == 0:
            item.findings = "现场核查：项目已按合同推进，资金支付进度滞后于序时进度，部分支付凭证尚未归档。"
            item.finding_light, item.recommendation = "yellow", "督促单位加快支付并完善档案管理。"
            item.recorded_by, item.recorded_at = agency, timezone.now()
    FocusItem.objects.bulk_update(chosen, ["engagement", "findings", "finding_light", "recommendation", "recorded_by",
                                           "recorded_at"])


def _actions(rng: random.Random, forms: list[MonitoringForm], perf: User) -> None:
    """纠偏措施 on the register, in every state of its workflow, some overdue."""
    from jixiao.demo.rectification import add_items

    red = [f for f in forms if f.overall_light == "red" and f.kind == "project"]
    yellow = [f for f in forms if f.overall_light == "yellow" and f.kind == "project"]
    states = ("issued", "answered", "returned", "escalated", "closed", "cancelled")
    plan = [(f, "urge", s) for f, s in zip(rng.sample(yellow, min(6, len(yellow))), states, strict=False)]
    plan += [(f, k, s) for f, k, s in zip(rng.sample(red, min(4, len(red))), ("withhold", "stop", "recover", "retarget"),
                                          ("issued", "closed", "answered", "issued"), strict=False)]
    add_items(perf, [dict(
        source="monitoring", source_title=f"{f.round.title}：{f.subject}", monitoring_form=f, year=f.round.year,
        project=f.project, unit_id=f.unit_id, sector_id=f.sector_id, kind=kind, state=state, owner="王会计",
        problem="1-9月执行进度明显滞后于序时进度。", requirement="请分析原因并限期整改，加快项目实施和资金支付。",
        reduce_fen=f.budget_fen // 5 if kind in ("recover", "retarget") else None) for f, kind, state in plan])
