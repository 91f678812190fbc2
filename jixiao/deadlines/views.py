from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedListView, ScopedUpdateView, ScopedView
from jixiao.core.years import valid_year
from jixiao.deadlines.models import CalendarEntry, ensure_year
from jixiao.deadlines.registry import STAGE_LABELS
from jixiao.deadlines.services import due_items


def today() -> date:
    return timezone.localdate()


class CalendarFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    stage = forms.ChoiceField(label="环节", required=False, choices=[("", "全部"), *STAGE_LABELS.items()])


class CalendarView(ScopedListView):
    model = CalendarEntry
    year_stage = "plan"
    title = "年度工作日历"
    filter_form_class = CalendarFilterForm
    default_sort = "due_on"
    detail_url_name = ""
    columns: ClassVar[list[Column]] = [
        Column("label", "事项", width=40),
        Column("stage", "环节", "stage_label", sort="stage"),
        Column("year", "年度", sort="year", width=8),
        Column("opens_on", "开始日期", sort="opens_on"),
        Column("due_on", "截止日期", sort="due_on"),
        Column("status", "状态", lambda e: e.status_label(today())),
        Column("basis", "依据", width=30),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        if data.get("year"):
            qs = qs.filter(year=data["year"])
        if data.get("stage"):
            qs = qs.filter(stage=data["stage"])
        return qs

    def extra_context(self) -> dict[str, Any]:
        year = self.list_year()
        missing = year is not None and not CalendarEntry.objects.filter(year=year).exists()
        if self.request.user.can("deadlines.calendarentry", "change"):
            # The performance section opens an entry to change its dates, and opens the next plan year.
            return {"detail_url_name": "deadlines:calendar_entry_edit", "generate_year": year if missing else None,
                    "intro": (f"{year}年度工作日历尚未生成，可按年度工作方案的默认日期生成。" if missing else
                              "点击事项名称可修改日期；日期默认取自年度工作方案。"),
                    "extra_actions": [("deadlines:open_year", "开启下一年度")]
                    if self.request.user.can("deadlines.calendarentry", "add") else []}
        return {"intro": f"{year}年度工作日历尚未生成。"} if missing else {}

    def post(self, request: AuthedRequest) -> HttpResponse:
        """生成年度工作日历: the year's entries from the plan's defaults (the one write of this page)."""
        if not request.user.can("deadlines.calendarentry", "change"):
            raise PermissionDenied("您的角色无权生成工作日历。")
        year = valid_year(request.POST.get("year"))
        if year is None:
            raise BadRequest("年度无效。")
        created = ensure_year(year)
        messages.success(request, f"已生成{year}年度工作日历（{len(created)}项）。")
        return redirect(f"{reverse('deadlines:calendar')}?year={year}")


class CalendarEntryForm(forms.ModelForm):
    class Meta:
        model = CalendarEntry
        fields = ["label", "opens_on", "due_on"]
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}), "due_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, due = data.get("opens_on"), data.get("due_on")
        if opens and due and opens > due:
            self.add_error("due_on", "截止日期不能早于开始日期。")
        return data


class CalendarEntryEditView(ScopedUpdateView):
    model = CalendarEntry
    form_class = CalendarEntryForm
    success_url_name = "deadlines:calendar_entry_done"


class CalendarEntryDoneView(ScopedView):
    """After an edit, back to the calendar of that entry's year."""

    model = CalendarEntry

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from django.shortcuts import redirect

        entry = self.get_object()
        return redirect(f"/calendar/?year={entry.year}")


class DueView(ScopedView):
    """The one due/overdue table across stages."""

    model = CalendarEntry

    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.core.years import working_year

        on = today()
        items = due_items(request.user, on, plan_year=working_year(request))
        return render(request, "deadlines/due.html", {"title": "待办与到期事项", "today": on, **items})


class OpenYearView(ScopedView):
    """开启下一年度: the performance section opens the plan year after its working year."""

    model = CalendarEntry
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.core.years import working_year
        from jixiao.deadlines.next_year import plan_next_year

        plan = plan_next_year(working_year(request) + 1)
        return render(request, "deadlines/open_year.html", {"title": f"开启{plan.year}年度预算绩效管理工作", "plan": plan})

    def post(self, request: AuthedRequest) -> HttpResponse:
        from django.contrib import messages
        from django.shortcuts import redirect

        from jixiao.core.years import valid_year, working_year
        from jixiao.deadlines.next_year import NextYearError, open_next_year

        year = valid_year(request.POST.get("year")) or working_year(request) + 1
        try:
            plan = open_next_year(year, request.user)
        except NextYearError as exc:
            messages.error(request, str(exc))
            return redirect("deadlines:open_year")
        messages.success(request, f"已开启{year}年度：工作日历已按年度工作方案生成，绩效目标申报窗口已开放；"
                                  f"结转延续项目 {plan.carried} 个（其中 {plan.with_targets} 个可按上年批复的绩效目标起草）。"
                                  f"可在页首将工作年度切换为{year}年。")
        return redirect(f"{reverse('deadlines:calendar')}?year={year}")
