"""The rectification register: the list (per source, overdue), 本单位整改清单, one item's page with the
unit's answer and evidence and finance's verification; the pages that raise items from a monitoring
form or a re-check; the old lists' URLs, which now redirect here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.listing import Column
from jixiao.core.locking import StaleEdit
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedListView, ScopedView
from jixiao.rectification import forms as f
from jixiao.rectification.models import OPEN_STATES, Measure, Rectification, Source
from jixiao.rectification.services import (
    RectificationError,
    add_evidence,
    default_deadline,
    from_monitoring,
    from_recheck,
    save_feedback,
    start_retarget,
)
from jixiao.workflow.engine import WorkflowError, available_transitions, can_edit
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView

COLUMNS: list[Column] = [
    Column("source", "来源", "get_source_display", sort="source", width=12),
    Column("source_title", "来源文件", sort="source_title", width=30),
    Column("unit", "责任单位", "unit.name", sort="unit__code", width=22),
    Column("kind", "措施", "get_kind_display", sort="kind", width=14),
    Column("problem", "存在问题", width=34),
    Column("deadline", "整改期限", sort="deadline"),
    Column("state", "状态", "status_label", sort="state", width=16),
    Column("answered_at", "反馈时间", sort="answered_at"),
    Column("closed_at", "销号时间", sort="closed_at"),
]


class RegisterListView(ScopedListView):
    model = Rectification
    title = "整改清单"
    filter_form_class = f.RegisterFilterForm
    search_fields = ("problem", "requirement", "unit__name", "source_title", "owner")
    default_sort = "deadline"
    select_related = ("unit",)
    detail_url_name = "rectification:detail"
    columns: ClassVar[list[Column]] = COLUMNS

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        for key in ("source", "kind", "state", "year"):
            if data.get(key):
                qs = qs.filter(**{key: data[key]})
        if data.get("overdue"):
            qs = qs.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
        return qs

    def extra_context(self) -> dict[str, Any]:
        user = self.request.user
        return {"intro": "监控纠偏措施、自评复核发现、重点评价及审计发现的问题统一在此整改、反馈、核验和销号。"
                         + (f"本单位整改清单见「{user.unit.name}」。" if user.unit_id and user.unit else "")}


class OverdueListView(RegisterListView):
    """The one overdue list: still with the unit after its deadline."""

    title = "逾期未整改事项"

    def scoped(self, action: str | None = None) -> QuerySet[Any]:
        return super().scoped(action).overdue()  # type: ignore[attr-defined, no-any-return]


class SourceListView(RegisterListView):
    """The register of one source (e.g. 绩效监控 = the former 纠偏措施 list)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if kwargs["source"] not in Source.values:
            raise Http404("没有这一整改来源。")
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, action: str | None = None) -> QuerySet[Any]:
        return super().scoped(action).filter(source=self.kwargs["source"])

    def extra_context(self) -> dict[str, Any]:
        return {"title": f"整改清单（{Source(self.kwargs['source']).label}）"}


class UnitRegisterView(ScopedView):
    """本单位整改清单: one unit's items grouped by source, open ones first, with counts."""

    model = Rectification

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.organisation.models import BudgetUnit

        unit = BudgetUnit.objects.for_user(request.user).filter(pk=pk).first()
        if unit is None:
            raise Http404("单位不存在或您无权查看。")
        today = timezone.localdate()
        rows = (self.scoped().filter(unit=unit).select_related("unit")
                .order_by("source", "state", "deadline", "pk"))
        items = list(rows[:500])
        counts = rows.aggregate(total=Count("pk"), pending=Count("pk", filter=Q(state__in=("issued", "returned", "escalated", "answered"))),
                                overdue=Count("pk", filter=Q(state__in=OPEN_STATES, deadline__lt=today)),
                                closed=Count("pk", filter=Q(state="closed")))
        groups = [(label, [i for i in items if i.source == code]) for code, label in Source.choices]
        return render(request, "rectification/unit.html", {
            "title": f"本单位整改清单：{unit.name}", "unit": unit, "counts": counts,
            "groups": [(label, group) for label, group in groups if group]})


class DetailView(ScopedView):
    model = Rectification

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        user = request.user
        editable = can_edit(obj, user) and user.can("rectification.rectification", "change")
        return render(request, "rectification/detail.html", {
            "title": str(obj), "object": obj, "transitions": available_transitions(obj, user),
            "can_edit": editable, "evidence": list(obj.evidence.select_related("uploaded_by")),
            "feedback_form": f.FeedbackForm(initial={"feedback": obj.feedback, "lock_version": obj.lock_version}),
            "evidence_form": f.EvidenceForm(),
            "can_retarget": editable and obj.kind == Measure.RETARGET and not obj.target_adjustment_id,
            "retarget_form": f.RetargetForm(), "review_log": ReviewLog.for_document(obj),
        })


class FeedbackView(ScopedView):
    model = Rectification
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        form = f.FeedbackForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写整改反馈。")
            return redirect(obj)
        try:
            save_feedback(obj, request.user, form.cleaned_data["lock_version"], form.cleaned_data["feedback"])
            messages.success(request, "整改反馈已保存。")
        except (WorkflowError, StaleEdit) as exc:
            messages.error(request, str(exc))
        return redirect(obj)


class EvidenceUploadView(ScopedView):
    model = Rectification
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        form = f.EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(obj)
        try:
            evidence = add_evidence(obj, request.user, form.cleaned_data["file"], form.cleaned_data["description"])
        except RectificationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已上传整改佐证材料：{evidence.name}")
        return redirect(obj)


class EvidenceDownloadView(ScopedView):
    model = Rectification

    def get(self, request: AuthedRequest, pk: int, evidence: int) -> HttpResponseBase:
        obj = self.get_object()
        item = obj.evidence.filter(pk=evidence).first()
        if item is None:
            raise Http404("佐证材料不存在。")
        log_event(EventType.EXPORT, request=request, obj=obj, file=item.name)
        return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


class RectificationTransitionView(TransitionView):
    model = Rectification


class RetargetView(ScopedView):
    model = Rectification
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        try:
            new = start_retarget(obj, request.user, request.POST.get("reason", ""))
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect(obj)
        messages.success(request, f"已生成绩效目标第{new.version}版（调整），请修改后按目标审核流程报送。")
        return redirect("targets:declaration_edit", pk=new.pk)


# --- raising items from a stage's document --------------------------------------------------------------


class IssueView(ScopedView, ABC):
    """GET shows the form with the calendar's deadline; POST puts the item on the register."""

    model = Rectification
    permission_action = "add"
    form_class: ClassVar[Any] = f.IssueForm
    source: ClassVar[str] = ""

    @abstractmethod
    def document(self) -> Any:
        """The stage's document the item comes from (scoped to the user, 404 otherwise)."""

    def page(self, doc: Any, form: Any) -> HttpResponse:
        form.fields["deadline"].help_text = f"不填则按工作日历的整改期限：{default_deadline(self.source):%Y年%m月%d日}"
        return render(self.request, "core/form.html", {"title": f"下达整改事项：{doc}", "form": form})

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return self.page(self.document(), self.form_class())

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        doc = self.document()
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.page(doc, form)
        try:
            item = self.create(doc, form.cleaned_data)
        except RectificationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
            return self.page(doc, form)
        messages.success(request, "整改事项已下达，责任单位已收到通知。")
        return redirect(item)

    @abstractmethod
    def create(self, doc: Any, d: dict[str, Any]) -> Rectification:
        """Put the item on the register through the stage's service function."""


class FromMonitoringView(IssueView):
    permission_action = "supervise"
    form_class = f.MeasureForm
    source = Source.MONITORING

    def document(self) -> Any:
        from jixiao.monitoring.models import MonitoringForm

        return get_object_or_404(MonitoringForm.objects.for_user(self.request.user).select_related("unit", "project", "round"),
                                 pk=self.kwargs["pk"])

    def create(self, doc: Any, d: dict[str, Any]) -> Rectification:
        return from_monitoring(doc, self.request.user, d["kind"], d["description"], d["owner"], d["deadline"], d["reduce_fen"])


class FromRecheckView(IssueView):
    permission_action = "supervise"
    source = Source.RECHECK

    def document(self) -> Any:
        from jixiao.evaluation.models import Recheck

        return get_object_or_404(Recheck.objects.for_user(self.request.user).select_related("selfeval", "round"),
                                 pk=self.kwargs["pk"])

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        doc = self.document()
        return self.page(doc, self.form_class(initial={"problem": doc.findings}))

    def create(self, doc: Any, d: dict[str, Any]) -> Rectification:
        return from_recheck(doc, self.request.user, d["problem"], d["requirement"], d["deadline"])


# --- the old lists' URLs ----------------------------------------------------------------------------------


class LegacyListView(ScopedView):
    """纠偏措施 / 整改清单 of the monitoring and evaluation stages now live in the register."""

    model = Rectification
    source: ClassVar[str] = ""

    def get(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("rectification:source", source=self.source)


class LegacyMonitoringListView(LegacyListView):
    source = Source.MONITORING


class LegacyKeyEvaluationListView(LegacyListView):
    source = Source.KEY_EVALUATION


class LegacyDetailView(ScopedView):
    """A former page of a record moved onto the register (纠偏措施, 审计发现问题): the item migrated
    from it, found by its ``legacy`` mark "<old model>:<old id>"."""

    model = Rectification
    legacy_model = ""

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        item = self.scoped().filter(legacy=f"{self.legacy_model}:{pk}").first()
        if item is None:
            raise Http404("记录不存在或您无权查看。")
        return redirect(item)


class LegacyActionDetailView(LegacyDetailView):
    legacy_model = "correctiveaction"
