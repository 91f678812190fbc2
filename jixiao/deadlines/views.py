from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedListView, ScopedUpdateView, ScopedView
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
            ensure_year(data["year"])
            qs = qs.filter(year=data["year"])
        if data.get("stage"):
            qs = qs.filter(stage=data["stage"])
        return qs

    def extra_context(self) -> dict[str, Any]:
        if self.request.user.can("deadlines.calendarentry", "change"):
            # The performance section opens an entry to change its dates.
            return {"detail_url_name": "deadlines:calendar_entry_edit", "intro": "点击事项名称可修改日期；日期默认取自年度工作方案。"}
        return {}


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
        on = today()
        items = due_items(request.user, on)
        return render(request, "deadlines/due.html", {"title": "待办与到期事项", "today": on, **items})
