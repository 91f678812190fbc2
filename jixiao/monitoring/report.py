"""The monitoring report to the district government (domain.md §2.6), generated in the background.

The figures are those of the dashboard (``aggregation.dashboard`` over all forms of the round);
charts are PNGs from ``charts``; the red items, the corrective measures and the third parties'
focused-monitoring findings are merged in. Progress is written to the ``ReportJob`` the page polls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jixiao.core import jobs, official
from jixiao.core.charts import execution_png, lights_png
from jixiao.core.types import with_reason
from jixiao.monitoring.aggregation import Dashboard, dashboard, light_counts, unit_bars
from jixiao.monitoring.models import CorrectiveAction, FocusItem, MonitoringForm, MonitoringRound, ReportJob
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
    """The report as .docx bytes and the totals it states."""
    step = progress or (lambda percent, message: None)
    step(10, "汇总监控数据")
    dash = dashboard(rnd, MonitoringForm.objects.all(), lowest=15)
    doc = official.new_document(f"云溪区{rnd.period_label}预算绩效运行监控情况报告")
    doc.add_heading("一、监控范围和报送情况", level=1)
    for line in summary_lines(dash):
        official.paragraph(doc, line)
    step(30, "绘制图表")
    doc.add_heading("二、预算执行与序时进度", level=1)
    official.table(doc, ("类别", "个数", "调整后预算（万元）", "执行数（万元）", "执行率"), [
        (g.label, str(g.forms), format_wan(g.budget_fen), format_wan(g.executed_fen), _rate(g.rate))
        for g in (dash.projects, dash.departments)])
    official.picture(doc, execution_png(unit_bars(dash, 40), dash.time_progress, "各主管部门项目资金执行率"))
    official.paragraph(doc, "按行业汇总：")
    official.table(doc, ("行业", "项目数", "调整后预算（万元）", "执行数（万元）", "执行率", "红灯", "黄灯"), [
        (g.label, str(g.forms), format_wan(g.budget_fen), format_wan(g.executed_fen), _rate(g.rate), str(g.red),
         str(g.yellow)) for g in dash.by_sector])
    official.paragraph(doc, "执行率最低的项目：")
    official.table(doc, ("项目", "单位", "调整后预算（万元）", "执行率"), [
        (f.subject, f.unit.name, format_wan(f.budget_fen), _rate(f.execution_rate)) for f in dash.lowest])
    step(50, "整理预警项目")
    doc.add_heading("三、绩效目标完成情况及预警", level=1)
    official.picture(doc, lights_png(light_counts(dash), "项目综合预警分布"), 110)
    red = list(MonitoringForm.objects.filter(round=rnd, overall_light="red").select_related("unit", "project")
               .order_by("-budget_fen", "pk")[:200])
    official.paragraph(doc, f"红灯项目及部门整体支出共{MonitoringForm.objects.filter(round=rnd, overall_light='red').count()}个"
                      f"（按金额列示前{len(red)}个）：")
    official.table(doc, ("项目/单位", "单位", "调整后预算（万元）", "执行率", "执行预警", "目标预警"), [
        (f.subject, f.unit.name, format_wan(f.budget_fen), _rate(f.execution_rate), f.get_execution_light_display(),
         f.get_target_light_display() or "—") for f in red])
    step(70, "合并重点监控发现")
    doc.add_heading("四、第三方重点绩效跟踪监控情况", level=1)
    items = list(FocusItem.objects.filter(form__round=rnd).select_related("form__unit", "form__project", "engagement__agency")
                 .order_by("form__unit__code", "pk"))
    done = [i for i in items if i.findings]
    official.paragraph(doc, f"共选取重点监控{len(items)}个，已委托第三方{sum(1 for i in items if i.engagement_id)}个，"
                      f"已提交核查发现{len(done)}个。")
    official.table(doc, ("项目/单位", "第三方机构", "核查发现", "整改建议"), [
        (i.form.subject, i.engagement.agency.name if i.engagement_id else "", i.findings, i.recommendation) for i in done])
    step(85, "整理纠偏措施")
    doc.add_heading("五、存在的问题和纠偏措施", level=1)
    actions = list(CorrectiveAction.objects.filter(form__round=rnd).select_related("form__unit", "form__project")
                   .order_by("deadline", "pk"))
    official.paragraph(doc, f"共提出纠偏措施{len(actions)}项，已办结{sum(1 for a in actions if a.state == 'closed')}项。")
    official.table(doc, ("项目/单位", "措施", "责任人", "期限", "状态"), [
        (a.form.subject, a.get_kind_display(), a.owner, f"{a.deadline:%Y-%m-%d}", a.state_label) for a in actions])
    official.paragraph(doc, "本报告并入年度绩效评价报告，上报区政府。")
    step(95, "保存报告")
    return official.to_bytes(doc), dash.totals()


@task()
def generate_report(job_id: int) -> None:
    """Background task: build the report and record progress on the job."""
    job = ReportJob.objects.select_related("round").get(pk=job_id)

    def progress(percent: int, message: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.RUNNING, percent=percent, message=message)

    try:
        content, totals = build_report(job.round, progress)
    except Exception:
        ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.FAILED, message="生成失败，请联系系统管理员。",
                                                   finished_at=timezone.now())
        raise
    with transaction.atomic():
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


jobs.register(generate_report, report_failed)


def request_report(rnd: MonitoringRound, user: Any) -> ReportJob:
    """Queue a report; the page shows its progress and the download link when done."""
    from jixiao.monitoring.services import MonitoringError

    if not user.can("monitoring.reportjob", "add"):
        raise MonitoringError("您的角色无权生成监控报告。")
    job = ReportJob.objects.create(round=rnd, requested_by=user, message="排队等待生成")
    transaction.on_commit(lambda: generate_report.enqueue(job.pk))
    return job
