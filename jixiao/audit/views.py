from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render

from jixiao.audit.display import detail_text, local_time, role_label, value_text
from jixiao.audit.models import EventType, Outcome, SecurityEvent, verify_log
from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest
from jixiao.core.views import FilterForm, ScopedListView, ScopedView


class SecurityFilterForm(FilterForm):
    event_type = forms.ChoiceField(label="事件类型", required=False, choices=[("", "全部"), *EventType.choices])
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *Outcome.choices])
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SecurityLogView(ScopedListView):
    model = SecurityEvent
    title = "安全日志"
    template_name = "audit/security_log.html"
    filter_form_class = SecurityFilterForm
    search_fields = ("username", "user_display", "object_repr", "ip")
    default_sort = "-at"
    columns: ClassVar[list[Column]] = [
        Column("at", "时间", lambda e: local_time(e.at), sort="at", width=20),
        Column("event_type", "事件类型", "get_event_type_display", sort="event_type"),
        Column("outcome", "结果", "get_outcome_display"),
        Column("username", "账号", sort="username"),
        Column("user_display", "姓名"),
        Column("role", "角色", lambda e: role_label(e.role)),
        Column("ip", "来源地址"),
        Column("object_repr", "对象", width=24),
        Column("detail", "详情", lambda e: detail_text(e.detail), width=40),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        if data.get("event_type"):
            qs = qs.filter(event_type=data["event_type"])
        if data.get("outcome"):
            qs = qs.filter(outcome=data["outcome"])
        if data.get("since"):
            qs = qs.filter(at__date__gte=data["since"])
        if data.get("until"):
            qs = qs.filter(at__date__lte=data["until"])
        return qs

    def extra_context(self) -> dict[str, Any]:
        if self.request.GET.get("verify"):
            report = verify_log()
            return {"chain_checked": True, "chain_broken": not report.ok, "chain_findings": report.findings}
        return {}


class HistoryView(ScopedView):
    """Who changed a business record, when, and each field before/after."""

    permission_model = "audit.history"

    def get(self, request: AuthedRequest, model: str, pk: int) -> HttpResponse:
        try:
            model_class = apps.get_model(model)
        except (LookupError, ValueError):
            raise Http404("记录类型不存在。") from None
        if not hasattr(model_class, "history") or not hasattr(model_class.objects, "for_user"):
            raise Http404("该记录类型没有修改历史。")
        # Whoever may see the record sees its history (business roles only, 三权分立).
        obj = model_class.objects.for_user(request.user).filter(pk=pk).first()
        if obj is None:
            request.jixiao_refused_object = f"{model} #{pk}"  # type: ignore[attr-defined]
            raise Http404("记录不存在或您无权查看。")
        records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
        entries = []
        for rec in records:
            prev = rec.prev_record
            changes = []
            if prev is not None:
                delta = rec.diff_against(prev)
                for change in delta.changes:
                    field = model_class._meta.get_field(change.field)
                    changes.append((field.verbose_name, _show(field, change.old), _show(field, change.new)))
            entries.append({"record": rec, "changes": changes, "kind": HISTORY_KINDS.get(rec.history_type, rec.history_type)})
        return render(request, "audit/history.html", {"title": f"修改历史：{obj}", "object": obj, "entries": entries})


HISTORY_KINDS = {"+": "创建", "~": "修改", "-": "删除"}


def _show(field: Any, value: Any) -> str:
    from jixiao.rules.money import format_wan

    if value is None:
        return ""
    shown = getattr(field.model, f"display_{field.name}", None)
    if callable(shown):
        return str(shown(value))
    if field.name == "state" and hasattr(field.model, "workflow"):
        return str(field.model.workflow().state_label(value))
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dict | list):
        return value_text(field.name, value) if value else "无"
    if field.name == "role":
        return role_label(value)
    if field.name.endswith("_fen"):
        return f"{format_wan(value)} 万元"
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.is_relation and not field.many_to_many:
        target = field.related_model.objects.filter(pk=value).first()
        return str(target) if target else str(value)
    return str(value)
