from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.listing import Column, to_workbook
from jixiao.core.locking import StaleEdit, form_version
from jixiao.core.spreadsheets import wan
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.views import ScopedDetailView, ScopedListView, ScopedUpdateView, ScopedView, safe_next
from jixiao.core.years import stage_year, valid_year
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rules.targets import preview
from jixiao.targets import forms as f
from jixiao.targets.models import (
    LISTED,
    DeclarationTally,
    IndicatorLibraryItem,
    Kind,
    TargetDeclaration,
    TargetIndicator,
)
from jixiao.targets.services import (
    TargetError,
    approve_project_budget,
    compare_versions,
    completeness_rows,
    completeness_summary,
    open_department_declaration,
    open_project_declaration,
    review_findings,
    start_adjustment,
)
from jixiao.workflow.engine import (
    WorkflowError,
    available_transitions,
    can_edit,
    perform_transition,
    save_document,
)
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView

#: Other stages' panels on the declaration's pages: (template, function(declaration) -> context or None);
#: e.g. result application shows last year's result, the applied action and open rectification items.
PANELS: list[tuple[str, Any]] = []


def panels(obj: TargetDeclaration) -> list[tuple[str, Any]]:
    return [(template, data) for template, provider in PANELS if (data := provider(obj)) is not None]


def _year(request: AuthedRequest) -> int:
    """The ``?year=`` asked for (validated), else the targets' year of the working year."""
    return valid_year(request.GET.get("year")) or stage_year(request, "targets")


class DeclarationListView(ScopedListView):
    model = TargetDeclaration
    year_stage = "targets"
    title = "绩效目标申报表"
    template_name = "targets/declaration_list.html"
    filter_form_class = f.DeclarationFilterForm
    search_fields = ("project__name", "project__code", "unit__name", "unit__code")
    default_sort = "unit__code"
    select_related = ("unit", "project", "sector")
    detail_url_name = "targets:declaration_detail"
    export_fields = ("kind", "year", "version", "state", "review_grade", "unit__name", "unit__code", "project__name",
                     "project__code", "project__adjusted_budget_fen", "sector__name", "sector__code")
    columns: ClassVar[list[Column]] = [
        Column("subject", "项目/单位", lambda d: d.project.name if d.project_id else d.unit.name, sort="subject", width=36),
        Column("kind", "类型", "get_kind_display", sort="kind"),
        Column("year", "年度", sort="year", width=8),
        Column("unit", "填报单位", "unit.name", sort="unit__code", width=24),
        Column("sector", "行业", "sector.name", sort="sector__code"),
        Column("budget", "年度资金总额", lambda d: d.project.adjusted_budget_fen if d.project_id else None, kind="wan"),
        Column("version", "版本", sort="version", width=6),
        Column("state", "状态", "state_label", sort="state"),
        Column("grade", "审核等级", "review_grade", sort="review_grade", width=8),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        for key in ("year", "kind", "state", "sector"):
            if data.get(key):
                qs = qs.filter(**{key: data[key]})
        if data.get("grade"):
            qs = qs.filter(review_grade=data["grade"])
        if data.get("overdue"):
            qs = qs.filter(pk__in=overdue_declarations(qs))
        if data.get("current") != "all":
            qs = qs.filter(LISTED)
        return qs

    def rows(self) -> Any:
        qs, form, sort = super().rows()
        if not form.is_bound:
            qs = qs.filter(LISTED)
        return qs, form, sort

    def known_count(self, form: Any) -> int | None:
        """For a user who sees every declaration, filtered by what the tally keeps (year, kind, state,
        sector, grade, current or all versions): the kept count, no COUNT over the declarations."""
        if self.scoped("view").query.where:  # scoped to a sector, a unit, finished documents…
            return None
        if not form.is_bound:
            return DeclarationTally.kept_count()
        if not form.is_valid():
            return None
        data = form.cleaned_data
        if (data.get("q") or "").strip() or data.get("overdue"):
            return None
        return DeclarationTally.kept_count(
            year=data.get("year"), kind=data.get("kind") or "", state=data.get("state") or "",
            sector_id=data["sector"].pk if data.get("sector") else None, review_grade=data.get("grade") or "",
            listed_only=data.get("current") != "all")

    def export_query(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """The columns' fields as values: no model instances for 20,000 rows at province scale."""
        return qs.values_list("project_id", "project__name", "kind", "year", "unit__name", "sector__name",
                              "project__adjusted_budget_fen", "version", "state", "review_grade")

    def export_cells(self, qs: QuerySet[Any]) -> Iterator[list[Any]]:
        """The cells of the columns' ``export_value`` (项目/单位, 类型, 年度, 填报单位, 行业, 年度资金总额,
        版本, 状态, 审核等级) from :meth:`export_query`'s values."""
        kinds = dict(Kind.choices)
        states = {s.code: s.label for s in TargetDeclaration.workflow().states}
        for project, name, kind, year, unit, sector, fen, version, state, grade in self.read_rows(
                self.export_query(qs), 5000):  # tuples: few fetches, little memory
            yield [name if project is not None else unit, kinds.get(kind, kind), year, unit, sector,
                   wan(fen), version, states.get(state, state), grade]

    def extra_context(self) -> dict[str, Any]:
        user = self.request.user
        review = user.can("targets.targetdeclaration", "review")
        return {"can_bulk_review": review, "selectable": review, "can_upload": user.can("targets.targetdeclaration", "import")}


def declaration_window(year: int) -> Any:
    """The year's declaration window (2月下旬–4月中旬 by default), an editable calendar entry."""
    from jixiao.deadlines.models import year_entry

    return year_entry(year, "targets_declare")


def overdue_declarations(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Declarations still being filled or revised after their year's declaration window closed."""
    from django.utils import timezone

    today = timezone.localdate()
    years = [y for y in qs.values_list("year", flat=True).distinct() if declaration_window(y).due_on < today]
    return qs.filter(year__in=years, state__in=("draft", "returned")).values("pk")


class MissingView(ScopedView):
    """待填报: the user's projects (and first-level units) of a year that have no declaration yet."""

    model = TargetDeclaration
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = _year(request)
        projects = (Project.objects.for_user(request.user).filter(year=year, target_declarations__isnull=True)
                    .select_related("unit").order_by("unit__code", "code"))
        units = (BudgetUnit.objects.for_user(request.user).filter(parent__isnull=True)
                 .exclude(target_declarations__kind=Kind.DEPARTMENT, target_declarations__year=year)
                 .filter(year_settings__year=year, year_settings__in_assessment_scope=True).order_by("code"))
        from django.utils import timezone

        window = declaration_window(year)
        return render(request, "targets/missing.html", {
            "title": f"{year}年度待填报绩效目标", "year": year, "projects": projects[:500],
            "project_count": projects.count(), "units": units, "window": window,
            "overdue": window.due_on < timezone.localdate(),
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        try:
            if request.POST.get("project"):
                project = get_object_or_404(Project.objects.for_user(request.user), pk=request.POST["project"])
                declaration = open_project_declaration(project, request.user)
            else:
                unit = get_object_or_404(BudgetUnit.objects.for_user(request.user), pk=request.POST.get("unit"))
                declaration = open_department_declaration(unit, int(request.POST.get("year", 0)), request.user)
        except TargetError as exc:
            messages.error(request, str(exc))
            return redirect("targets:missing")
        return redirect("targets:declaration_edit", pk=declaration.pk)


class DeclarationDetailView(ScopedDetailView):
    model = TargetDeclaration
    template_name = "targets/declaration_detail.html"
    edit_url_name = "targets:declaration_edit"

    def get(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        user = request.user
        indicators = list(obj.indicators.all())
        rows = [(i, *preview(i.to_draft())) for i in indicators]
        versions = TargetDeclaration.objects.for_user(user).filter(
            kind=obj.kind, year=obj.year, unit=obj.unit, project=obj.project).order_by("version")
        context = {
            "title": str(obj), "object": obj, "rows": rows, "tasks": list(obj.main_tasks.all()),
            "findings": review_findings(obj, indicators),
            "transitions": available_transitions(obj, user),
            "can_edit": can_edit(obj, user) and user.can("targets.targetdeclaration", "change"),
            "can_review": user.can("targets.targetdeclaration", "review") and obj.state == "dept_approved"
            and TargetDeclaration.objects.for_user(user, "review").filter(pk=obj.pk).exists(),
            "can_adjust": user.can("targets.targetdeclaration", "adjust") and obj.state in ("approved", "published")
            and not TargetDeclaration.objects.filter(supersedes=obj).exists(),
            "review_log": ReviewLog.for_document(obj), "panels": panels(obj),
            "versions": versions, "adjust_form": f.AdjustForm(),
            "budget_fen": obj.budget_fen,
            "can_approve_budget": obj.kind == Kind.PROJECT and obj.project_id and user.can("organisation.project", "approve_budget")
            and obj.state in ("approved", "published") and not obj.project.budget_approved_at,
        }
        return render(request, self.template_name, context)


class DeclarationEditView(ScopedView):
    model = TargetDeclaration
    permission_action = "change"
    template_name = "targets/declaration_form.html"

    def forms(self, obj: TargetDeclaration, data: Any = None) -> tuple[Any, Any, Any]:
        header_class = f.ProjectDeclarationForm if obj.kind == Kind.PROJECT else f.DepartmentDeclarationForm
        header = header_class(data, instance=obj)
        indicators = f.IndicatorFormSet(data, instance=obj, prefix="ind")
        tasks = f.MainTaskFormSet(data, instance=obj, prefix="task") if obj.kind == Kind.DEPARTMENT else None
        return header, indicators, tasks

    def show(self, obj: TargetDeclaration, forms: tuple[Any, Any, Any], version: int, status: int = 200) -> HttpResponse:
        header, indicators, tasks = forms
        library = (IndicatorLibraryItem.objects.filter(is_active=True).filter(Q(sector=obj.sector) | Q(sector__isnull=True))
                   .select_related("sector"))
        suggestions = (TargetIndicator.objects.filter(declaration__year=obj.year - 1, declaration__sector=obj.sector,
                                                      declaration__state__in=("approved", "published"))
                       .values("level1", "level2", "name", "comparison", "value", "unit")
                       .annotate(n=Count("pk")).order_by("-n")[:15])
        return render(self.request, self.template_name, {
            "title": f"填报：{obj}", "object": obj, "header": header, "indicators": indicators, "tasks": tasks,
            "indicator_rows": f.indicator_rows(indicators),
            "lock_version": version, "library": library[:200],
            # The saved rows the grid read (a refused form's typed rows are not checked until saved).
            "findings": review_findings(obj, list(indicators.get_queryset())),
            "suggestions": suggestions, "budget_fen": obj.budget_fen, "panels": panels(obj),
        }, status=status)

    def scoped(self, action: str | None = None) -> QuerySet[Any]:
        # The title, the budget and the library's sector read these: one query instead of three.
        return super().scoped(action).select_related("project", "sector", "unit")

    def get_editable(self) -> TargetDeclaration:
        obj = self.get_object("view")
        if not can_edit(obj, self.request.user, in_scope=True):
            raise Http404("该申报表当前状态不可修改。")
        return obj

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_editable()
        return self.show(obj, self.forms(obj), obj.lock_version)

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_editable()
        version = form_version(request.POST)
        forms = self.forms(obj, request.POST)
        header, indicators, tasks = forms
        if not (header.is_valid() and indicators.is_valid() and (tasks is None or tasks.is_valid())):
            return self.show(obj, forms, version if version is not None else obj.lock_version)
        instance = header.save(commit=False)
        with_reason(instance, "填报修改")

        def save_rows(saved: Any) -> None:
            for position, form in enumerate(indicators.forms):
                form.instance.position = position
            indicators.save()
            if tasks is not None:
                for position, form in enumerate(tasks.forms):
                    form.instance.position = position
                tasks.save()

        try:
            save_document(instance, request.user, version if version is not None else -1, after_save=save_rows)
        except StaleEdit as exc:
            messages.error(request, str(exc))
            fresh = TargetDeclaration.objects.get(pk=obj.pk)
            return self.show(fresh, self.forms(fresh), fresh.lock_version, status=409)
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect("targets:declaration_detail", pk=obj.pk)
        errors = [x for x in review_findings(instance) if x.is_error]
        if errors:
            messages.warning(request, f"已保存。自动审核仍有{len(errors)}处错误，提交前请修改。")
        else:
            messages.success(request, "已保存，自动审核未发现错误。")
        return redirect("targets:declaration_edit" if "stay" in request.POST else "targets:declaration_detail", pk=obj.pk)


class DeclarationTransitionView(TransitionView):
    model = TargetDeclaration

class IndicatorCommentView(ScopedView):
    """Finance reviewers' opinion on one indicator row (editable only while the form awaits finance review)."""

    model = TargetDeclaration
    permission_action = "review"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        if obj.state != "dept_approved":
            messages.error(request, "只有待财政审核的申报表可以填写指标审核意见。")
            return redirect(obj)
        with transaction.atomic():
            for ind in obj.indicators.all():
                text = request.POST.get(f"comment_{ind.pk}")
                if text is not None and text.strip() != ind.review_comment:
                    ind.review_comment = text.strip()[:300]
                    with_reason(ind, "财政审核意见")
                    ind.save(update_fields=["review_comment"])
        messages.success(request, "指标审核意见已保存。")
        return redirect(obj)


class BulkReviewView(ScopedView):
    """Select rows on the list → approve or return them with one comment; a result per row."""

    model = TargetDeclaration
    permission_action = "review"

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = f.BulkReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择申报表、操作和审核等级。")
            return redirect("targets:declaration_list")
        data = form.cleaned_data
        ids = [int(x) for x in data["ids"].split(",") if x.strip().isdigit()]
        results = []
        for obj in TargetDeclaration.objects.for_user(request.user).filter(pk__in=ids).select_related("project", "unit"):
            try:
                perform_transition(obj, data["action"], request.user, comment=data["comment"], grade=data["grade"])
                results.append((obj, True, "成功"))
            except (WorkflowError, StaleEdit) as exc:
                results.append((obj, False, str(exc)))
        return render(request, "targets/bulk_result.html", {"title": "批量审核结果", "results": results})


class AdjustView(ScopedView):
    model = TargetDeclaration
    permission_action = "adjust"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        form = f.AdjustForm(request.POST)
        try:
            new = start_adjustment(obj, request.user, form.data.get("reason", ""))
        except TargetError as exc:
            messages.error(request, str(exc))
            return redirect(obj)
        messages.success(request, f"已创建第{new.version}版（调整），请修改后提交审核。")
        return redirect("targets:declaration_edit", pk=new.pk)


class CompareView(ScopedView):
    model = TargetDeclaration

    def get(self, request: AuthedRequest, pk: int, other: int) -> HttpResponse:
        a = self.get_object()
        b = get_object_or_404(self.scoped(), pk=other)
        if (a.kind, a.unit_id, a.project_id, a.year) != (b.kind, b.unit_id, b.project_id, b.year):
            raise Http404("只能比较同一申报表的不同版本。")
        old, new = (a, b) if a.version <= b.version else (b, a)
        return render(request, "targets/compare.html", {
            "title": f"版本比较：第{old.version}版 与 第{new.version}版", "old": old, "new": new,
            "changes": compare_versions(old, new),
        })


class ParsePreviewView(ScopedView):
    """htmx: how a typed target value parses ("≥ 95 %", "截止 9 月", or why it cannot be measured)."""

    model = TargetDeclaration

    def get(self, request: AuthedRequest) -> HttpResponse:
        from django.utils.html import format_html

        from jixiao.rules.targets import IndicatorDraft, preview

        g = request.GET
        prefix = g.get("prefix", "")
        draft = IndicatorDraft("", "", "", g.get(f"{prefix}comparison", ">="), g.get(f"{prefix}value", ""),
                               g.get(f"{prefix}unit", ""))
        if not draft.value.strip():
            return HttpResponse("")
        text, ok = preview(draft)
        return HttpResponse(format_html('<span class="{}">{}</span>', "parse-ok" if ok else "parse-bad", text))


class AddFromLibraryView(ScopedView):
    model = TargetDeclaration
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        if not can_edit(obj, request.user):
            messages.error(request, "该申报表当前状态不可修改。")
            return redirect(obj)
        item = IndicatorLibraryItem.objects.filter(is_active=True, pk=request.POST.get("item") or 0).first()
        if item is None:
            messages.error(request, "请选择指标库中的一个指标。")
        elif obj.indicators.filter(name=item.name).exists():
            messages.warning(request, f"指标「{item.name}」已在申报表中。")
        else:
            TargetIndicator.objects.create(
                declaration=obj, position=obj.indicators.count(), level1=item.level1, level2=item.level2,
                name=item.name, comparison=item.comparison, value=item.reference_value, unit=item.unit,
                explanation=item.explanation, library_item=item,
            )
            messages.success(request, f"已从指标库添加「{item.name}」，请核对指标值。")
        return redirect("targets:declaration_edit", pk=obj.pk)


class KnownCountPaginator(Paginator):
    """A paginator whose count is already known (counted with the page's other figures)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


class CompletenessView(ScopedView):
    """六同步 at a glance: per unit, how many projects have an approved target and which still lack one."""

    model = TargetDeclaration
    permission_model = "targets.completeness"

    PAGE_SIZE = 100

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = _year(request)
        columns = [Column("unit", "预算单位", lambda r: r["unit"].name, width=30),
                   Column("sector", "行业", lambda r: r["unit"].sector.name),
                   Column("projects", "项目数", lambda r: r["projects"]),
                   Column("declared", "已填报", lambda r: r["declared"]),
                   Column("approved", "目标已批复", lambda r: r["approved"]),
                   Column("lacking", "尚缺批复目标", lambda r: r["lacking"]),
                   Column("rejected", "未通过（差）", lambda r: r["rejected"]),
                   Column("budget", "预算已批复", lambda r: r["budget"])]
        if request.GET.get("export") == "xlsx":
            from urllib.parse import quote

            if not request.user.can(self.permission_label(), "export"):
                raise PermissionDenied("您的角色无权导出该列表。")
            log_event(EventType.EXPORT, request=request, list=f"{year}年度绩效目标六同步完成情况",
                      filters=request.GET.urlencode())
            response = HttpResponse(to_workbook(f"{year}年度绩效目标六同步完成情况", columns,
                                                completeness_rows(year, request.user)),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{year}年度绩效目标六同步完成情况.xlsx')}"
            return response
        # Everything is counted in SQL; only the page's units are read and listed.
        data = completeness_summary(year, request.user)
        projects = Project.objects.for_user(request.user).filter(year=year)
        units = BudgetUnit.objects.filter(pk__in=projects.values("unit_id")).order_by("code").values_list("pk", flat=True)
        page = KnownCountPaginator(units, self.PAGE_SIZE, data["units"]).get_page(request.GET.get("page"))
        rows = completeness_rows(year, request.user, list(page.object_list)) if page.object_list else []
        return render(request, "targets/completeness.html", {
            "title": f"{year}年度绩效目标六同步完成情况", "year": year, "rows": rows, "page": page,
            "by_sector": data["by_sector"], "totals": data["totals"],
            "overall_in_scope": data["overall_in_scope"], "overall_approved": data["overall_approved"],
        })


class ApproveBudgetView(ScopedView):
    model = Project
    permission_action = "approve_budget"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        project = self.get_object("view")
        try:
            approve_project_budget(project, request.user, form_version(request.POST))
            messages.success(request, f"项目「{project.name}」预算已批复。")
        except (TargetError, StaleEdit) as exc:
            messages.error(request, str(exc))
        return redirect(safe_next(request, reverse("organisation:project_detail", kwargs={"pk": project.pk})))


class LibraryListView(ScopedListView):
    model = IndicatorLibraryItem
    title = "指标库"
    filter_form_class = f.LibraryFilterForm
    search_fields = ("name", "explanation")
    default_sort = "level1"
    select_related = ("sector",)
    detail_url_name = "targets:library_edit"
    create_url_name = "targets:library_create"
    columns: ClassVar[list[Column]] = [
        Column("name", "三级指标", sort="name", width=24),
        Column("sector", "行业", lambda i: i.sector.name if i.sector_id else "共性指标", sort="sector__code"),
        Column("level1", "一级指标", sort="level1"),
        Column("level2", "二级指标", sort="level2"),
        Column("comparison", "计算符号", "get_comparison_display"),
        Column("reference_value", "参考值"),
        Column("unit", "计量单位"),
        Column("explanation", "指标解释", width=30),
        Column("is_active", "启用", kind="bool"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("sector"):
            qs = qs.filter(sector=data["sector"])
        if data.get("level2"):
            qs = qs.filter(level2=data["level2"])
        return qs

    def extra_context(self) -> dict[str, Any]:
        if not self.request.user.can("targets.indicatorlibraryitem", "change"):
            return {"detail_url_name": ""}
        return {}


class LibraryEditView(ScopedUpdateView):
    model = IndicatorLibraryItem
    form_class = f.LibraryItemForm

    def success_url(self, instance: Any) -> str:
        return reverse("targets:library_list")


class LibraryCreateView(ScopedView):
    model = IndicatorLibraryItem
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "core/form.html", {"title": "新增指标库指标", "form": f.LibraryItemForm(), "lock_version": None})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = f.LibraryItemForm(request.POST)
        if not form.is_valid():
            return render(request, "core/form.html", {"title": "新增指标库指标", "form": form, "lock_version": None})
        item = form.save()
        messages.success(request, f"已加入指标库：{item.name}")
        return redirect("targets:library_list")
