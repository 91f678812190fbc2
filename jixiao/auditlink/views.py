"""Pages of 财审联动: the year's work plan with its audit-plan items, the audit findings (registered,
imported, answered, closed) and the data package download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.auditlink import package, services
from jixiao.auditlink.forms import FindingForm, ImportForm, PackageForm, PlanForm, PlanItemForm
from jixiao.auditlink.models import AuditFinding, AuditWorkPlan
from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedListView, ScopedView
from jixiao.core.years import stage_year, valid_year
from jixiao.workflow.engine import available_transitions
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView

PLAN = "auditlink.auditworkplan"


def year_of(request: AuthedRequest) -> int:
    return valid_year(request.GET.get("year") or request.POST.get("year")) or stage_year(request, "plan")


class PlanView(ScopedView):
    """财审联动工作方案 of the year: agreed topics, owners, dates and the audit plan's items."""

    model = AuditWorkPlan
    permission_model = PLAN

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = year_of(request)
        return self.show(year, AuditWorkPlan.objects.filter(year=year).first())

    def show(self, year: int, plan: AuditWorkPlan | None, form: Any = None, item_form: Any = None,
             import_errors: list[str] | None = None) -> HttpResponse:
        user = self.request.user
        editable = user.can(PLAN, "change")
        if editable:
            form = form or PlanForm(instance=plan, initial={"title": f"{year}年度财审联动工作方案"})
            item_form = item_form or (PlanItemForm(year=year, prefix="item") if plan else None)
        items = list(plan.items.select_related("unit", "project")) if plan else []
        return render(self.request, "auditlink/plan.html", {
            "title": f"{year}年度财审联动工作方案", "year": year, "plan": plan, "items": items, "editable": editable,
            "form": form, "item_form": item_form, "import_form": ImportForm() if editable and plan else None,
            "import_errors": import_errors or [], "lock_version": plan.lock_version if plan else 0,
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        if not request.user.can(PLAN, "change"):
            raise PermissionDenied("您的角色无权修改财审联动工作方案。")
        year = year_of(request)
        plan = AuditWorkPlan.objects.filter(year=year).first()
        back = reverse("auditlink:plan") + f"?year={year}"
        part = request.POST.get("part", "plan")
        if part == "item" and plan is not None:
            item_form = PlanItemForm(request.POST, year=year, prefix="item")
            if not item_form.is_valid():
                return self.show(year, plan, item_form=item_form)
            item = item_form.save(commit=False)
            item.plan = plan
            with_reason(item, "登记审计计划项目")
            item.save()
            messages.success(request, f"已登记审计计划项目：{item.title}")
            return redirect(back)
        if part == "import" and plan is not None:
            upload_form = bind_upload_form(ImportForm, request)
            if not upload_form.is_valid():
                return self.show(year, plan, import_errors=[str(e) for errs in upload_form.errors.values() for e in errs])
            upload = upload_form.cleaned_data["file"]
            errors, count = services.import_plan_items(plan, upload.read(), upload.name)
            if errors:
                return self.show(year, plan, import_errors=errors)
            log_event(EventType.IMPORT, request=request, list="审计计划项目", rows=count)
            messages.success(request, f"已导入{count}个审计计划项目。")
            return redirect(back)
        form = PlanForm(request.POST, instance=plan)
        if not form.is_valid():
            return self.show(year, plan, form=form)
        saved = form.save(commit=False)
        saved.year = year
        with_reason(saved, "修改财审联动工作方案" if plan else "制定财审联动工作方案")
        saved.save()
        messages.success(request, "财审联动工作方案已保存。")
        return redirect(back)


class FindingListView(ScopedListView):
    model = AuditFinding
    title = "审计发现问题"
    year_stage = "plan"
    columns = [
        Column("unit", "责任单位", "unit.name", sort="unit__code"),
        Column("title", "审计发现的问题", "title"),
        Column("found_on", "发现日期", "found_on", kind="date"),
        Column("deadline", "整改期限", "deadline", kind="date"),
        Column("state", "状态", lambda o: o.state_label, sort="state"),
    ]
    search_fields = ("title", "unit__name")
    select_related = ("unit",)
    default_sort = "deadline"
    detail_url_name = "auditlink:finding_detail"
    create_url_name = "auditlink:finding_new"

    def filter_queryset(self, qs: Any, data: dict[str, Any]) -> Any:
        year = self.list_year()
        if year is not None:
            qs = qs.filter(year=year)
        return super().filter_queryset(qs, data)


class FindingCreateView(ScopedView):
    model = AuditFinding
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = year_of(request)
        return self.show(FindingForm(year=year, initial={"found_on": timezone.localdate()}), year)

    def show(self, form: Any, year: int, import_errors: list[str] | None = None) -> HttpResponse:
        return render(self.request, "auditlink/finding_form.html", {
            "title": f"登记{year}年度审计发现问题", "form": form, "year": year, "import_form": ImportForm(),
            "import_errors": import_errors or []})

    def post(self, request: AuthedRequest) -> HttpResponse:
        year = year_of(request)
        if request.POST.get("part") == "import":
            upload_form = bind_upload_form(ImportForm, request)
            if not upload_form.is_valid():
                return self.show(FindingForm(year=year), year, [str(e) for errs in upload_form.errors.values() for e in errs])
            upload = upload_form.cleaned_data["file"]
            errors, count = services.import_findings(year, request.user, upload.read(), upload.name)
            if errors:
                return self.show(FindingForm(year=year), year, errors)
            log_event(EventType.IMPORT, request=request, list="审计发现问题", rows=count)
            messages.success(request, f"已导入{count}个审计发现问题，均已进入整改。")
            return redirect(reverse("auditlink:finding_list") + f"?year={year}")
        form = FindingForm(request.POST, year=year)
        if not form.is_valid():
            return self.show(form, year)
        with transaction.atomic():
            finding = form.save(commit=False)
            finding.year = year
            finding.amount_fen = form.cleaned_data.get("amount")
            finding.created_by = request.user
            with_reason(finding, "登记审计发现问题")
            finding.save()
        messages.success(request, "已登记，责任单位将在待办中看到该整改事项。")
        return redirect(finding)


class FindingDetailView(ScopedView):
    model = AuditFinding

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        return render(request, "auditlink/finding_detail.html", {
            "title": str(obj), "object": obj, "transitions": available_transitions(obj, request.user),
            "review_log": ReviewLog.for_document(obj)})


class FindingTransitionView(TransitionView):
    model = AuditFinding


class PackageView(ScopedView):
    """The audit bureau's dated, signed data package of a year and scope (every download logged)."""

    model = AuditFinding
    permission_model = "auditlink.datapackage"
    permission_action = "export"

    def get(self, request: AuthedRequest) -> HttpResponse:
        if "on" not in request.GET:
            form = PackageForm(initial={"year": year_of(request), "on": timezone.localdate()})
            return render(request, "auditlink/package.html", {"title": "审计数据包", "form": form})
        form = PackageForm(request.GET)
        if not form.is_valid():
            return render(request, "auditlink/package.html", {"title": "审计数据包", "form": form})
        year, unit, on = form.cleaned_data["year"], form.cleaned_data["unit"], form.cleaned_data["on"]
        content = package.build(request.user, year, on, unit)
        name = f"{year}年度预算绩效数据包_{unit.code if unit else '全部'}_{on:%Y%m%d}.zip"
        import hashlib

        log_event(EventType.EXPORT, request=request, list="审计数据包", year=year, unit=unit.code if unit else "全部",
                  on=on.isoformat(), sha256=hashlib.sha256(content).hexdigest())
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
