from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.charts import execution_svg, lights_svg
from jixiao.core.filelimits import TREASURY
from jixiao.core.listing import Column, to_workbook
from jixiao.core.locking import StaleEdit, form_version
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form, status_partial
from jixiao.core.views import RetryUploadView, ScopedListView, ScopedView
from jixiao.monitoring import forms as f
from jixiao.monitoring.aggregation import dashboard, light_counts, summary_source, unit_bars
from jixiao.monitoring.imports import process_import, queue_import, template_workbook
from jixiao.monitoring.models import (
    Engagement,
    ExecutionImport,
    ExecutionRecord,
    FocusItem,
    FocusRule,
    MonitoringForm,
    MonitoringRound,
    ReportJob,
)
from jixiao.monitoring.report import request_report
from jixiao.monitoring.services import (
    MonitoringError,
    RowInput,
    add_focus_item,
    apply_focus_rule,
    apply_row_light,
    assign_items,
    open_round,
    receive_paper,
    record_findings,
    save_form,
)
from jixiao.rules import get_rule_set
from jixiao.rules.money import format_wan
from jixiao.rules.monitoring_review import REASONS
from jixiao.workflow.engine import WorkflowError, available_transitions, can_edit
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def latest_round(request: AuthedRequest) -> MonitoringRound | None:
    """The round asked for, else the latest round of the working year's monitoring (core.years)."""
    from jixiao.core.years import stage_year

    rounds = MonitoringRound.objects.all()
    wanted = request.GET.get("round", "")
    chosen = rounds.filter(pk=wanted).first() if wanted.isdigit() else None
    return chosen or rounds.filter(year=stage_year(request, "monitoring")).first()


def _rate(value: Any) -> str:
    return "" if value is None else f"{value:.2f}%"


# --- rounds -------------------------------------------------------------------------------------


class RoundListView(ScopedListView):
    model = MonitoringRound
    title = "监控轮次"
    default_sort = "-year"
    detail_url_name = "monitoring:round_detail"
    create_url_name = "monitoring:round_create"
    columns: ClassVar[list[Column]] = [
        Column("title", "名称", sort="title", width=30),
        Column("period", "监控期间", "period_label"),
        Column("due_on", "报送截止日期", sort="due_on"),
        Column("forms", "监控表数", lambda r: r.forms_n, sort="forms_n", width=10),
        Column("submitted", "已报送", lambda r: r.submitted_n, width=10),
        Column("opened_at", "发起时间", sort="opened_at"),
    ]

    def annotate(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.annotate(forms_n=Count("forms"), submitted_n=Count(
            "forms", filter=Q(forms__state__in=("submitted", "dept_approved", "accepted"))))


class RoundCreateView(ScopedView):
    model = MonitoringRound
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "core/form.html", {"title": "发起绩效运行监控", "form": f.RoundForm(initial=f.year_initial(request))})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = f.RoundForm(request.POST)
        if not form.is_valid():
            return render(request, "core/form.html", {"title": "发起绩效运行监控", "form": form})
        data = form.cleaned_data
        try:
            rnd = open_round(request.user, data["year"], data["end_month"], data["due_on"], data["title"])
        except MonitoringError as exc:
            form.add_error(None, str(exc))
            return render(request, "core/form.html", {"title": "发起绩效运行监控", "form": form})
        messages.success(request, f"已发起「{rnd}」，生成监控表{rnd.forms.count()}张。")
        return redirect(rnd)


class RoundDetailView(ScopedView):
    model = MonitoringRound

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        rnd = self.get_object()
        user = request.user
        forms = MonitoringForm.objects.for_user(user).filter(round=rnd)
        from jixiao.monitoring.aggregation import completeness

        rule = FocusRule.objects.filter(round=rnd).first()
        return render(request, "monitoring/round_detail.html", {
            "title": str(rnd), "round": rnd, "completeness": completeness(forms),
            "rule": rule, "can_rule": user.can("monitoring.focusrule", "change"),
            "can_dashboard": user.can("monitoring.dashboard", "view"),
            "can_focus": user.can("monitoring.focusitem", "view"),
            "can_reports": user.can("monitoring.reportjob", "view"),
            "can_report": user.can("monitoring.reportjob", "add"),
            "focus_count": FocusItem.objects.for_user(user).filter(form__round=rnd).count(),
            "select_form": f.SelectForm(),
            "reports": ReportJob.objects.for_user(user).filter(round=rnd).select_related("requested_by")[:5],
        })


# --- the monitoring tables ----------------------------------------------------------------------


class FormListView(ScopedListView):
    model = MonitoringForm
    year_stage = "monitoring"
    title = "绩效监控情况表"
    filter_form_class = f.FormFilterForm
    search_fields = ("project__name", "project__code", "unit__name", "unit__code")
    default_sort = "unit__code"
    select_related = ("unit", "project", "sector", "round")
    detail_url_name = "monitoring:form_detail"
    columns: ClassVar[list[Column]] = [
        Column("subject", "项目/单位", "subject", sort="project__name", width=34),
        Column("kind", "类型", "get_kind_display", sort="kind", width=12),
        Column("unit", "填报单位", "unit.name", sort="unit__code", width=22),
        Column("sector", "行业", "sector.name", sort="sector__code"),
        Column("budget", "调整后预算", "budget_fen", sort="budget_fen", kind="wan"),
        Column("executed", "执行数", "executed_fen", sort="executed_fen", kind="wan"),
        Column("rate", "执行率", lambda r: r.execution_rate, kind="percent", sort="execution_rate", width=10),
        Column("execution_light", "执行预警", "get_execution_light_display", sort="execution_light", width=8),
        Column("target_light", "目标预警", "get_target_light_display", sort="target_light", width=8),
        Column("overall_light", "综合预警", "get_overall_light_display", sort="overall_light", width=8),
        Column("state", "状态", "state_label", sort="state"),
        Column("paper", "纸质档", "paper_status", width=10),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        for key, lookup in (("year", "round__year"), ("round", "round"), ("kind", "kind"), ("state", "state"), ("light", "overall_light"),
                            ("sector", "sector")):
            if data.get(key):
                qs = qs.filter(**{lookup: data[key]})
        if data.get("paper") == "missing":
            qs = qs.filter(needs_paper=True, paper_received_at__isnull=True)
        elif data.get("paper") == "received":
            qs = qs.filter(paper_received_at__isnull=False)
        return qs


class FormDetailView(ScopedView):
    """The monitoring table as the unit filled it, in the printed (A4) layout."""

    model = MonitoringForm

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        user = request.user
        rows = list(obj.rows.select_related("indicator"))
        is_finance = user.can("monitoring.monitoringform", "review")
        return render(request, "monitoring/form_detail.html", {
            "title": str(obj), "object": obj, "rows": rows, "round": obj.round,
            "transitions": available_transitions(obj, user),
            "can_edit": can_edit(obj, user) and user.can("monitoring.monitoringform", "change"),
            "can_paper": is_finance and obj.needs_paper and not obj.paper_received_at
            and obj.state in ("submitted", "dept_approved", "accepted"),
            "can_act": user.can("rectification.rectification", "supervise"),
            "can_focus": user.can("monitoring.focusitem", "add") and not obj.focus_items.exists(),
            "actions": obj.rectifications.for_user(user),
            "focus": FocusItem.objects.for_user(user).filter(form=obj).select_related("engagement").first(),
            "review_log": ReviewLog.for_document(obj),
            "tasks": list(obj.target.main_tasks.all()) if obj.kind == "department" else [],
            "can_see_target": user.can("targets.targetdeclaration", "view"),
            "can_see_history": user.can("audit.history", "view"),
        })


class FormEditView(ScopedView):
    model = MonitoringForm
    permission_action = "change"

    def scoped(self, action: str | None = None) -> QuerySet[Any]:
        # The title, the period and the target's version read these: one query instead of four.
        return super().scoped(action).select_related("project", "unit", "round", "target")

    def editable(self) -> MonitoringForm:
        obj = self.get_object("view")
        if not can_edit(obj, self.request.user, in_scope=True):
            raise Http404("该监控表当前状态不可修改。")
        return obj

    def show(self, obj: MonitoringForm, header: Any, row_forms: list[Any], version: int, problems: Sequence[str] = (),
             status: int = 200) -> HttpResponse:
        return render(self.request, "monitoring/form_edit.html", {
            "title": f"填报：{obj}", "object": obj, "header": header, "round": obj.round,
            "indicator_rows": f.indicator_rows(obj.pk, row_forms),
            "lock_version": version, "problems": problems, "reasons": REASONS,
        }, status=status)

    def row_forms(self, obj: MonitoringForm, data: Any = None) -> list[tuple[Any, Any]]:
        rows = list(obj.rows.select_related("indicator"))
        return [(r, f.row_form(f"row-{r.pk}", data, initial={
            "actual": r.actual, "forecast": r.forecast, "reasons": r.reasons, "other_reason": r.other_reason,
            "possibility": r.possibility, "corrective_plan": r.corrective_plan, "note": r.note})) for r in rows]

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.editable()
        return self.show(obj, f.HeaderForm(instance=obj), self.row_forms(obj), obj.lock_version)

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.editable()
        version = form_version(request.POST)
        version = obj.lock_version if version is None else version
        header = f.HeaderForm(request.POST, instance=obj)
        row_forms = self.row_forms(obj, request.POST)
        if not (header.is_valid() and all(rf.is_valid() for _r, rf in row_forms)):
            return self.show(obj, header, row_forms, version)
        rows = {r.pk: RowInput(**{k: rf.cleaned_data[k] for k in (
            "actual", "forecast", "other_reason", "possibility", "corrective_plan", "note")},
            reasons=tuple(rf.cleaned_data["reasons"])) for r, rf in row_forms}
        try:
            save_form(header.save(commit=False), request.user, version, rows)
        except MonitoringError as exc:
            messages.error(request, "未保存：请补充偏差分析。")
            fresh = MonitoringForm.objects.get(pk=obj.pk)
            return self.show(fresh, f.HeaderForm(request.POST, instance=fresh), self.row_forms(fresh, request.POST),
                             version, exc.messages, status=400)
        except StaleEdit as exc:
            messages.error(request, str(exc))
            fresh = MonitoringForm.objects.get(pk=obj.pk)
            return self.show(fresh, f.HeaderForm(instance=fresh), self.row_forms(fresh), fresh.lock_version, status=409)
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect(obj)
        messages.success(request, "已保存，预警灯已按规则重新计算。")
        return redirect("monitoring:form_edit" if "stay" in request.POST else "monitoring:form_detail", pk=obj.pk)


class LightPreviewView(ScopedView):
    """htmx: the light a row would get for the value being typed (the rules engine, nothing saved)."""

    model = MonitoringForm
    permission_action = "change"

    def get(self, request: AuthedRequest, pk: int, row: int) -> HttpResponse:
        obj = self.get_object("view")
        indicator = get_object_or_404(obj.rows.select_related("indicator"), pk=row)
        prefix = f"row-{indicator.pk}-"
        indicator.actual = request.GET.get(f"{prefix}actual", "")[:100]
        indicator.possibility = request.GET.get(f"{prefix}possibility", "")[:10]
        apply_row_light(indicator, obj.round, get_rule_set(obj.round.rule_set))
        return render(request, "monitoring/_light.html",
                      {"code": indicator.light, "label": indicator.get_light_display()})


class FormTransitionView(TransitionView):
    model = MonitoringForm

class PaperReceiptView(ScopedView):
    model = MonitoringForm
    permission_action = "review"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        try:
            receive_paper(obj, request.user)
            messages.success(request, "已登记纸质档接收。")
        except MonitoringError as exc:
            messages.error(request, str(exc))
        return redirect(obj)


class FormDocxView(ScopedView):
    model = MonitoringForm

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.monitoring.printing import form_docx

        obj = self.get_object()
        log_event(EventType.EXPORT, request=request, obj=obj, format="docx")
        return download(form_docx(obj), f"{obj.subject}-监控表.docx", DOCX)


# --- execution data -----------------------------------------------------------------------------


class ExecutionListView(ScopedListView):
    model = ExecutionRecord
    year_stage = "monitoring"
    title = "国库支付数据"
    filter_form_class = f.ExecutionFilterForm
    search_fields = ("project__name", "project__code", "unit__name", "unit__code")
    default_sort = "month"
    select_related = ("unit", "project")
    columns: ClassVar[list[Column]] = [
        Column("code", "项目编码", lambda r: r.project.code if r.project_id else r.unit.code, sort="project__code"),
        Column("name", "项目/单位", lambda r: r.project.name if r.project_id else r.unit.name, width=34),
        Column("kind", "支出类型", "kind_label", width=10),
        Column("unit", "预算单位", "unit.name", sort="unit__code", width=22),
        Column("year", "年度", sort="year", width=8),
        Column("month", "月份", sort="month", width=8),
        Column("paid_on", "支付日期", sort="paid_on"),
        Column("amount", "支付金额", "amount_fen", sort="amount_fen", kind="wan"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("year"):
            qs = qs.filter(year=data["year"])
        if data.get("month"):
            qs = qs.filter(month=data["month"])
        if data.get("kind"):
            qs = qs.filter(project__isnull=data["kind"] == "basic")
        return qs

    def extra_context(self) -> dict[str, Any]:
        if self.request.user.can("monitoring.executionimport", "import"):
            return {"extra_actions": [("monitoring:execution_import", "导入国库支付数据")]}
        return {}


class ExecutionImportView(ScopedView):
    model = ExecutionImport
    permission_action = "import"
    upload_limits = TREASURY

    def page(self, form: Any, status: int = 200) -> HttpResponse:
        return render(self.request, "monitoring/import.html", {
            "title": "导入国库支付数据", "form": form,
            "batches": ExecutionImport.objects.select_related("uploaded_by")[:10],
        }, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.page(f.UploadForm(initial=f.year_initial(request)))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = bind_upload_form(f.UploadForm, request)
        if not form.is_valid():
            return self.page(form, status=400)
        year = form.cleaned_data["year"]
        existing = ExecutionRecord.objects.filter(year=year).aggregate(n=Count("pk"), total=Sum("amount_fen"))
        if existing["n"] and not form.cleaned_data["replace"]:
            # The file is the year's complete snapshot: say what it replaces and ask first.
            form.add_error("replace", f"{year}年度已导入{existing['n']}条国库支付数据（合计{format_wan(existing['total'] or 0)}"
                                      "万元）。本次文件校验通过后将全部替换这些数据，请核对后勾选「确认替换」并重新选择文件上传。")
            return self.page(form, status=400)
        upload = form.cleaned_data["file"]
        batch = queue_import(upload.chunks(), upload.name, form.cleaned_data["year"], request.user)
        return redirect("monitoring:execution_batch", pk=batch.pk)


class ExecutionBatchView(ScopedView):
    model = ExecutionImport

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        batch = self.get_object()
        if request.htmx:  # type: ignore[attr-defined]
            return status_partial(request, "monitoring/_import_status.html", batch)
        return render(request, "monitoring/import_batch.html", {"title": str(batch), "batch": batch, "object": batch})


class ExecutionRetryView(RetryUploadView):
    model = ExecutionImport
    task = process_import
    batch_url_name = "monitoring:execution_batch"


class ExecutionAnnotatedView(ScopedView):
    model = ExecutionImport

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        batch = self.get_object()
        if not batch.annotated_workbook:
            raise Http404("该批次没有错误批注工作簿。")
        return download(bytes(batch.annotated_workbook), f"国库支付数据-错误批注-{batch.pk}.xlsx", XLSX)


class ExecutionTemplateView(ScopedView):
    model = ExecutionImport
    permission_action = "import"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return download(template_workbook(), "国库支付数据导入模板.xlsx", XLSX)


# --- finance aggregation ------------------------------------------------------------------------


UNITS_PER_PAGE = 50


class DashboardView(ScopedView):
    model = MonitoringForm
    permission_model = "monitoring.dashboard"

    def get(self, request: AuthedRequest) -> HttpResponse:
        rnd = latest_round(request)
        if rnd is None:
            return render(request, "monitoring/dashboard.html", {"title": "监控汇总分析", "round": None})
        dash = dashboard(rnd, MonitoringForm.objects.for_user(request.user), summary=summary_source(request.user))
        if request.GET.get("export") == "xlsx":
            return self.export(dash)
        from django.core.paginator import Paginator

        # The first-level units' lines (2,500 in a province) a page at a time; the export has them all.
        units_page = Paginator(dash.by_unit, UNITS_PER_PAGE).get_page(request.GET.get("units_page"))
        return render(request, "monitoring/dashboard.html", {
            "title": f"{rnd.period_label}监控汇总分析", "round": rnd, "dash": dash, "units_page": units_page,
            "rounds": MonitoringRound.objects.all(),
            "unit_chart": execution_svg(unit_bars(dash), dash.time_progress, "各主管部门项目资金执行率与序时进度"),
            "light_chart": lights_svg(light_counts(dash), "项目综合预警分布"),
            "can_export": request.user.can("monitoring.dashboard", "export"),
        })

    def export(self, dash: Any) -> HttpResponse:
        if not self.request.user.can("monitoring.dashboard", "export"):
            raise Http404("无权导出。")
        columns = [Column("label", "主管部门", "label", width=30), Column("forms", "项目数"),
                   Column("budget", "调整后预算", "budget_fen", kind="wan"),
                   Column("executed", "执行数", "executed_fen", kind="wan"),
                   Column("rate", "执行率", lambda g: g.rate, kind="percent"), Column("red", "红灯"), Column("yellow", "黄灯")]
        title = f"{dash.round.period_label}各主管部门执行情况"
        log_event(EventType.EXPORT, request=self.request, list=title, filters=self.request.GET.urlencode())
        return download(to_workbook(title, columns, dash.by_unit), f"{title}.xlsx", XLSX)


# --- focused monitoring -------------------------------------------------------------------------


class FocusListView(ScopedListView):
    model = FocusItem
    title = "重点监控事项"
    template_name = "monitoring/focus_list.html"
    filter_form_class = f.FocusFilterForm
    search_fields = ("form__project__name", "form__unit__name", "engagement__agency__name")
    default_sort = "form__unit__code"
    select_related = ("form__unit", "form__project", "form__sector", "engagement__agency")
    detail_url_name = "monitoring:focus_detail"
    columns: ClassVar[list[Column]] = [
        Column("subject", "项目/单位", "form.subject", sort="form__project__name", width=34),
        Column("kind", "类型", "form.get_kind_display", width=12),
        Column("unit", "单位", "form.unit.name", sort="form__unit__code", width=22),
        Column("budget", "调整后预算", "form.budget_fen", sort="form__budget_fen", kind="wan"),
        Column("light", "综合预警", "form.get_overall_light_display", width=8),
        Column("reason", "选取原因", "get_reason_display", sort="reason"),
        Column("agency", "第三方机构", lambda i: i.engagement.agency.name if i.engagement_id else "", width=24),
        Column("finding", "核查结论", "get_finding_light_display", width=8),
        Column("recorded_at", "记录时间", sort="recorded_at"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("round"):
            qs = qs.filter(form__round=data["round"])
        if data.get("assigned"):
            qs = qs.filter(engagement__isnull=data["assigned"] == "no")
        if data.get("done") == "yes":
            qs = qs.exclude(findings="")
        elif data.get("done") == "no":
            qs = qs.filter(findings="")
        return qs

    def extra_context(self) -> dict[str, Any]:
        can_assign = self.request.user.can("monitoring.engagement", "add")
        return {"selectable": can_assign,
                "engagement_form": f.EngagementForm(initial=f.year_initial(self.request)) if can_assign else None}


class FocusDetailView(ScopedView):
    model = FocusItem

    def page(self, item: FocusItem, form: Any, status: int = 200) -> HttpResponse:
        user = self.request.user
        can_record = FocusItem.objects.for_user(user, "record").filter(pk=item.pk).exists()
        return render(self.request, "monitoring/focus_detail.html", {
            "title": str(item), "item": item, "object": item.form, "rows": list(item.form.rows.select_related("indicator")),
            "form": form if can_record else None,
        }, status=status)

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        item = self.get_object()
        initial = {"findings": item.findings, "finding_light": item.finding_light,
                   "recommendation": item.recommendation, "lock_version": item.lock_version}
        return self.page(item, f.FindingsForm(initial=initial))

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        item = self.get_object()
        form = f.FindingsForm(request.POST)
        if not form.is_valid():
            return self.page(item, form, status=400)
        data = form.cleaned_data
        try:
            record_findings(item, request.user, data["lock_version"], data["findings"], data["finding_light"],
                            data["recommendation"])
        except (MonitoringError, StaleEdit) as exc:
            messages.error(request, str(exc))
            return redirect(item)
        messages.success(request, "核查发现已保存。")
        return redirect(item)


class FocusRuleView(ScopedView):
    model = FocusRule
    permission_action = "change"

    def get_rule(self) -> FocusRule:
        return get_object_or_404(FocusRule.objects.for_user(self.request.user, "change"), round_id=self.kwargs["pk"])

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        rule = self.get_rule()
        return render(request, "core/form.html", {"title": f"修改：{rule}", "form": f.FocusRuleForm(instance=rule),
                                                  "lock_version": rule.lock_version})

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.core.locking import save_with_lock

        rule = self.get_rule()
        form = f.FocusRuleForm(request.POST, instance=rule)
        if not form.is_valid():
            return render(request, "core/form.html", {"title": f"修改：{rule}", "form": form, "lock_version": rule.lock_version})
        instance = form.save(commit=False)
        with_reason(instance, "修改选取规则")
        version = form_version(request.POST)
        try:
            save_with_lock(instance, version if version is not None else -1)
        except StaleEdit as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "选取规则已保存。")
        return redirect("monitoring:round_detail", pk=pk)


class FocusSelectView(ScopedView):
    model = FocusRule
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        rnd = get_object_or_404(MonitoringRound.objects.all(), pk=pk)
        form = f.SelectForm(request.POST)
        seed = form.cleaned_data.get("seed") if form.is_valid() else None
        try:
            items = apply_focus_rule(rnd, request.user, seed)
            rnd.focus_rule.refresh_from_db()
            messages.success(request, f"已按规则新选取{len(items)}个重点监控事项（随机种子{rnd.focus_rule.seed}）。")
        except MonitoringError as exc:
            messages.error(request, str(exc))
        return redirect(f"/monitoring/focus/?round={rnd.pk}")


class FocusAddView(ScopedView):
    model = FocusItem
    permission_action = "add"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        form = get_object_or_404(MonitoringForm.objects.for_user(request.user), pk=pk)
        try:
            add_focus_item(form, request.user)
            messages.success(request, "已加入重点监控清单。")
        except MonitoringError as exc:
            messages.error(request, str(exc))
        return redirect(form)


class AssignView(ScopedView):
    model = Engagement
    permission_action = "add"

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = f.EngagementForm(request.POST)
        if not form.is_valid() or not form.item_ids():
            problems = "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items() if k in form.fields)
            messages.error(request, "请勾选重点监控事项，从第三方机构库选择机构，并填写委托事项和完成期限。"
                           + (f"（{problems}）" if problems else ""))
            return redirect("monitoring:focus_list")
        ids = form.item_ids()
        first = FocusItem.objects.for_user(request.user).filter(pk__in=ids).select_related("form").first()
        if first is None:
            messages.error(request, "所选事项不存在或您无权委托。")
            return redirect("monitoring:focus_list")
        data = form.cleaned_data
        try:
            engagement = Engagement.objects.create(round_id=first.form.round_id, agency=data["agency"],
                                                   title=data["title"], due_on=data["due_on"], created_by=request.user)
            n = assign_items(ids, engagement, request.user)
        except MonitoringError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已将{n}个事项委托给{engagement.agency.name}。")
        return redirect("monitoring:focus_list")


# --- the monitoring report ----------------------------------------------------------------------


class ReportListView(ScopedListView):
    model = ReportJob
    title = "监控报告"
    template_name = "monitoring/report_list.html"
    default_sort = "-requested_at"
    select_related = ("round", "requested_by")
    detail_url_name = "monitoring:report_detail"
    columns: ClassVar[list[Column]] = [
        Column("round", "监控轮次", "round.title", width=30),
        Column("requested_at", "申请时间", sort="requested_at"),
        Column("requested_by", "申请人", "requested_by.real_name"),
        Column("status", "状态", "get_status_display", sort="status"),
        Column("percent", "进度（%）", width=8),
    ]

    def extra_context(self) -> dict[str, Any]:
        can = self.request.user.can("monitoring.reportjob", "add")
        return {"rounds": MonitoringRound.objects.all() if can else []}


class ReportCreateView(ScopedView):
    model = ReportJob
    permission_action = "add"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        rnd = get_object_or_404(MonitoringRound.objects.all(), pk=pk)
        try:
            job = request_report(rnd, request.user)
        except MonitoringError as exc:
            messages.error(request, str(exc))
            return redirect(rnd)
        messages.success(request, "报告已开始在后台生成，本页会自动显示进度。")
        return redirect(job)


class ReportDetailView(ScopedView):
    model = ReportJob

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        job = self.get_object()
        template = "monitoring/_report_status.html" if request.htmx else "monitoring/report_detail.html"  # type: ignore[attr-defined]
        return render(request, template, {"title": str(job), "job": job})


class ReportDownloadView(ScopedView):
    model = ReportJob

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        job = self.get_object()
        if job.status != ReportJob.Status.DONE or not job.content:
            raise Http404("报告尚未生成完成。")
        log_event(EventType.EXPORT, request=request, obj=job, format="docx")
        return download(bytes(job.content), f"{job.round.period_label}绩效监控报告.docx", DOCX)
