"""The performance section's side of 信息公开: the publications, 更正, 撤回, where else each item was
published, the static export and the report packages (background jobs)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedListView, ScopedView
from jixiao.disclosure import forms as f
from jixiao.disclosure import jobs, portal
from jixiao.disclosure.models import PortalJob, Publication
from jixiao.disclosure.services import PublicationError, correct, record_posting, withdraw


class PublicationListView(ScopedListView):
    model = Publication
    title = "公开信息"
    default_sort = "-first_published_at"
    select_related = ("unit", "project")
    search_fields = ("title", "unit__name", "unit__code", "project__code")
    filter_form_class = f.PublicationFilterForm
    detail_url_name = "disclosure:publication_detail"
    columns: ClassVar[list[Column]] = [
        Column("year", "年度", sort="year", width=8),
        Column("kind", "公开类型", "get_kind_display", sort="kind", width=12),
        Column("unit", "单位", "unit.name", sort="unit__code", width=24),
        Column("title", "标题", sort="title", width=50),
        Column("current_number", "现行版本", width=8),
        Column("first_published_at", "首次公开时间", sort="first_published_at", kind="date"),
        Column("withdrawn_at", "撤回时间", sort="withdrawn_at", kind="date"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("year"):
            qs = qs.filter(year=data["year"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("withdrawn") == "yes":
            qs = qs.filter(withdrawn_at__isnull=False)
        elif data.get("withdrawn") == "no":
            qs = qs.filter(withdrawn_at__isnull=True)
        return qs


class _PublicationPage(ScopedView):
    model = Publication

    def page(self, obj: Publication, status: int = 200, **forms_: Any) -> HttpResponse:
        user = self.request.user
        return render(self.request, "disclosure/publication_detail.html", {
            "title": obj.title, "object": obj, "history_model": "disclosure.publication",
            "versions": obj.versions.select_related("published_by").order_by("-number"),
            "postings": obj.postings.order_by("posted_on", "pk"),
            "public_url": reverse("gongkai:publication", kwargs={"pk": obj.pk}),
            "correct_form": forms_.get("correct_form") or (f.CorrectForm() if user.can("disclosure.publication", "correct") else None),
            "withdraw_form": forms_.get("withdraw_form") or (
                f.WithdrawForm() if user.can("disclosure.publication", "withdraw") and not obj.is_withdrawn else None),
            "posting_form": forms_.get("posting_form") or (
                f.PostingForm() if user.can("disclosure.publication", "change") else None),
        }, status=status)


class PublicationDetailView(_PublicationPage):
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return self.page(self.get_object())


class _ActionView(_PublicationPage, ABC):
    form_class: ClassVar[type[Any]]
    form_name: ClassVar[str]

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                message = self.act(obj, form.cleaned_data)
            except PublicationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect("disclosure:publication_detail", pk=obj.pk)
        return self.page(obj, status=400, **{self.form_name: form})

    @abstractmethod
    def act(self, obj: Publication, data: dict[str, Any]) -> str:
        """Carry out the action through its service function and say what happened."""


class CorrectView(_ActionView):
    permission_action = "correct"
    form_class = f.CorrectForm
    form_name = "correct_form"

    def act(self, obj: Publication, data: dict[str, Any]) -> str:
        version = correct(obj, self.request.user, data["note"])
        return f"已公开第{version.number}版，旧版本仍可查阅。"


class WithdrawView(_ActionView):
    permission_action = "withdraw"
    form_class = f.WithdrawForm
    form_name = "withdraw_form"

    def act(self, obj: Publication, data: dict[str, Any]) -> str:
        withdraw(obj, self.request.user, data["reason"])
        return "已撤回，公开网站显示撤回公告。"


class PostingView(_ActionView):
    permission_action = "change"
    form_class = f.PostingForm
    form_name = "posting_form"

    def act(self, obj: Publication, data: dict[str, Any]) -> str:
        record_posting(obj, self.request.user, data["site"], data["url"], data["posted_on"])
        return "已登记其他渠道公开情况。"


class ExportView(ScopedView):
    """导出公开网站: the static site as a .zip, built in the background."""

    model = Publication
    permission_action = "export"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "disclosure/export.html", {
            "title": "导出静态公开网站",
            "jobs": PortalJob.objects.filter(kind="export").select_related("requested_by")[:10],
            "public_url": portal.Linker("").prefix,
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        job = jobs.request_job("export", request.user)
        messages.success(request, "已开始在后台生成，本页会自动显示进度。")
        return redirect("disclosure:job_detail", pk=job.pk)


class JobDetailView(ScopedView):
    model = PortalJob

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        job = self.get_object()
        template = "disclosure/_job_status.html" if request.htmx else "disclosure/job_detail.html"  # type: ignore[attr-defined]
        return render(request, template, {"title": jobs.BUILDERS[job.kind][1] if job.kind in jobs.BUILDERS else str(job),
                                          "job": job})


class JobDownloadView(ScopedView):
    model = PortalJob

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        job = self.get_object()
        if job.status != PortalJob.Status.DONE or not job.content:
            raise Http404("文件尚未生成完成。")
        log_event(EventType.EXPORT, request=request, obj=job, format=job.file_name.rsplit(".", 1)[-1])
        content_type = "application/zip" if job.file_name.endswith(".zip") else "application/octet-stream"
        response = HttpResponse(bytes(job.content), content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.file_name)}"
        return response


class TrackingView(ScopedView):
    """未按期公开: who has not published what, against the calendar (the performance section)."""

    model = Publication
    permission_model = "disclosure.tracking"

    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.core.years import stage_year, valid_year
        from jixiao.disclosure.tracking import TARGET_PUBLISH_DAYS, tracking
        from jixiao.organisation.models import BudgetUnit

        year = valid_year(request.GET.get("year")) or stage_year(request, "disclosure")
        show_all = request.GET.get("all") == "1"
        deadlines, rows = tracking(year, BudgetUnit.objects.for_user(request.user))
        shown = rows if show_all else [r for r in rows if r.missing]
        return render(request, "disclosure/tracking.html", {
            "title": f"{year}年度信息公开按期情况", "year": year, "deadlines": deadlines, "days": TARGET_PUBLISH_DAYS,
            "rows": [(r, r.summary()) for r in shown], "show_all": show_all, "unit_count": len(rows),
            "missing_units": sum(1 for r in rows if r.missing),
        })


class PackageView(ScopedView):
    """报告包: the annual reports to the 区人大, the 区政府 and upper finance, built in the background."""

    model = PortalJob

    def year(self) -> int:
        from jixiao.core.years import stage_year, valid_year

        return valid_year(self.request.GET.get("year") or self.request.POST.get("year")) or stage_year(self.request, "plan")

    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.core.years import object_year, stage_words
        from jixiao.disclosure.packages import PACKAGES, monitoring_round

        year = self.year()
        rnd = monitoring_round(object_year("monitoring", year))
        evaluated = object_year("evaluation", year)
        covers = {
            "package_work": f"{stage_words('targets', year)}、{rnd.period_label if rnd else str(year) + '年1-9月'}运行监控、"
                            f"{stage_words('evaluation', evaluated)}及复核、{stage_words('key_evaluation', evaluated)}、"
                            f"{stage_words('results', object_year('results', year))}和问题整改",
            "package_key": stage_words("key_evaluation", object_year("key_evaluation", year)),
            "package_monitoring": f"{rnd.period_label}绩效运行监控" if rnd else f"{year}年尚未开展绩效运行监控",
        }
        recent = list(PortalJob.objects.filter(kind__in=[p.kind for p in PACKAGES], year=year)
                      .select_related("requested_by")[:30])
        return render(request, "disclosure/packages.html", {
            "title": f"{year}年度报告包", "year": year,
            "packages": [(p, covers[p.kind], p.kind != "package_monitoring" or rnd is not None) for p in PACKAGES],
            "jobs": [(j, jobs.BUILDERS[j.kind][1]) for j in recent],
            "can_add": request.user.can("disclosure.portaljob", "add"),
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.core.years import object_year
        from jixiao.disclosure.packages import PACKAGE_NAMES, monitoring_round

        if not request.user.can("disclosure.portaljob", "add"):
            raise PermissionDenied("您的角色无权生成报告包。")
        year, kind = self.year(), request.POST.get("kind", "")
        if kind not in PACKAGE_NAMES:
            messages.error(request, "请选择要生成的报告包。")
        elif kind == "package_monitoring" and monitoring_round(object_year("monitoring", year)) is None:
            messages.error(request, f"{year}年度尚未开展绩效运行监控，无法生成{PACKAGE_NAMES[kind]}。")
        else:
            job = jobs.request_job(kind, request.user, year)
            messages.success(request, f"已开始在后台生成{year}年度{PACKAGE_NAMES[kind]}，本页会自动显示进度。")
            return redirect("disclosure:job_detail", pk=job.pk)
        return redirect(f"{reverse('disclosure:packages')}?year={year}")
