"""Generic scoped views: every list, detail, edit and export starts from ``for_user``.

Each view declares the record kind and action it needs (``permission_model``,
``permission_action``); the permission-matrix test walks the URL configuration and reads
these attributes, so a new URL joins the matrix by existing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from jixiao.audit.models import EventType, Outcome
from jixiao.audit.services import log_event
from jixiao.core.listing import Column, Table, apply_sort, cells_workbook
from jixiao.core.locking import StaleEdit, form_version, save_with_lock
from jixiao.core.scoping import permission_label
from jixiao.core.types import AuthedRequest, with_reason

PAGE_SIZE = 50


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` a form posted when it is a path on this site (never ``//evil.example``), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


class ScopedView(View):
    request: AuthedRequest
    model: ClassVar[type[Model]]
    permission_action: ClassVar[str] = "view"
    permission_model: ClassVar[str] = ""
    title: ClassVar[str] = ""

    @classmethod
    def permission_label(cls) -> str:
        return cls.permission_model or permission_label(cls.model)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not self.request.user.can(self.permission_label(), self.permission_action):
            log_event(
                EventType.PERMISSION_DENIED, request=request, outcome=Outcome.DENIED,
                path=request.path, permission=f"{self.permission_label()}.{self.permission_action}",
            )
            raise PermissionDenied("您的角色无权访问该页面。")
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, action: str | None = None) -> QuerySet[Any]:
        return self.model.objects.for_user(self.request.user, action or self.permission_action)  # type: ignore[attr-defined]

    def get_object(self, action: str | None = None) -> Any:
        obj = self.scoped(action).filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            # The security log names what was asked for (audit.middleware.RefusedRecordMiddleware).
            exists = self.model._default_manager.filter(pk=self.kwargs["pk"]).exists()
            self.request.jixiao_refused_object = (  # type: ignore[attr-defined]
                f"{self.permission_label()} #{self.kwargs['pk']}{'' if exists else '（不存在）'}")
            raise Http404("记录不存在或您无权查看。")
        return obj


class FilterForm(forms.Form):
    q = forms.CharField(label="关键字", required=False)


class ScopedListView(ScopedView):
    """A sortable, filterable, paginated table with "导出Excel" of exactly the filtered rows."""

    template_name = "core/list.html"
    columns: ClassVar[list[Column]] = []
    filter_form_class: ClassVar[type[forms.Form]] = FilterForm
    search_fields: ClassVar[tuple[str, ...]] = ()
    default_sort: ClassVar[str] = "pk"
    select_related: ClassVar[tuple[str, ...]] = ()
    prefetch_related: ClassVar[tuple[str, ...]] = ()
    detail_url_name: ClassVar[str] = ""
    create_url_name: ClassVar[str] = ""
    extra_actions: ClassVar[list[tuple[str, str]]] = []  # (url name, label)
    #: A list of one stage's yearly objects shows that stage's object year of the user's working
    #: year (``core.years``) unless ``?year=`` narrows it (an empty ``year=`` shows every year).
    year_stage: ClassVar[str] = ""
    #: The fields the columns read (``only()``), so the page and an export fetch no long text they do not show.
    export_fields: ClassVar[tuple[str, ...]] = ()
    #: set by the export worker (``exports.build_export``): an export's rows are read while it writes
    reads_ahead = False

    def list_year(self) -> int | None:
        from jixiao.core.years import list_year

        return list_year(self.request, self.year_stage) if self.year_stage else None

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        from django.db.models import Q

        q = (data.get("q") or "").strip()
        if q and self.search_fields:
            cond = Q()
            for f in self.search_fields:
                cond |= Q(**{f"{f}__icontains": q})
            qs = qs.filter(cond)
        return qs

    def rows(self) -> tuple[QuerySet[Any], forms.Form, str]:
        data = self.request.GET.copy()
        year = self.list_year()
        if self.year_stage and "year" not in data and year is not None:
            data["year"] = str(year)
        form = self.filter_form_class(data or None)
        qs = self.scoped("view").select_related(*self.select_related).prefetch_related(*self.prefetch_related)
        if form.is_bound and form.is_valid():
            qs = self.filter_queryset(qs, form.cleaned_data)
        qs = self.annotate(qs)  # before sorting: a column may sort on an annotation
        qs, sort = apply_sort(qs, self.columns, self.request.GET.get("sort", ""), self.default_sort)
        return qs, form, sort

    def annotate(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs

    def known_count(self, form: forms.Form) -> int | None:
        """The number of rows when the view already knows it (e.g. from kept totals): no COUNT query."""
        return None

    def get(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        qs, form, sort = self.rows()
        if request.GET.get("export") == "xlsx":
            return self.export(qs, self.known_count(form))
        # The page reads only the columns' fields too: a join of wide rows (every field of four tables)
        # made the province list's first page ~10× its SQL (hash joins spilling to disk).
        paginator = Paginator(self.narrowed(qs), PAGE_SIZE)
        known = self.known_count(form)
        if known is not None:
            paginator.count = known  # type: ignore[misc]
        page = paginator.get_page(request.GET.get("page"))
        table = Table(self.columns, list(page.object_list), sort=sort, page=page)
        query = request.GET.copy()
        query.pop("page", None)
        sortless = query.copy()
        sortless.pop("sort", None)
        context = {
            "title": self.page_title(),
            "table": table,
            "form": form,
            "query": query.urlencode(),
            "sortless_query": sortless.urlencode(),
            "detail_url_name": self.detail_url_name,
            "create_url_name": self.create_url_name if request.user.can(self.permission_label(), "add") else "",
            "can_export": request.user.can(self.permission_label(), "export"),
            "extra_actions": [(n, label) for n, label in self.extra_actions],
            **self.extra_context(),
        }
        context["table_body"] = table.body_html(bool(context.get("selectable")), self.detail_url_name)
        template = "core/_table.html" if request.htmx and request.htmx.target == "list-table" else self.template_name  # type: ignore[attr-defined]
        return render(request, template, context)

    def extra_context(self) -> dict[str, Any]:
        return {}

    def page_title(self) -> str:
        """The heading, export title and file name: the list's name, preceded by its object year."""
        title = str(self.title or self.model._meta.verbose_name_plural)
        year = self.list_year()
        return f"{year}年度{title}" if year is not None else title

    def narrowed(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Model instances holding only the columns' fields: what the page's rows read."""
        return qs.only(*self.export_fields) if self.export_fields else qs

    def export_query(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """The query an export reads (``bench_province`` times its SQL as the floor); a list may read values instead."""
        return self.narrowed(qs)

    def export_rows(self, qs: QuerySet[Any]) -> Any:
        """The objects an export writes, read in chunks."""
        qs = self.export_query(qs)
        return self.read_rows(qs, 2000) if not self.prefetch_related else qs

    def read_rows(self, qs: QuerySet[Any], chunk_size: int) -> Iterator[Any]:
        """``qs`` read in chunks; in the export worker, read ahead by a second thread (``exports.read_ahead``)."""
        from jixiao.core.exports import read_ahead

        return read_ahead(qs, chunk_size) if self.reads_ahead else qs.iterator(chunk_size=chunk_size)

    def export_cells(self, qs: QuerySet[Any]) -> Iterable[list[Any]]:
        """The export's rows as cells: each row the columns' ``export_value``. A list of many rows may
        override it to read its :meth:`export_query` as values (no model instances) with equal cells."""
        columns = self.columns
        return ([c.export_value(row) for c in columns] for row in self.export_rows(qs))

    def export(self, qs: QuerySet[Any], known: int | None = None) -> HttpResponse:
        """The filtered rows as .xlsx, or queued for the worker when many (``known``: their kept number)."""
        if not self.request.user.can(self.permission_label(), "export"):
            raise PermissionDenied("您的角色无权导出该列表。")
        title = self.page_title()
        log_event(EventType.EXPORT, request=self.request, list=title, filters=self.request.GET.urlencode())
        from jixiao.core.exports import inline_rows, queue_export

        total = qs.count() if known is None else known
        if total > inline_rows():  # a large export is built by the worker, never inside the request
            return queue_export(self, total)
        content = cells_workbook(title, self.columns, self.export_cells(qs))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{title}_{timezone.localtime():%Y%m%d%H%M}.xlsx"
        from urllib.parse import quote

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response


class ScopedDetailView(ScopedView):
    template_name = "core/detail.html"
    fields: ClassVar[list[Column]] = []
    edit_url_name: ClassVar[str] = ""

    def get(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        can_edit = bool(self.edit_url_name) and self.model.objects.for_user(  # type: ignore[attr-defined]
            request.user, "change").filter(pk=obj.pk).exists()
        context = {
            "title": str(obj),
            "object": obj,
            "fields": [(c.label, c.display(obj), c.kind) for c in self.fields],
            "edit_url_name": self.edit_url_name if can_edit else "",
            "history_model": obj._meta.label_lower if hasattr(obj, "history") else "",
            **self.extra_context(obj),
        }
        return render(request, self.template_name, context)

    def extra_context(self, obj: Any) -> dict[str, Any]:
        return {}


class ScopedUpdateView(ScopedView):
    """Edit a record with optimistic locking: a stale save is refused and the first one kept."""

    permission_action = "change"
    template_name = "core/form.html"
    form_class: ClassVar[type[forms.ModelForm]]  # type: ignore[type-arg]
    success_url_name: ClassVar[str] = ""

    def form(self, obj: Any, data: Any = None) -> forms.ModelForm:  # type: ignore[type-arg]
        return self.form_class(data, instance=obj)

    def render_form(self, obj: Any, form: forms.BaseForm, version: int, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template_name,
            {"title": f"修改：{obj}", "object": obj, "form": form, "lock_version": version},
            status=status,
        )

    def get(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        return self.render_form(obj, self.form(obj), obj.lock_version)

    def post(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        version = form_version(request.POST)
        form = self.form(obj, request.POST)
        if not form.is_valid():
            return self.render_form(obj, form, version if version is not None else obj.lock_version)
        try:
            instance = form.save(commit=False)
            with_reason(instance, "页面修改")
            save_with_lock(instance, version if version is not None else -1, after_save=lambda i: form.save_m2m())
        except StaleEdit as exc:
            # Show what the first editor saved; nothing of this edit is written.
            fresh = type(obj).objects.get(pk=obj.pk)
            messages.error(request, str(exc))
            return self.render_form(fresh, self.form(fresh), fresh.lock_version, status=409)
        messages.success(request, "已保存。")
        return redirect(self.success_url(instance))

    def success_url(self, instance: Any) -> str:
        from django.urls import reverse

        return reverse(self.success_url_name, kwargs={"pk": instance.pk})


class RetryUploadView(ScopedView):
    """POST: queue a batch whose background job was interrupted again (core.jobs, core.uploads)."""

    permission_action = "import"
    task: ClassVar[Any]
    batch_url_name: ClassVar[str]

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        batch = self.get_object("view")
        if batch.retry(self.task):
            log_event(EventType.IMPORT, request=request, obj=batch, retry=True)
            messages.success(request, "已重新排队处理，本页会自动显示进度。")
        else:
            messages.error(request, "只有处理中断的批次可以重新处理。")
        return redirect(self.batch_url_name, pk=batch.pk)
