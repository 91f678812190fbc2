"""The monitoring report to the district government (domain.md §2.6), generated in the background.

The figures are those of the dashboard (``aggregation.dashboard`` over all forms of the round);
charts are PNGs from ``charts``; the document is the ``monitoring_report`` Word template
(``reporttypes.py``, editable by the performance section under 报告模板); the red items, the corrective measures and the third parties'
focused-monitoring findings are merged in. Progress is written to the ``ReportJob`` the page polls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jixiao.core import jobs
from jixiao.core.charts import execution_png, lights_png
from jixiao.core.types import with_reason
from jixiao.monitoring.aggregation import Dashboard, dashboard, light_counts, summary_source, unit_bars
from jixiao.monitoring.models import FocusItem, MonitoringForm, MonitoringRound, ReportJob
from jixiao.reports.registry import Chart
from jixiao.reports.rendering import render
from jixiao.rules.money import format_wan

Progress = Callable[[int, str], None]


def _rate(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}%"


def summary_lines(dash: Dashboard) -> list[str]:
    c, p, d = dash.completeness, dash.projects, dash.departments
    return [
        f"本次监控期间为{dash.round.period_label}，序时进度{dash.time_progress:.2f}%。"
        f"纳入监控{c.total}张监控表，其中财政项目资金{p.forms}个、部门整体支出{d.forms}个。",
        f"已报送{c.submitted}张，未报送{c.missing}张，财政已审核{c.accepted}张；"
        f"需报送纸质档{c.paper_needed}张，已接收{c.paper_received}张。",
        f"项目资金调整后预算{format_wan(p.budget_fen)}万元，1-{dash.round.end_month}月执行{format_wan(p.executed_fen)}万元，"
        f"执行率{_rate(p.rate)}；部门整体支出预算{format_wan(d.budget_fen)}万元，执行{format_wan(d.executed_fen)}万元，"
        f"执行率{_rate(d.rate)}。",
        "项目预警：" + "，".join(f"{label}灯{n}个" for _code, label, n, _b in dash.lights) + "。",
    ]


def build_report(rnd: MonitoringRound, progress: Progress | None = None) -> tuple[bytes, dict[str, Any]]:
    """The report as .docx bytes (the ``monitoring_report`` template) and the totals it states."""
    context, dash = report_context(rnd, progress)
    step = progress or (lambda percent, message: None)
    step(95, "保存报告")
    return render("monitoring_report", context), dash.totals()


def report_context(rnd: MonitoringRound, progress: Progress | None = None) -> tuple[dict[str, Any], Dashboard]:
    """The report's fields (see ``reporttypes.FIELDS``) from the dashboard and the round's records."""
    step = progress or (lambda percent, message: None)
    step(10, "汇总监控数据")
    dash = dashboard(rnd, MonitoringForm.objects.all(), lowest=15, summary=summary_source(None))
    step(30, "绘制图表")
    execution = Chart(execution_png(unit_bars(dash, 40), dash.time_progress, "各主管部门项目资金执行率"))
    lights = Chart(lights_png(light_counts(dash), "项目综合预警分布"), 110)
    step(50, "整理预警项目")
    red_all = MonitoringForm.objects.filter(round=rnd, overall_light="red")
    red = list(red_all.select_related("unit", "project").order_by("-budget_fen", "pk")[:200])
    step(70, "合并重点监控发现")
    items = list(FocusItem.objects.filter(form__round=rnd).select_related("form__unit", "form__project", "engagement__agency")
                 .order_by("form__unit__code", "pk"))
    done = [i for i in items if i.findings]
    step(85, "整理纠偏措施")
    from jixiao.rectification.models import Rectification

    actions = list(Rectification.objects.filter(monitoring_form__round=rnd)
                   .select_related("monitoring_form__unit", "monitoring_form__project").order_by("deadline", "pk"))
    return {
        "title": f"云溪区{rnd.period_label}预算绩效运行监控情况报告",
        "period": rnd.period_label,
        "summary": summary_lines(dash),
        "totals": [(g.label, str(g.forms), format_wan(g.budget_fen), format_wan(g.executed_fen), _rate(g.rate))
                   for g in (dash.projects, dash.departments)],
        "execution_chart": execution,
        "sectors": [(g.label, str(g.forms), format_wan(g.budget_fen), format_wan(g.executed_fen), _rate(g.rate), str(g.red),
                     str(g.yellow)) for g in dash.by_sector],
        "lowest": [(f.subject, f.unit.name, format_wan(f.budget_fen), _rate(f.execution_rate)) for f in dash.lowest],
        "lights_chart": lights,
        "red_count": red_all.count(),
        "red_shown": len(red),
        "red": [(f.subject, f.unit.name, format_wan(f.budget_fen), _rate(f.execution_rate), f.get_execution_light_display(),
                 f.get_target_light_display() or "—") for f in red],
        "focus_count": len(items),
        "focus_engaged": sum(1 for i in items if i.engagement_id),
        "focus_done": len(done),
        "focus": [(i.form.subject, i.engagement.agency.name if i.engagement_id else "", i.findings, i.recommendation)
                  for i in done],
        "action_count": len(actions),
        "action_closed": sum(1 for a in actions if a.state == "closed"),
        "actions": [(a.monitoring_form.subject, a.get_kind_display(), a.owner, f"{a.deadline:%Y-%m-%d}",  # type: ignore[union-attr]
                     a.status_label) for a in actions],
    }, dash


@task()
def generate_report(job_id: int) -> None:
    """Background task: build the report and record progress on the job."""
    # One attempt owns the job (queued → running); a duplicate or superseded attempt does nothing.
    token = jobs.claim(ReportJob, job_id, percent=0, message="开始生成")
    if token is None:
        return
    job = ReportJob.objects.select_related("round").get(pk=job_id)

    def progress(percent: int, message: str) -> None:
        ReportJob.objects.filter(pk=job_id, job_token=token).update(
            status=ReportJob.Status.RUNNING, percent=percent, message=message)

    content, totals = build_report(job.round, progress)  # a raised error: core.jobs marks the job failed
    with transaction.atomic():
        try:
            jobs.hold(ReportJob, job_id, token)
        except jobs.Superseded:
            return
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        job.status, job.percent, job.message = ReportJob.Status.DONE, 100, "已完成"
        job.content, job.totals, job.finished_at = content, totals, timezone.now()
        with_reason(job, "报告生成完成")
        job.save()


def report_failed(job_id: int, message: str) -> None:
    """The worker's verdict on a report job that died, ran out of time or raised (core.jobs)."""
    ReportJob.objects.filter(pk=job_id).exclude(status=ReportJob.Status.DONE).update(
        status=ReportJob.Status.FAILED, message=message.replace("「重新处理」", "「重新生成」")[:200],
        finished_at=timezone.now())


def report_requeued(job_id: int) -> None:
    """An attempt stopped for a passing reason (database or queue restarted): wait for the retry."""
    ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(
        status=ReportJob.Status.QUEUED, percent=0, message="后台服务短暂中断，稍后自动重试", job_token="")


jobs.register(generate_report, report_failed, model=ReportJob, on_retry=report_requeued)


def request_report(rnd: MonitoringRound, user: Any) -> ReportJob:
    """Queue a report; the page shows its progress and the download link when done."""
    from jixiao.monitoring.services import MonitoringError

    if not user.can("monitoring.reportjob", "add"):
        raise MonitoringError("您的角色无权生成监控报告。")
    job = ReportJob.objects.create(round=rnd, requested_by=user, message="排队等待生成")
    transaction.on_commit(lambda: generate_report.enqueue(job.pk))
    return job
