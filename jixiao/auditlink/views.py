"""Pages of 财审联动: the year's work plan with its audit-plan items, the audit findings' registration and
import (each finding an item of the rectification register, source 审计, where it is answered and closed;
the former finding pages redirect there) and the data package download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.auditlink import package, services
from jixiao.auditlink.forms import FindingForm, ImportForm, PackageForm, PlanForm, PlanItemForm
from jixiao.auditlink.models import AuditWorkPlan
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedView
from jixiao.core.years import stage_year, valid_year
from jixiao.rectification.models import Rectification, Source
from jixiao.rectification.services import RectificationError, from_audit
from jixiao.rectification.views import LegacyDetailView

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


class FindingListView(ScopedView):
    """审计发现问题 are items of the rectification register: its list of source 审计 (the year kept)."""

    model = Rectification

    def get(self, request: AuthedRequest) -> HttpResponse:
        url = reverse("rectification:source", kwargs={"source": Source.AUDIT})
        year = valid_year(request.GET.get("year"))
        return redirect(url + (f"?year={year}" if year else ""))


class FindingCreateView(ScopedView):
    """The audit bureau registers a finding, or imports a sheet of them: each becomes a register item of source 审计."""

    model = Rectification
    permission_action = "audit"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = year_of(request)
        return self.show(FindingForm(year=year, initial={"found_on": timezone.localdate()}), year)

    def show(self, form: Any, year: int, import_errors: list[str] | None = None) -> HttpResponse:
        return render(self.request, "auditlink/finding_form.html", {
            "title": f"登记{year}年度审计发现问题", "form": form, "year": year, "import_form": ImportForm(),
            "import_errors": import_errors or [],
            "register_url": reverse("rectification:source", kwargs={"source": Source.AUDIT}) + f"?year={year}"})

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
            messages.success(request, f"已导入{count}个审计发现问题，均已列入整改清单。")
            return redirect(reverse("rectification:source", kwargs={"source": Source.AUDIT}) + f"?year={year}")
        form = FindingForm(request.POST, year=year)
        if not form.is_valid():
            return self.show(form, year)
        d = form.cleaned_data
        try:
            item = from_audit(request.user, year=year, unit=d["unit"], project=d["project"], problem=d["problem"],
                              requirement=d["requirement"], found_on=d["found_on"], deadline=d["deadline"],
                              amount_fen=d["amount"])
        except RectificationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
            return self.show(form, year)
        messages.success(request, "已登记并列入整改清单，责任单位已收到通知。")
        return redirect(item)


class FindingDetailView(LegacyDetailView):
    """A former 审计发现问题 page: the register item migrated from it."""

    legacy_model = "auditfinding"


class PackageView(ScopedView):
    """The audit bureau's dated, signed data package of a year and scope (every download logged)."""

    model = AuditWorkPlan
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
