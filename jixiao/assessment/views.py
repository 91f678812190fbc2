"""Pages of the assessment (考核): the year's sheets, a unit's sheet, a computed score's facts, the
考核办法, the round's actions and the exports for the 区绩效办."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.assessment import exports, services
from jixiao.assessment.forms import ItemFormSet, SchemeForm, ScopeChangeForm
from jixiao.assessment.models import AssessmentEvidence, AssessmentScheme, ScopeChange, UnitAssessment
from jixiao.assessment.services import AssessmentError
from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedView
from jixiao.core.years import stage_words, valid_year
from jixiao.workflow.engine import available_transitions, can_edit
from jixiao.workflow.views import TransitionView

UA = "assessment.unitassessment"
SCHEME = "assessment.assessmentscheme"


def plan_year(request: AuthedRequest) -> int:
    """The assessment's year: ``?year=`` when given, else the working year (assessment: N)."""
    from jixiao.core.years import stage_year

    return valid_year(request.GET.get("year") or request.POST.get("year")) or stage_year(request, "assessment")


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class OverviewView(ScopedView):
    """The year's sheets: rank, total, grade, 通报表扬/约谈, state; the round's actions."""

    model = UnitAssessment
    permission_model = UA

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = plan_year(request)
        scheme = AssessmentScheme.objects.filter(year=year).first()
        rows = list(self.scoped().filter(year=year).select_related("unit").order_by("rank", "unit__code"))
        user = request.user
        counts: dict[str, int] = {}
        for ua in rows:
            counts[ua.state_label] = counts.get(ua.state_label, 0) + 1
        return render(request, "assessment/overview.html", {
            "title": stage_words("assessment", year), "year": year, "scheme": scheme, "rows": rows,
            "counts": sorted(counts.items()),
            "can_manage": user.can(SCHEME, "change"), "can_export": user.can(UA, "export"),
            "scope_result": services.scope(scheme) if scheme and user.can(SCHEME, "change") else None,
        })


class RoundActionView(ScopedView):
    """The performance section's round actions: open (scope + compute), recompute, 公示, 定稿."""

    model = AssessmentScheme
    permission_model = SCHEME
    permission_action = "change"

    def post(self, request: AuthedRequest) -> HttpResponse:
        year = plan_year(request)
        action = request.POST.get("action", "")
        target = reverse("assessment:overview") + f"?year={year}"
        try:
            if action == "open":
                scheme = services.ensure_scheme(year)
                created = services.open_assessments(scheme, request.user)
                messages.success(request, f"已按{scheme.scope_date:%Y年%m月%d日}的考评范围生成考核名单"
                                          f"（新增{created}个单位），并按事实计算了各项得分。")
            elif action == "publicise":
                count = services.publicise(self._scheme(year), request.user)
                messages.success(request, f"已计算排名和等次，向{count}个单位公示。")
            elif action == "finalise":
                count = services.finalise(self._scheme(year), request.user)
                messages.success(request, f"{count}个单位的考核结果已定稿，可导出报送区绩效办。")
            else:
                messages.error(request, "未知的操作，请刷新页面后重试。")
        except AssessmentError as exc:
            messages.error(request, str(exc))
        except Exception as exc:  # a WorkflowError inside a bulk action: nothing was written
            from jixiao.workflow.engine import WorkflowError

            if not isinstance(exc, WorkflowError):
                raise
            messages.error(request, str(exc))
        return redirect(target)

    @staticmethod
    def _scheme(year: int) -> AssessmentScheme:
        scheme = AssessmentScheme.objects.filter(year=year).first()
        if scheme is None:
            raise AssessmentError(f"{year}年度尚未生成考核名单。")
        return scheme


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class DetailView(ScopedView):
    model = UnitAssessment
    permission_model = UA

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return show(request, self.get_object())


def show(request: AuthedRequest, ua: UnitAssessment, posted: Any = None, errors: list[str] | None = None,
         status: int = 200) -> HttpResponse:
    user = request.user
    scores = list(ua.scores.all())
    can_self = ua.state == "self_assessment" and can_edit(ua, user)
    can_review = user.can(UA, "review") and (ua.state in ("review", "disputed"))
    evidence = list(ua.evidence.select_related("uploaded_by"))
    from jixiao.assessment.models import ScoreChange

    changes = list(ScoreChange.objects.filter(item__assessment=ua).select_related("item", "changed_by"))
    rows = []
    for s in scores:
        rows.append({"item": s, "evidence": [e for e in evidence if e.item_code == s.code],
                     "posted_score": posted.get(f"score_{s.code}") if posted is not None else None,
                     "posted_note": posted.get(f"note_{s.code}") if posted is not None else None,
                     "posted_reason": posted.get(f"reason_{s.code}") if posted is not None else None})
    from jixiao.evaluation.forms import EvidenceForm

    # Units see the scores once they are published to them; before that, their own self-scores.
    hide = user.role in ("unit_filler", "unit_approver") and not ua.published_scores
    return render(request, "assessment/detail.html", {
        "title": str(ua), "object": ua, "rows": rows, "can_self": can_self, "can_review": can_review,
        "changes": changes, "errors": errors or [], "transitions": available_transitions(ua, user),
        "evidence_form": EvidenceForm() if can_self else None, "hide_rank": hide,
        "history_model": "assessment.unitassessment",
    }, status=status)


class SelfScoreView(ScopedView):
    model = UnitAssessment
    permission_model = UA
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        ua = self.get_object()
        if ua.state != "self_assessment" or not can_edit(ua, request.user):
            messages.error(request, f"当前状态为「{ua.state_label}」，不能修改自评分。")
            return redirect(ua)
        values: dict[str, tuple[Decimal | None, str]] = {}
        errors = []
        for s in ua.scores.all():
            if s.measure:
                continue
            raw = request.POST.get(f"score_{s.code}", "")
            value = _decimal(raw)
            if raw.strip() and value is None:
                errors.append(f"「{s.code} {s.name}」的自评分「{raw}」不是数字。")
            values[s.code] = (value, request.POST.get(f"note_{s.code}", "")[:2000])
        if not errors:
            try:
                services.save_self_scores(ua, request.user, values)
            except AssessmentError as exc:
                errors.append(str(exc))
        if errors:
            return show(request, ua, request.POST, errors)
        messages.success(request, "自评分已保存。")
        return redirect(ua)


class ReviewView(ScopedView):
    """The performance section's scores: every change of a computed or self-assessed score needs a reason."""

    model = UnitAssessment
    permission_model = UA
    permission_action = "review"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        ua = self.get_object()
        if ua.state not in ("review", "disputed"):
            messages.error(request, f"当前状态为「{ua.state_label}」，不能调整得分。")
            return redirect(ua)
        errors: list[str] = []
        planned = []
        for s in ua.scores.all():
            raw = request.POST.get(f"score_{s.code}", "")
            if not raw.strip():
                continue
            value = _decimal(raw)
            if value is None:
                errors.append(f"「{s.code} {s.name}」的审核得分「{raw}」不是数字。")
                continue
            current = s.score if s.score is not None else (s.computed if s.measure else None)
            if current is not None and Decimal(current) == value:
                continue
            planned.append((s.code, value, request.POST.get(f"reason_{s.code}", "")))
        if not errors:
            try:
                with transaction.atomic():
                    for code, value, reason in planned:
                        services.review_score(ua, request.user, code, value, reason)
            except AssessmentError as exc:
                errors.append(str(exc))
        if errors:
            return show(request, ua, request.POST, errors)
        messages.success(request, f"已保存{len(planned)}项审核得分。" if planned else "得分没有变化。")
        return redirect(ua)


class ItemFactsView(ScopedView):
    """A computed score opened to the facts it was computed from."""

    model = UnitAssessment
    permission_model = UA

    def get(self, request: AuthedRequest, pk: int, code: str) -> HttpResponse:
        ua = self.get_object()
        item = ua.scores.filter(code=code).first()
        if item is None:
            raise Http404("考核项目不存在。")
        return render(request, "assessment/facts.html", {
            "title": f"{ua.unit.name}：{item.code} {item.name}", "object": ua, "item": item,
            "facts": [f for f in item.facts if isinstance(f, dict)],
            "changes": list(item.changes.select_related("changed_by")),
        })


class AssessmentTransitionView(TransitionView):
    model = UnitAssessment
    permission_model = UA

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        response = super().post(request, pk)
        ua = UnitAssessment.objects.get(pk=pk)
        if ua.state == "publicised":  # a resolved dispute may have changed a score: rank again
            services._rank_all(ua.scheme)
        return response


class EvidenceUploadView(ScopedView):
    model = UnitAssessment
    permission_model = UA
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.evaluation.forms import EvidenceForm

        ua = self.get_object()
        if ua.state != "self_assessment" or not can_edit(ua, request.user):
            messages.error(request, f"当前状态为「{ua.state_label}」，不能上传佐证材料。")
            return redirect(ua)
        code = request.POST.get("item_code", "")
        if not ua.scores.filter(code=code, measure="").exists():
            messages.error(request, "请选择要附佐证材料的评审打分项目。")
            return redirect(ua)
        form = bind_upload_form(EvidenceForm, request)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
            return redirect(ua)
        upload = form.cleaned_data["file"]
        item = AssessmentEvidence(assessment=ua, item_code=code, name=upload.name[:200], size=upload.size,
                                  uploaded_by=request.user, description=form.cleaned_data["description"])
        item.file.save(upload.name, upload, save=True)
        messages.success(request, f"已上传佐证材料：{item.name}")
        return redirect(ua)


class EvidenceDownloadView(ScopedView):
    model = UnitAssessment
    permission_model = UA

    def get(self, request: AuthedRequest, pk: int, evidence: int) -> HttpResponseBase:
        ua = self.get_object()
        item = ua.evidence.filter(pk=evidence).first()
        if item is None:
            raise Http404("佐证材料不存在。")
        log_event(EventType.EXPORT, request=request, obj=ua, file=item.name)
        return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


class SchemeView(ScopedView):
    """The year's 考核办法: read by every role that may, edited by the performance section."""

    model = AssessmentScheme
    permission_model = SCHEME

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = plan_year(request)
        scheme = AssessmentScheme.objects.filter(year=year).first()
        if scheme is None and request.user.can(SCHEME, "change"):
            scheme = services.ensure_scheme(year)
        return self.show(year, scheme)

    def show(self, year: int, scheme: AssessmentScheme | None, form: Any = None, items: Any = None,
             change_form: Any = None, status: int = 200) -> HttpResponse:
        user = self.request.user
        editable = user.can(SCHEME, "change") and scheme is not None and scheme.finalised_at is None
        if editable and scheme is not None:
            form = form or SchemeForm(instance=scheme)
            items = items or ItemFormSet(queryset=scheme.items.all(), prefix="item")
            change_form = change_form or ScopeChangeForm(prefix="scope")
        changes = list(ScopeChange.objects.for_user(user).filter(year=year).select_related("unit", "into"))
        return render(self.request, "assessment/scheme.html", {
            "title": f"{year}年度预算绩效管理工作考核办法", "year": year, "scheme": scheme, "editable": editable,
            "form": form, "items": items, "change_form": change_form, "changes": changes,
            "scheme_items": list(scheme.items.all()) if scheme else [],
            "lock_version": scheme.lock_version if scheme else 0,
        }, status=status)


    def post(self, request: AuthedRequest) -> HttpResponse:
        from django.core.exceptions import PermissionDenied

        from jixiao.core.locking import StaleEdit, form_version, save_with_lock

        if not request.user.can(SCHEME, "change"):
            raise PermissionDenied("您的角色无权修改考核办法。")
        year = plan_year(request)
        scheme = services.ensure_scheme(year)
        view = self
        if scheme.finalised_at is not None:
            messages.error(request, "本年度考核结果已定稿，考核办法不能再修改。")
            return redirect(reverse("assessment:scheme") + f"?year={year}")
        if request.POST.get("part") == "scope":
            change_form = ScopeChangeForm(request.POST, prefix="scope")
            if not change_form.is_valid():
                return view.show(year, scheme, change_form=change_form)
            change = change_form.save(commit=False)
            change.year = year
            with_reason(change, "登记考核范围变化")
            change.save()
            messages.success(request, f"已登记：{change}。请在考核总览中「生成/更新考核名单」使其生效。")
            return redirect(reverse("assessment:scheme") + f"?year={year}")
        form = SchemeForm(request.POST, instance=scheme)
        items = ItemFormSet(request.POST, queryset=scheme.items.all(), prefix="item")
        if not (form.is_valid() & items.is_valid()):
            return view.show(year, scheme, form=form, items=items)
        try:
            with transaction.atomic():
                instance = form.save(commit=False)
                with_reason(instance, "修改考核办法")
                version = form_version(request.POST)
                save_with_lock(instance, version if version is not None else -1)
                saved = items.save(commit=False)
                for obj in items.deleted_objects:
                    obj.delete()
                for n, obj in enumerate(saved):
                    obj.scheme = scheme
                    if obj.position == 0 and obj.pk is None:
                        obj.position = 100 + n
                    with_reason(obj, "修改考核办法")
                    obj.save()
        except StaleEdit as exc:
            messages.error(request, str(exc))
            return redirect(reverse("assessment:scheme") + f"?year={year}")
        messages.success(request, "考核办法已保存；已生成的考核表在「生成/更新考核名单」后按新办法计算。")
        return redirect(reverse("assessment:scheme") + f"?year={year}")


class ExportView(ScopedView):
    """The final scores with each item, for the 区绩效办 (.xlsx)."""

    model = UnitAssessment
    permission_model = UA
    permission_action = "export"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = plan_year(request)
        scheme = AssessmentScheme.objects.filter(year=year).first()
        if scheme is None:
            raise Http404("本年度尚未生成考核名单。")
        content = exports.workbook(scheme, self.scoped("view"))
        title = f"{stage_words('assessment', year)}结果"
        log_event(EventType.EXPORT, request=request, list=title)
        return _download(content, f"{title}_{timezone.localtime():%Y%m%d%H%M}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class NoticeView(ScopedView):
    """关于考核结果的通报 (.docx) of the rows this user may see (external readers: final ones only)."""

    model = UnitAssessment
    permission_model = UA
    permission_action = "export"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = plan_year(request)
        scheme = AssessmentScheme.objects.filter(year=year).first()
        if scheme is None:
            raise Http404("本年度尚未生成考核名单。")
        title = f"关于{stage_words('assessment', year)}结果的通报"
        log_event(EventType.EXPORT, request=request, list=title)
        return _download(exports.notice(scheme, self.scoped("view")), f"{title}.docx",
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
