"""Self-evaluation, deadlines and re-check pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.listing import Column
from jixiao.core.locking import StaleEdit, form_version
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedListView, ScopedView
from jixiao.core.years import stage_words, stage_year, valid_year
from jixiao.evaluation import forms as f
from jixiao.evaluation.models import Evidence, Recheck, RecheckIndicator, RecheckRound, SelfEvaluation
from jixiao.evaluation.services import (
    EvaluationError,
    check,
    draw_sample,
    issue_tasks,
    late_submissions,
    overdue_selfevals,
    recheck_document,
    refresh_scores,
    save_recheck,
    selfeval_document,
)
from jixiao.rules.checker import check_table
from jixiao.workflow.engine import (
    WorkflowDocument,
    WorkflowError,
    available_transitions,
    can_edit,
    save_document,
)
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView


def current_year(request: HttpRequest, stage: str = "evaluation") -> int:
    """The year asked for (``?year=``), else the stage's object year of the working year (N−1 for
    self-evaluation: it looks back one budget year)."""
    return valid_year(request.GET.get("year")) or stage_year(request, stage)


def score_text(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


class SelfEvalListView(ScopedListView):
    model = SelfEvaluation
    year_stage = "evaluation"
    title = "绩效自评表"
    filter_form_class = f.SelfEvalFilterForm
    search_fields = ("project__name", "project__code", "unit__name", "unit__code")
    default_sort = "unit__code"
    select_related = ("unit", "project", "sector")
    detail_url_name = "evaluation:selfeval_detail"
    columns: ClassVar[list[Column]] = [
        Column("subject", "项目/单位", "subject", sort="project__name", width=36),
        Column("kind", "类型", "get_kind_display", sort="kind"),
        Column("year", "年度", sort="year", width=8),
        Column("unit", "实施单位", "unit.name", sort="unit__code", width=24),
        Column("budget", "全年预算数", "budget_fen", sort="budget_fen", kind="wan"),
        Column("executed", "全年执行数", "executed_fen", sort="executed_fen", kind="wan"),
        Column("claimed_total", "自评总分", lambda s: s.filed_score(s.claimed_total), sort="claimed_total", width=9),
        Column("computed_total", "系统计算总分", lambda s: s.filed_score(s.computed_total), sort="computed_total",
               width=9),
        Column("computed_grade", "等级", "filed_grade", sort="computed_grade", width=6),
        Column("errors", "错误/警告", lambda s: f"{s.error_count}/{s.warning_count}", sort="error_count", width=8),
        Column("effective", "结果应用得分", lambda s: s.filed_score(s.effective_score), sort="effective_score",
               width=9),
        Column("state", "状态", "state_label", sort="state"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        for key in ("year", "kind", "state", "sector"):
            if data.get(key):
                qs = qs.filter(**{key: data[key]})
        if data.get("grade"):
            qs = qs.filter(computed_grade=data["grade"])
        if data.get("findings") == "errors":
            qs = qs.filter(error_count__gt=0)
        elif data.get("findings") == "clean":
            qs = qs.filter(error_count=0)
        return qs


class IssueTasksView(ScopedView):
    model = SelfEvaluation
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = current_year(request)
        from jixiao.targets.models import TargetDeclaration

        approved = TargetDeclaration.objects.current().approved().filter(year=year)
        return render(request, "evaluation/issue_tasks.html", {
            "title": f"下达{stage_words('evaluation', year)}任务", "form": f.YearForm(initial={"year": year}), "year": year,
            "approved": approved.count(), "issued": SelfEvaluation.objects.filter(year=year).count(),
            "missing": approved.filter(self_evaluations__isnull=True).count(),
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = f.YearForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写有效的自评年度。")
            return redirect("evaluation:issue_tasks")
        year = form.cleaned_data["year"]
        try:
            count = issue_tasks(year, request.user)
        except EvaluationError as exc:
            messages.error(request, str(exc))
            return redirect("evaluation:issue_tasks")
        messages.success(request, f"已下达{year}年度绩效自评任务 {count} 项（按批复的绩效目标预填）。")
        return redirect(f"/evaluation/selfeval/?year={year}")


def scored_rows(se: SelfEvaluation, rows: list[Any]) -> tuple[Any, list[tuple[Any, Any]]]:
    """The checker's result and each form row beside its recomputed score."""
    result = check(se, rows)
    checks = list(result.indicators) if not result.malformed else [None] * len(rows)
    return result, list(zip(rows, checks, strict=True))


class SelfEvalDetailView(ScopedView):
    model = SelfEvaluation

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        user = request.user
        result, rows = scored_rows(obj, list(obj.indicators.all()))
        rechecks = Recheck.objects.for_user(user).filter(selfeval=obj, completed_at__isnull=False).select_related("agency")
        return render(request, "evaluation/selfeval_detail.html", {
            "title": str(obj), "object": obj, "result": result, "rows": rows,
            "transitions": available_transitions(obj, user),
            "can_edit": can_edit(obj, user) and user.can("evaluation.selfevaluation", "change"),
            "evidence": list(obj.evidence.select_related("uploaded_by")), "evidence_form": f.EvidenceForm(),
            "review_log": ReviewLog.for_document(obj), "rechecks": rechecks,
        })


class SelfEvalEditView(ScopedView):
    model = SelfEvaluation
    permission_action = "change"

    def editable(self) -> SelfEvaluation:
        obj = self.get_object("view")
        if not can_edit(obj, self.request.user):
            raise Http404("该自评表当前状态不可修改。")
        return obj

    def show(self, obj: SelfEvaluation, form: Any, rows: Any, version: int, status: int = 200) -> HttpResponse:
        result, scored = scored_rows(obj, [r.instance for r in rows.forms])
        return render(self.request, "evaluation/selfeval_form.html", {
            "title": f"填报：{obj}", "object": obj, "form": form, "rows": rows, "lock_version": version,
            "result": result, "score_rows": scored,
            "scored": list(zip(rows.forms, [c for _, c in scored], strict=True)),
        }, status=status)

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.editable()
        return self.show(obj, f.SelfEvalForm(instance=obj), f.SelfEvalRowFormSet(instance=obj, prefix="row"),
                         obj.lock_version)

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.editable()
        version = form_version(request.POST)
        form = f.SelfEvalForm(request.POST, instance=obj)
        rows = f.SelfEvalRowFormSet(request.POST, instance=obj, prefix="row")
        if not (form.is_valid() and rows.is_valid()):
            return self.show(obj, form, rows, version if version is not None else obj.lock_version)
        instance = form.save(commit=False)
        with_reason(instance, "填报修改")

        def save_rows(saved: WorkflowDocument) -> None:
            rows.save()

        try:
            save_document(instance, request.user, version if version is not None else -1, after_save=save_rows)
        except StaleEdit as exc:
            messages.error(request, str(exc))
            fresh = SelfEvaluation.objects.get(pk=obj.pk)
            return self.show(fresh, f.SelfEvalForm(instance=fresh), f.SelfEvalRowFormSet(instance=fresh, prefix="row"),
                             fresh.lock_version, status=409)
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect(obj)
        result = refresh_scores(instance)
        errors = [x for x in result.findings if x.severity == "error"]
        if errors:
            messages.warning(request, f"已保存。系统检查发现{len(errors)}处错误（见下方），提交前请修改。")
        else:
            messages.success(request, "已保存，系统检查未发现错误。")
        return redirect("evaluation:selfeval_edit" if "stay" in request.POST else "evaluation:selfeval_detail", pk=obj.pk)


class SelfEvalPreviewView(ScopedView):
    """The live scores beside the form: the form's values as a selfeval-table document, checked
    by the rules engine with the year's rule set. Nothing is saved."""

    model = SelfEvaluation
    permission_action = "change"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        result, rows = scored_rows(obj, list(obj.indicators.all()))
        return render(request, "evaluation/_scores.html", {"result": result, "rows": rows, "object": obj})

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        form = f.SelfEvalForm(request.POST, instance=obj)
        rows = f.SelfEvalRowFormSet(request.POST, instance=obj, prefix="row")
        valid = form.is_valid() & rows.is_valid()
        result, scored = scored_rows(obj, [r.instance for r in rows.forms])
        return render(request, "evaluation/_scores.html", {
            "result": result, "rows": scored, "object": obj, "invalid": not valid})


class SelfEvalTransitionView(TransitionView):
    model = SelfEvaluation

class EvidenceUploadView(ScopedView):
    model = SelfEvaluation
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        if not can_edit(obj, request.user):
            messages.error(request, f"当前状态为「{obj.state_label}」，不能上传佐证材料。")
            return redirect(obj)
        form = bind_upload_form(f.EvidenceForm, request)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(obj)
        upload = form.cleaned_data["file"]
        evidence = Evidence(selfeval=obj, name=upload.name[:200], size=upload.size, uploaded_by=request.user,
                            description=form.cleaned_data["description"])
        evidence.file.save(upload.name, upload, save=True)
        messages.success(request, f"已上传佐证材料：{evidence.name}")
        return redirect(obj)


class EvidenceDownloadView(ScopedView):
    model = SelfEvaluation

    def get(self, request: AuthedRequest, pk: int, evidence: int) -> HttpResponseBase:
        obj = self.get_object()
        item = obj.evidence.filter(pk=evidence).first()
        if item is None:
            raise Http404("佐证材料不存在。")
        log_event(EventType.EXPORT, request=request, obj=obj, file=item.name)
        return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


class SelfEvalJsonView(ScopedView):
    """The table as a selfeval-table.md document (the same data the checker scores on screen)."""

    model = SelfEvaluation
    permission_action = "export"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        doc = selfeval_document(obj)
        log_event(EventType.EXPORT, request=request, obj=obj, format="json")
        response = HttpResponse(json.dumps(doc, ensure_ascii=False, indent=2, default=_json_number),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename=selfeval-{obj.pk}.json"
        return response


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)


class OverdueView(ScopedView):
    """逾期未报与逾期未公开: for the finance bureau, with the calendar's deadlines."""

    model = SelfEvaluation
    permission_model = "evaluation.deadlinereport"

    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.evaluation.services import unpublished_selfevals

        year, today = current_year(request), timezone.localdate()
        visible = SelfEvaluation.objects.for_user(request.user, "view").select_related("unit", "project")
        submit_due, overdue = overdue_selfevals(year, today)
        publish_due, unpublished = unpublished_selfevals(year, today)
        _, late = late_submissions(year)
        limit = 300
        return render(request, "evaluation/overdue.html", {
            "title": f"{stage_words('evaluation', year)}逾期与未公开情况", "year": year, "today": today,
            "submit_due": submit_due, "publish_due": publish_due,
            "overdue": list(visible.filter(pk__in=overdue.values("pk")).order_by("unit__code")[:limit]),
            "late": list(visible.filter(pk__in=late.values("pk")).order_by("unit__code")[:limit]),
            "unpublished": list(visible.filter(pk__in=unpublished.values("pk")).order_by("unit__code")[:limit]),
        })


# --- re-check --------------------------------------------------------------------------------------------


class RoundListView(ScopedListView):
    model = RecheckRound
    title = "自评质量复核抽样"
    template_name = "evaluation/round_list.html"
    default_sort = "-drawn_at"
    select_related = ("agency", "drawn_by")
    columns: ClassVar[list[Column]] = [
        Column("year", "自评年度", sort="year", width=8),
        Column("agency", "复核机构", "agency.name", width=24),
        Column("candidate_count", "可抽样数", width=8),
        Column("seed", "随机种子", width=14),
        Column("rule", "抽样规则", "rule_text", width=40),
        Column("drawn_by", "抽样人", "drawn_by.real_name"),
        Column("drawn_at", "抽样时间", sort="drawn_at"),
    ]

    def extra_context(self) -> dict[str, Any]:
        can_draw = self.request.user.can("evaluation.recheckround", "add")
        return {"draw_form": f.DrawForm(initial={"year": stage_year(self.request, "evaluation")}) if can_draw else None}


class DrawView(ScopedView):
    model = RecheckRound
    permission_action = "add"

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = f.DrawForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
            return redirect("evaluation:round_list")
        data = form.cleaned_data
        try:
            rnd = draw_sample(data["year"], data["agency"], request.user, data["seed"])
        except EvaluationError as exc:
            messages.error(request, str(exc))
            return redirect("evaluation:round_list")
        messages.success(request, f"已抽取 {rnd.rechecks.count()} 张自评表（共 {rnd.candidate_count} 张，随机种子 {rnd.seed}）。")
        return redirect(f"/evaluation/recheck/?round={rnd.pk}")


class RecheckListView(ScopedListView):
    model = Recheck
    title = "自评质量复核"
    search_fields = ("selfeval__project__name", "selfeval__unit__name")
    default_sort = "selfeval__unit__code"
    select_related = ("selfeval__unit", "selfeval__project", "agency", "round")
    detail_url_name = "evaluation:recheck_detail"
    columns: ClassVar[list[Column]] = [
        Column("subject", "项目/单位", "selfeval.subject", sort="selfeval__project__name", width=34),
        Column("unit", "实施单位", "selfeval.unit.name", sort="selfeval__unit__code", width=22),
        Column("year", "年度", "round.year", width=8),
        Column("reason", "抽中原因", sort="reason", width=10),
        Column("agency", "复核机构", "agency.name", width=22),
        Column("self_score", "自评得分", lambda r: r.self_score, kind="decimal", sort="self_score", width=9),
        Column("recheck_score", "复核得分", lambda r: r.recheck_score, kind="decimal", sort="recheck_score", width=9),
        Column("delta", "差异Δ", lambda r: r.delta, kind="decimal", sort="delta", width=8),
        Column("quality", "质量等级", sort="quality", width=8),
        Column("replaces", "以复核分替代", "replaces_self_score", kind="bool", width=8),
        Column("state", "状态", "state_label"),
    ]

    def rows(self) -> Any:
        qs, form, sort = super().rows()
        if (self.request.GET.get("round") or "").isdigit():
            qs = qs.filter(round_id=int(self.request.GET["round"]))
        return qs, form, sort


class RecheckDetailView(ScopedView):
    """The re-check record: per indicator the unit's value and score beside the verified ones."""

    model = Recheck

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return self.show(request, self.get_object())

    @staticmethod
    def show(request: AuthedRequest, obj: Recheck, posted: Any = None, status: int = 200) -> HttpResponse:
        """The re-check page; after a refused save (``posted``) every typed value comes back."""
        rows = list(obj.rows.select_related("indicator"))
        result = check_table(recheck_document(obj), obj.selfeval.rule_set)
        editable = (request.user.can("evaluation.recheck", "change") and obj.completed_at is None
                    and Recheck.objects.for_user(request.user, "change").filter(pk=obj.pk).exists())
        form = f.RecheckForm(posted, initial={
            "executed_fen": obj.executed_fen, "documentation_complete": obj.documentation_complete,
            "evidence_false": obj.evidence_false, "findings": obj.findings})
        if posted is not None:
            for row in rows:  # shown, never saved
                row.actual = posted.get(f"actual_{row.pk}", "")
                row.score = posted.get(f"score_{row.pk}", "")  # type: ignore[assignment]
                row.note = posted.get(f"note_{row.pk}", "")
        return render(request, "evaluation/recheck_detail.html", {
            "title": str(obj), "object": obj, "selfeval": obj.selfeval,
            "rows": list(zip(rows, result.indicators if not result.malformed else [None] * len(rows), strict=True)),
            "result": result, "editable": editable, "form": form,
        }, status=status)


class RecheckSaveView(ScopedView):
    model = Recheck
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        if obj.completed_at is not None:
            messages.error(request, "该复核已完成，不能再修改。")
            return redirect(obj)
        form = f.RecheckForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
            return RecheckDetailView.show(request, obj, request.POST, status=400)
        try:
            updates = self.read_rows(obj, request.POST)
        except ValueError as exc:
            messages.error(request, str(exc))
            return RecheckDetailView.show(request, obj, request.POST, status=400)
        values = {key: form.cleaned_data[key] for key in ("executed_fen", "documentation_complete", "evidence_false", "findings")}
        try:
            outcome = save_recheck(obj, request.user, form_version(request.POST), values, updates,
                                   complete="complete" in request.POST)
        except (StaleEdit, EvaluationError) as exc:
            messages.error(request, str(exc))
            return RecheckDetailView.show(request, obj, request.POST, status=409)
        if outcome is not None:
            messages.success(request, f"复核完成：复核得分 {outcome.recheck_score:.2f}，差异 {outcome.delta:.2f}，"
                                      f"自评质量等级「{outcome.quality}」。")
        else:
            messages.success(request, "复核评分已保存。")
        return redirect(obj)

    @staticmethod
    def read_rows(obj: Recheck, data: Any) -> list[tuple[RecheckIndicator, tuple[str, Decimal | None, str]]]:
        from decimal import InvalidOperation

        out = []
        for n, row in enumerate(obj.rows.select_related("indicator"), start=1):
            raw = (data.get(f"score_{row.pk}") or "").strip()
            try:
                score = Decimal(raw) if raw else None
            except InvalidOperation:
                raise ValueError(f"第{n}行指标「{row.indicator.name}」的复核评分「{raw}」不是数字。") from None
            if score is not None and (score < 0 or (row.indicator.weight is not None and score > row.indicator.weight)):
                raise ValueError(f"第{n}行指标「{row.indicator.name}」的复核评分 {raw} 超出 0～{row.indicator.weight} 分。")
            actual = (data.get(f"actual_{row.pk}") or "").strip()[:120]
            out.append((row, (actual, score, (data.get(f"note_{row.pk}") or "").strip()[:300])))
        return out

