from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from openpyxl.styles import Font

from jixiao.core import spreadsheets
from jixiao.core.filelimits import BUDGET_DATA
from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest
from jixiao.core.uploads import bind_upload_form, status_partial
from jixiao.core.views import RetryUploadView, ScopedDetailView, ScopedListView, ScopedUpdateView, ScopedView
from jixiao.organisation import forms as f
from jixiao.organisation.imports import (
    AMOUNT_COLUMNS,
    PROJECT_COLUMNS,
    PROJECT_OPTIONAL,
    UNIT_COLUMNS,
    UNIT_OPTIONAL,
    process_import,
    queue_import,
)
from jixiao.organisation.models import (
    THRESHOLD_PAPER_COPY_FEN,
    BudgetUnit,
    DepartmentExpenditure,
    ImportBatch,
    Project,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _names(items: Any) -> str:
    return "、".join(i.name for i in items.all())


class UnitListView(ScopedListView):
    model = BudgetUnit
    title = "预算单位"
    filter_form_class = f.UnitFilterForm
    search_fields = ("code", "name", "sort_key")
    default_sort = "code"
    select_related = ("parent", "sector")
    detail_url_name = "organisation:unit_detail"
    extra_actions: ClassVar[list[tuple[str, str]]] = [("organisation:import", "导入")]
    columns: ClassVar[list[Column]] = [
        Column("code", "单位编码", sort="code"),
        Column("name", "单位名称", sort="sort_key", width=30),
        Column("level", "级次", "level_label"),
        Column("parent", "主管部门", "parent.name", width=24),
        Column("sector", "行业", "sector.name", sort="sector__code"),
        Column("is_classified", "涉密", kind="bool"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("sector"):
            qs = qs.filter(sector=data["sector"])
        if data.get("level"):
            qs = qs.filter(parent__isnull=data["level"] == "1")
        return qs


class UnitDetailView(ScopedDetailView):
    model = BudgetUnit
    template_name = "organisation/unit_detail.html"
    edit_url_name = "organisation:unit_edit"
    fields: ClassVar[list[Column]] = [
        Column("code", "单位编码"), Column("name", "单位名称"), Column("level", "级次", "level_label"),
        Column("parent", "主管部门", "parent.name"), Column("sector", "行业", "sector.name"),
        Column("is_classified", "涉密", kind="bool"), Column("is_active", "有效", kind="bool"),
    ]

    def extra_context(self, obj: Any) -> dict[str, Any]:
        user = self.request.user
        return {
            "children": BudgetUnit.objects.for_user(user).filter(parent=obj).select_related("sector"),
            "projects": Project.objects.for_user(user).filter(unit=obj).order_by("-year", "code")[:50],
        }


class UnitEditView(ScopedUpdateView):
    model = BudgetUnit
    form_class = f.BudgetUnitForm
    success_url_name = "organisation:unit_detail"


class ProjectListView(ScopedListView):
    model = Project
    year_stage = "targets"
    title = "预算项目"
    filter_form_class = f.ProjectFilterForm
    search_fields = ("code", "name", "unit__name")
    default_sort = "code"
    select_related = ("unit", "sector")
    prefetch_related = ("fund_sources",)
    detail_url_name = "organisation:project_detail"
    extra_actions: ClassVar[list[tuple[str, str]]] = [("organisation:import", "导入")]
    columns: ClassVar[list[Column]] = [
        Column("code", "项目编码", sort="code"),
        Column("name", "项目名称", sort="name", width=36),
        Column("year", "年度", sort="year", width=8),
        Column("unit", "实施单位", "unit.name", sort="unit__code", width=24),
        Column("sector", "行业", "sector.name", sort="sector__code"),
        Column("fund_sources", "资金来源", lambda p: _names(p.fund_sources)),
        Column("initial", "年初预算数", "initial_budget_fen", sort="initial_budget_fen", kind="wan"),
        Column("adjusted", "调整后预算数", "adjusted_budget_fen", sort="adjusted_budget_fen", kind="wan"),
        Column("kind", "项目属性", "kind_label"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("year"):
            qs = qs.filter(year=data["year"])
        if data.get("sector"):
            qs = qs.filter(sector=data["sector"])
        if data.get("kind"):
            qs = qs.filter(is_continuing=data["kind"] == "cont")
        if data.get("size") == "big":
            qs = qs.filter(adjusted_budget_fen__gte=THRESHOLD_PAPER_COPY_FEN)
        elif data.get("size") == "small":
            qs = qs.filter(adjusted_budget_fen__lt=THRESHOLD_PAPER_COPY_FEN)
        return qs


class ProjectDetailView(ScopedDetailView):
    model = Project
    edit_url_name = "organisation:project_edit"
    fields: ClassVar[list[Column]] = [
        Column("code", "项目编码"), Column("name", "项目名称"), Column("year", "预算年度"),
        Column("unit", "实施单位", "unit.name"), Column("root", "主管部门", lambda p: p.unit.root.name if p.unit.root_id else ""),
        Column("sector", "行业", "sector.name"),
        Column("fund_sources", "资金来源", lambda p: _names(p.fund_sources)),
        Column("policy_categories", "重大政策类别", lambda p: _names(p.policy_categories)),
        Column("initial", "年初预算数（万元）", "initial_budget_fen", kind="wan"),
        Column("adjusted", "调整后预算数（万元）", "adjusted_budget_fen", kind="wan"),
        Column("kind", "项目属性", "kind_label"),
        Column("paper", "监控须报送纸质材料", "needs_paper_copy", kind="bool"),
        Column("is_classified", "涉密", kind="bool"),
    ]


class ProjectEditView(ScopedUpdateView):
    model = Project
    form_class = f.ProjectForm
    success_url_name = "organisation:project_detail"

    def form(self, obj: Any, data: Any = None) -> f.ProjectForm:
        form = f.ProjectForm(data, instance=obj)
        unit_field = form.fields["unit"]
        assert isinstance(unit_field, ModelChoiceField)
        unit_field.queryset = BudgetUnit.objects.for_user(self.request.user)
        return form


class ExpenditureListView(ScopedListView):
    model = DepartmentExpenditure
    year_stage = "targets"
    title = "部门整体支出"
    filter_form_class = f.YearFilterForm
    search_fields = ("unit__code", "unit__name")
    default_sort = "unit__code"
    select_related = ("unit",)
    detail_url_name = "organisation:expenditure_detail"
    columns: ClassVar[list[Column]] = [
        Column("unit", "预算单位", "unit.name", sort="unit__code", width=30),
        Column("year", "年度", sort="year", width=8),
        Column("personnel", "人员经费", "personnel_fen", kind="wan", sort="personnel_fen"),
        Column("public", "公用经费", "public_fen", kind="wan", sort="public_fen"),
        Column("basic", "基本支出", "basic_fen", kind="wan"),
        Column("project", "项目支出", "project_fen", kind="wan", sort="project_fen"),
        Column("total", "合计", "total_fen", kind="wan"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        return qs.filter(year=data["year"]) if data.get("year") else qs


class ExpenditureDetailView(ScopedDetailView):
    model = DepartmentExpenditure
    edit_url_name = "organisation:expenditure_edit"
    fields: ClassVar[list[Column]] = [
        Column("unit", "预算单位", "unit.name"), Column("year", "预算年度"),
        Column("personnel", "人员经费（万元）", "personnel_fen", kind="wan"),
        Column("public", "公用经费（万元）", "public_fen", kind="wan"),
        Column("basic", "基本支出（万元）", "basic_fen", kind="wan"),
        Column("project", "项目支出（万元）", "project_fen", kind="wan"),
        Column("total", "合计（万元）", "total_fen", kind="wan"),
    ]


class ExpenditureEditView(ScopedUpdateView):
    model = DepartmentExpenditure
    form_class = f.DepartmentExpenditureForm
    success_url_name = "organisation:expenditure_detail"


class ImportView(ScopedView):
    model = ImportBatch
    permission_model = "organisation.project"
    permission_action = "import"
    upload_limits = BUDGET_DATA

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.show(f.ImportForm())

    def show(self, form: f.ImportForm) -> HttpResponse:
        batches = ImportBatch.objects.for_user(self.request.user).select_related("uploaded_by")[:10] if self.request.user.can(
            "organisation.importbatch", "view") else []
        return render(self.request, "organisation/import.html", {
            "title": "导入预算单位和项目", "form": form, "batches": batches,
            "unit_columns": UNIT_COLUMNS + UNIT_OPTIONAL, "project_columns": PROJECT_COLUMNS + PROJECT_OPTIONAL,
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = bind_upload_form(f.ImportForm, request)
        if not form.is_valid():
            return self.show(form)
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        if not request.user.can("organisation.budgetunit" if kind == "units" else "organisation.project", "import"):
            form.add_error("kind", "您的角色无权导入该内容。")
            return self.show(form)
        batch = queue_import(kind, upload.chunks(), upload.name, request.user)
        return redirect("organisation:import_batch", pk=batch.pk)


class ImportRetryView(RetryUploadView):
    model = ImportBatch
    permission_model = "organisation.project"
    task = process_import
    batch_url_name = "organisation:import_batch"


class ImportTemplateView(ScopedView):
    model = ImportBatch
    permission_model = "organisation.project"
    permission_action = "import"

    def get(self, request: AuthedRequest, kind: str) -> HttpResponse:
        columns = UNIT_COLUMNS + UNIT_OPTIONAL if kind == "units" else PROJECT_COLUMNS + PROJECT_OPTIONAL
        wb = spreadsheets.new_workbook()
        ws = wb.create_sheet("预算单位" if kind == "units" else "预算项目")
        spreadsheets.append(ws, [c + ("（元）" if c in AMOUNT_COLUMNS else "") for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        response = HttpResponse(spreadsheets.to_bytes(wb), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename={kind}-template.xlsx"
        return response


class ImportBatchListView(ScopedListView):
    model = ImportBatch
    title = "导入记录"
    default_sort = "-uploaded_at"
    select_related = ("uploaded_by",)
    detail_url_name = "organisation:import_batch"
    columns: ClassVar[list[Column]] = [
        Column("file_name", "文件名", width=30),
        Column("kind", "导入类型", "get_kind_display"),
        Column("status", "结果", "get_status_display"),
        Column("row_count", "数据行数"),
        Column("created_count", "新增"),
        Column("updated_count", "更新"),
        Column("uploaded_by", "上传人", "uploaded_by.real_name"),
        Column("uploaded_at", "上传时间", sort="uploaded_at"),
    ]


class ImportBatchDetailView(ScopedDetailView):
    """The batch's result; while the worker runs it, the page polls its progress (htmx)."""

    model = ImportBatch
    template_name = "organisation/import_batch.html"
    fields: ClassVar[list[Column]] = ImportBatchListView.columns

    def get(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.htmx:  # type: ignore[attr-defined]
            return status_partial(request, "organisation/_import_status.html", self.get_object())
        return super().get(request, *args, **kwargs)


class AnnotatedWorkbookView(ScopedView):
    model = ImportBatch

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        batch = self.get_object()
        if not batch.annotated_workbook:
            messages.info(request, "该批次没有错误，无批注工作簿。")
            return redirect("organisation:import_batch", pk=batch.pk)
        response = HttpResponse(bytes(batch.annotated_workbook), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=import-{batch.pk}-errors.xlsx"
        return response

