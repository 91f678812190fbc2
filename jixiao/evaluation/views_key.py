"""Key evaluations, rectification, the agency and expert registry, parameters and the annual summary."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.core.listing import Column
from jixiao.core.locking import StaleEdit, form_version
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.views import ScopedListView, ScopedUpdateView, ScopedView
from jixiao.core.years import STAGE_OFFSETS, stage_words, stage_year, working_year
from jixiao.evaluation import forms as f
from jixiao.evaluation.models import (
    Agency,
    EvaluationYear,
    Expert,
    KeyEvaluation,
    KeyKind,
    SelfEvaluation,
    Subject,
)
from jixiao.evaluation.services import (
    EvaluationError,
    add_rectification,
    department_total,
    engage,
    framework_problems,
    may_score,
    may_see_scores,
    npc_late,
    plan_due,
    quota,
    rater_ids,
    save_scores,
)
from jixiao.evaluation.views import current_year
from jixiao.organisation.models import Project
from jixiao.rules.evaluation_key import FrameworkRow
from jixiao.rules.ruleset import get_rule_set
from jixiao.workflow.engine import WorkflowError, available_transitions, can_edit
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView


class KeyEvalListView(ScopedListView):
    model = KeyEvaluation
    year_stage = "key_evaluation"
    title = "重点评价"
    template_name = "evaluation/keyeval_list.html"
    filter_form_class = f.KeyEvalFilterForm
    search_fields = ("title", "unit__name")
    default_sort = "-year"
    select_related = ("unit", "agency", "policy_category")
    detail_url_name = "evaluation:keyeval_detail"
    columns: ClassVar[list[Column]] = [
        Column("title", "评价项目", sort="title", width=36),
        Column("kind", "评价类型", "get_kind_display", sort="kind"),
        Column("subject", "评价对象", "get_subject_display", sort="subject"),
        Column("year", "年度", sort="year", width=8),
        Column("unit", "被评价单位", "unit.name", sort="unit__code", width=22),
        Column("policy", "政策类别", lambda k: k.policy_category.name if k.policy_category_id else ""),
        Column("amount", "涉及资金", "amount_fen", sort="amount_fen", kind="wan"),
        Column("agency", "第三方机构", lambda k: k.agency.name if k.agency_id else "", width=22),
        Column("total", "得分", lambda k: k.total, kind="decimal", sort="total", width=8),
        Column("grade", "等级", sort="grade", width=6),
        Column("state", "状态", "state_label", sort="state"),
    ]

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        # The list's year is the evaluated budget year (N−1 of the working year).
        for key, lookup in (("year", "evaluated_year"), ("kind", "kind"), ("state", "state")):
            if data.get(key):
                qs = qs.filter(**{lookup: data[key]})
        return qs

    def extra_context(self) -> dict[str, Any]:
        # The quota of the plan year the listed evaluations belong to (the working year).
        year = working_year(self.request)
        user = self.request.user
        return {"quota": quota(year) if user.role in ("perf_section", "npc_reader", "budget_desk") else None,
                "can_propose": user.can("evaluation.keyevaluation", "add")}


def audit_suggestions(plan_year: int) -> list[Any]:
    """财审联动: the audit bureau's audit-plan items suggested as key-evaluation topics (plan year N)."""
    from django.apps import apps

    if not apps.is_installed("jixiao.auditlink"):
        return []
    from jixiao.auditlink.services import suggested_topics

    return suggested_topics(plan_year)


class CandidateView(ScopedView):
    """Suggested topics (key sectors, policy categories, largest amounts) and the topic form."""

    model = KeyEvaluation
    permission_action = "add"

    def suggestions(self, year: int) -> list[Project]:
        projects = (Project.objects.for_user(self.request.user).filter(year=year)
                    .filter(Q(sector__is_key=True) | Q(policy_categories__isnull=False))
                    .exclude(key_evaluations__isnull=False).select_related("unit", "sector")
                    .prefetch_related("policy_categories").distinct().order_by("-adjusted_budget_fen"))
        return list(projects[:30])

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = current_year(request, "key_evaluation")
        form = f.CandidateForm(user=request.user, initial={"evaluated_year": year})
        return self.show(form, year)

    def show(self, form: Any, year: int, status: int = 200) -> HttpResponse:
        return render(self.request, "evaluation/candidates.html", {
            "title": f"{stage_words('key_evaluation', year)}选题", "form": form, "year": year, "suggestions": self.suggestions(year),
            "own": self.request.user.role == "unit_approver", "audit_suggestions": audit_suggestions(year + 1),
        }, status=status)

    def post(self, request: AuthedRequest) -> HttpResponse:
        data = request.POST.copy()
        project = None
        from_project = data.get("from_project", "")
        if from_project.isdigit():
            project = Project.objects.for_user(request.user).filter(pk=int(from_project)).first()
            if project is not None:
                data.update({"title": project.name, "subject": Subject.PROJECT, "unit": str(project.unit_id),
                             "sector": str(project.sector_id), "project": str(project.pk),
                             "evaluated_year": str(project.year),
                             "amount_fen": f"{project.adjusted_budget_fen / 1_000_000:.2f}",
                             "reason": data.get("reason") or "重点行业/重大政策项目，资金量较大，社会关注度高。"})
        form = f.CandidateForm(data, user=request.user)
        if not form.is_valid():
            return self.show(form, current_year(request, "key_evaluation"), status=400)
        ke = form.save(commit=False)
        ke.kind = KeyKind.UNIT if request.user.role == "unit_approver" else KeyKind.FINANCE
        # The plan year whose 人大 approval, quota and calendar it joins: the evaluated year's N.
        ke.year = ke.evaluated_year - STAGE_OFFSETS["key_evaluation"]
        ke.rule_set = EvaluationYear.for_year(ke.evaluated_year).rule_set
        if ke.subject == Subject.DEPARTMENT and not ke.amount_fen:
            ke.amount_fen = department_total(ke.unit_id, ke.evaluated_year)
        with_reason(ke, "新增重点评价选题").save()
        messages.success(request, f"已列为重点评价候选：{ke.title}")
        return redirect(ke)


def commissioner(ke: KeyEvaluation) -> str:
    return "unit_approver" if ke.kind == KeyKind.UNIT else "perf_section"


def evaluator_roles(ke: KeyEvaluation) -> tuple[str, ...]:
    return ("unit_approver", "agency") if ke.kind == KeyKind.UNIT else ("agency",)


class KeyEvalDetailView(ScopedView):
    model = KeyEvaluation

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return render_detail(request, self.get_object())

    @staticmethod
    def sections(obj: KeyEvaluation, user: Any, editable: bool) -> set[str]:
        """Which editing sections this user gets now (the state's editors, by role and kind)."""
        role, out = user.role, set()
        if editable and obj.state == "candidate" and role == commissioner(obj):
            out.add("topic")
        if obj.state == "approved" and role == commissioner(obj) and user.can("evaluation.keyevaluation", "change"):
            out.add("engage")
        if editable and obj.state == "engaged" and role in evaluator_roles(obj):
            out.add("plan")
        if editable and obj.state == "fieldwork":
            if may_score(obj, user):
                out.add("score")
            if role in evaluator_roles(obj):
                out.add("draft")
        if editable and obj.state == "draft_report":
            out.add("feedback")
        if editable and obj.state == "feedback_given" and role in evaluator_roles(obj):
            out.add("final")
        if obj.state in ("reported", "published") and role == commissioner(obj):
            out.add("rectify")
        return out


def render_detail(request: AuthedRequest, obj: KeyEvaluation, posted: str | None = None, status: int = 200) -> HttpResponse:
    """The key-evaluation page. After a refused section post (``posted``), that section's forms are
    bound to what was typed, so every value comes back with the error (nothing is lost)."""
    user = request.user
    editable = can_edit(obj, user) and user.can("evaluation.keyevaluation", "change")
    indicators = list(obj.indicators.prefetch_related("scores__scorer"))
    raters = rater_ids(obj)
    rows = [FrameworkRow(i.level1, i.level2, i.name, i.weight,
                         tuple(s.score for s in i.scores.all() if s.scorer_id in raters)) for i in indicators]
    from jixiao.rules.evaluation_key import score_framework

    score = score_framework(rows, get_rule_set(obj.rule_set))
    mine = {s.indicator_id: s for i in indicators for s in i.scores.all() if s.scorer_id == user.pk}
    shown = KeyEvalDetailView.sections(obj, user, editable)

    def data(section: str) -> Any:
        return request.POST if posted == section else None

    def typed(i: Any) -> tuple[str, str]:
        if posted == "score":
            return request.POST.get(f"score_{i.pk}", ""), request.POST.get(f"note_{i.pk}", "")
        m = mine.get(i.pk)
        return ("" if m is None else f"{m.score}", "" if m is None else m.note)

    return render(request, "evaluation/keyeval_detail.html", {
        "title": str(obj), "object": obj, "score": score, "sections": shown,
        "show_scores": may_see_scores(obj, user),
        "indicator_rows": [(i, s, mine.get(i.pk), *typed(i)) for i, s in zip(indicators, score.rows, strict=True)],
        "plan_problems": framework_problems(rows) if obj.state in ("engaged", "plan_submitted") else (),
        "transitions": available_transitions(obj, user), "review_log": ReviewLog.for_document(obj),
        "experts": list(obj.experts.all()), "rectifications": list(obj.rectifications.for_user(user).select_related("unit")),
        "topic_form": f.CandidateForm(data("topic"), instance=obj, user=user) if "topic" in shown else None,
        "engage_form": f.EngageForm(data("engage"), initial={
            "agency": obj.agency_id, "lock_version": obj.lock_version,
            "experts": [e.pk for e in obj.experts.all()]}) if "engage" in shown else None,
        "plan_form": f.PlanForm(data("plan"), instance=obj) if "plan" in shown else None,
        "framework": f.FrameworkFormSet(data("plan"), instance=obj, prefix="ind") if "plan" in shown else None,
        "draft_form": f.DraftReportForm(data("draft"), instance=obj) if "draft" in shown else None,
        "feedback_form": f.FeedbackForm(data("feedback"), instance=obj) if "feedback" in shown else None,
        "final_form": f.FinalReportForm(data("final"), instance=obj) if "final" in shown else None,
        "rectification_form": f.RectificationForm(data("rectify"), initial={"owner_unit": obj.unit_id})
        if "rectify" in shown else None,
        "npc_late": npc_late(obj), "npc_due": plan_due(obj.year, "key_eval_topics"),
    }, status=status)


class KeyEvalSectionView(ScopedView):
    """Every editing section of the key-evaluation page posts here; nothing is half-saved."""

    model = KeyEvaluation
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int, section: str) -> HttpResponse:
        obj = self.get_object("view")
        editable = can_edit(obj, request.user) and request.user.can("evaluation.keyevaluation", "change")
        handler = getattr(self, f"save_{section}", None)  # scores post to KeyEvalScoreView
        if handler is None or section not in KeyEvalDetailView.sections(obj, request.user, editable):
            messages.error(request, f"当前状态为「{obj.state_label}」，您不能办理该事项。")
            return redirect(obj)
        try:
            message = handler(obj, request)
        except (EvaluationError, StaleEdit, WorkflowError) as exc:
            # Refused: the page again with everything typed in this section (nothing saved, nothing lost).
            messages.error(request, str(exc))
            return render_detail(request, KeyEvaluation.objects.get(pk=obj.pk), posted=section, status=400)
        messages.success(request, message)
        return redirect(obj)

    def _form_errors(self, form: Any) -> str:
        return "；".join(f"{form.fields[k].label if k in form.fields else ''}：{v[0]}" for k, v in form.errors.items())

    def _save_fields(self, obj: KeyEvaluation, form: Any, version: int | None, reason: str) -> None:
        if not form.is_valid():
            raise EvaluationError(self._form_errors(form))
        with transaction.atomic():
            current = KeyEvaluation.objects.select_for_update().get(pk=obj.pk)
            if version is not None and current.lock_version != version:
                raise StaleEdit()
            instance = form.save(commit=False)
            instance.lock_version = current.lock_version + 1
            instance.state = current.state
            with_reason(instance, reason).save()

    def save_topic(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        self._save_fields(obj, f.CandidateForm(request.POST, instance=obj, user=request.user),
                          form_version(request.POST), "修改选题")
        return "选题信息已保存。"

    def save_engage(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        form = f.EngageForm(request.POST)
        if not form.is_valid():
            raise EvaluationError(self._form_errors(form))
        data = form.cleaned_data
        engage(obj, data["agency"], data["experts"], request.user, expected_version=data["lock_version"])
        return "已确认委托，评价方案已按默认指标体系（决策/过程/产出/效益）生成，可由受托方调整。"

    def save_plan(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        form = f.PlanForm(request.POST, instance=obj)
        rows = f.FrameworkFormSet(request.POST, instance=obj, prefix="ind")
        if not (form.is_valid() and rows.is_valid()):
            errors = [self._form_errors(form)] if form.errors else []
            errors += [f"第{n}行：{self._form_errors(r)}" for n, r in enumerate(rows.forms, start=1) if r.errors]
            raise EvaluationError("；".join(errors) or "评价方案填写有误。")
        kept = [r.cleaned_data for r in rows.forms if r.cleaned_data and not r.cleaned_data.get("DELETE")]
        problems = framework_problems(FrameworkRow(d["level1"], d["level2"], d["name"], d["weight"]) for d in kept)
        if problems:
            raise EvaluationError("评价方案未保存：" + "；".join(problems))
        with transaction.atomic():
            self._save_fields(obj, form, form_version(request.POST), "修改评价方案")
            for n, r in enumerate(rows.forms):
                r.instance.position = n
            rows.save()
        return "评价方案已保存（产出和效益权重合计符合要求）。"

    def save_draft(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        self._save_fields(obj, f.DraftReportForm(request.POST, instance=obj), form_version(request.POST), "报告初稿")
        return "报告初稿已保存。"

    def save_feedback(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        self._save_fields(obj, f.FeedbackForm(request.POST, instance=obj), form_version(request.POST), "单位反馈")
        return "反馈意见已保存。"

    def save_final(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        self._save_fields(obj, f.FinalReportForm(request.POST, instance=obj), form_version(request.POST), "最终报告")
        return "最终报告已保存。"

    def save_rectify(self, obj: KeyEvaluation, request: AuthedRequest) -> str:
        form = f.RectificationForm(request.POST)
        if not form.is_valid():
            raise EvaluationError(self._form_errors(form))
        d = form.cleaned_data
        item = add_rectification(obj, request.user, d["problem"], d["requirement"], d["owner_unit"], d["deadline"])
        return f"已下达整改事项：{item.problem}"


class KeyEvalScoreView(ScopedView):
    """保存我的评分: only the engaged agency's staff and the engaged experts score, in 评价实施;
    the evaluated unit sees the scores once the report is issued."""

    model = KeyEvaluation
    permission_action = "score"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        if obj.state == "fieldwork" and not may_score(obj, request.user):
            raise PermissionDenied("只有受托第三方机构人员和受邀评审专家可以评分。")
        try:
            count = save_scores(obj, request.user, self.scores(obj, request))
        except EvaluationError as exc:
            # Refused: the page again with every typed score and note (nothing saved, nothing lost).
            messages.error(request, str(exc))
            return render_detail(request, KeyEvaluation.objects.get(pk=obj.pk), posted="score", status=400)
        messages.success(request, f"已保存 {count} 项评分。")
        return redirect(obj)

    @staticmethod
    def scores(obj: KeyEvaluation, request: AuthedRequest) -> dict[int, tuple[Decimal, str]]:
        scores: dict[int, tuple[Decimal, str]] = {}
        for n, ind in enumerate(obj.indicators.all(), start=1):
            raw = (request.POST.get(f"score_{ind.pk}") or "").strip()
            if not raw:
                continue
            try:
                scores[ind.pk] = (Decimal(raw), (request.POST.get(f"note_{ind.pk}") or "").strip()[:300])
            except InvalidOperation:
                raise EvaluationError(f"第{n}行指标「{ind.name}」的得分「{raw}」不是数字。") from None
        return scores


class KeyEvalTransitionView(TransitionView):
    model = KeyEvaluation

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        if request.POST.get("transition") != "npc_approve":
            return super().post(request, pk)
        # 记录区人大审定: the approval date the performance section entered (today when left empty),
        # written with the transition or not at all.
        from jixiao.evaluation.services import npc_approval_date

        obj = self.get_object()
        on, problem = npc_approval_date(request.POST.get("on", ""))
        if problem:
            messages.error(request, problem)
            return redirect(obj)
        with transaction.atomic():
            KeyEvaluation.objects.filter(pk=obj.pk, state="shortlisted").update(npc_approved_on=on)
            response = super().post(request, pk)
            obj.refresh_from_db()
            if obj.state == "shortlisted":
                transaction.set_rollback(True)
        return response


# --- registry -------------------------------------------------------------------------------------------


class AgencyListView(ScopedListView):
    model = Agency
    title = "第三方机构库"
    search_fields = ("name", "qualifications", "contact_person")
    default_sort = "name"
    detail_url_name = "evaluation:agency_edit"
    create_url_name = "evaluation:agency_create"
    prefetch_related = ("members",)
    columns: ClassVar[list[Column]] = [
        Column("name", "机构名称", sort="name", width=30),
        Column("qualifications", "资质", width=36),
        Column("contact_person", "联系人"),
        Column("phone", "联系电话", "masked_phone"),
        Column("members", "人员账号", lambda a: "、".join(u.real_name for u in a.members.all())),
        Column("engagements", "承担重点评价", lambda a: a.engagements, width=10),
        Column("is_active", "在库", kind="bool", width=6),
    ]

    def rows(self) -> Any:
        qs, form, sort = super().rows()
        return qs.annotate(engagements=Count("key_evaluations", distinct=True)), form, sort

    def extra_context(self) -> dict[str, Any]:
        return {} if self.request.user.can("evaluation.agency", "change") else {"detail_url_name": ""}


class ProviderEditView(ScopedUpdateView):
    """An agency or an expert, with the services it rendered to units (the conflict rule's basis)."""

    template_name = "evaluation/provider_form.html"
    service_form_class: ClassVar[Any]
    service_add_url: ClassVar[str]

    def render_form(self, obj: Any, form: Any, version: int, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            "title": f"修改：{obj}", "object": obj, "form": form, "lock_version": version,
            "services": list(obj.services.select_related("unit")), "service_form": self.service_form_class(),
            "service_add_url": reverse(self.service_add_url, kwargs={"pk": obj.pk}),
        }, status=status)

    def success_url(self, instance: Any) -> str:
        return self.request.path


class AgencyEditView(ProviderEditView):
    model = Agency
    form_class = f.AgencyForm
    service_form_class = f.AgencyServiceForm
    service_add_url = "evaluation:agency_service_add"


class ServiceAddView(ScopedView):
    """登记服务记录 of an agency or expert (kept in the record's history)."""

    permission_action = "change"
    service_form_class: ClassVar[Any]

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        provider = self.get_object()
        form = self.service_form_class(request.POST)
        if form.is_valid():
            service = form.save(commit=False)
            setattr(service, service.provider_field, provider)
            service.save()
            messages.success(request, f"已登记服务记录：{service}")
        else:
            messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect(provider)


class AgencyServiceAddView(ServiceAddView):
    model = Agency
    service_form_class = f.AgencyServiceForm


class CreateView(ScopedView):
    permission_action = "add"
    form_class: ClassVar[Any]
    list_url: ClassVar[str]

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "core/form.html", {"title": self.title, "form": self.form_class(), "lock_version": None})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = self.form_class(request.POST)
        if not form.is_valid():
            return render(request, "core/form.html", {"title": self.title, "form": form, "lock_version": None}, status=400)
        item = form.save()
        messages.success(request, f"已登记：{item}")
        return redirect(self.list_url)


class AgencyCreateView(CreateView):
    model = Agency
    title = "登记第三方机构"
    form_class = f.AgencyForm
    list_url = "evaluation:agency_list"


class ExpertListView(ScopedListView):
    model = Expert
    title = "专家库"
    search_fields = ("name", "organisation", "specialty")
    default_sort = "name"
    detail_url_name = "evaluation:expert_edit"
    create_url_name = "evaluation:expert_create"
    columns: ClassVar[list[Column]] = [
        Column("name", "姓名", sort="name"),
        Column("organisation", "工作单位", sort="organisation", width=28),
        Column("title", "职称"),
        Column("specialty", "专业领域", width=20),
        Column("phone", "联系电话", "masked_phone"),
        Column("is_active", "在库", kind="bool", width=6),
    ]

    def extra_context(self) -> dict[str, Any]:
        return {} if self.request.user.can("evaluation.expert", "change") else {"detail_url_name": ""}


class ExpertEditView(ProviderEditView):
    model = Expert
    form_class = f.ExpertForm
    service_form_class = f.ExpertServiceForm
    service_add_url = "evaluation:expert_service_add"


class ExpertServiceAddView(ServiceAddView):
    model = Expert
    service_form_class = f.ExpertServiceForm


class ExpertCreateView(CreateView):
    model = Expert
    title = "登记评审专家"
    form_class = f.ExpertForm
    list_url = "evaluation:expert_list"


class SettingsListView(ScopedListView):
    model = EvaluationYear
    title = "评价参数"
    default_sort = "-year"
    detail_url_name = "evaluation:settings_edit"
    columns: ClassVar[list[Column]] = [
        Column("year", "评价年度", sort="year", width=8),
        Column("rule_set", "评分规则集", "get_rule_set_display", width=20),
        Column("conflict_years", "回避年限", width=8),
        Column("sample_rule", "复核抽样规则", "sample_rule_text", width=50),
        Column("tasks_issued_at", "自评任务下达时间"),
    ]

    def rows(self) -> Any:
        EvaluationYear.for_year(stage_year(self.request, "evaluation"))
        return super().rows()


class SettingsEditView(ScopedUpdateView):
    model = EvaluationYear
    form_class = f.EvaluationYearForm
    success_url_name = "evaluation:settings_edit"


# --- annual summary ------------------------------------------------------------------------------------


def summary_data(year: int, user: Any) -> dict[str, Any]:
    """The year's self-evaluations: issued / submitted / accepted / overdue counts, and grades and the
    average of the accepted tables only (submitted and received by finance, or published); the
    re-check quality grades and the key evaluations."""
    from jixiao.evaluation.models import ACCEPTED_STATES, UNFILED_STATES, Recheck
    from jixiao.evaluation.services import overdue_selfevals

    selfevals = SelfEvaluation.objects.for_user(user).filter(year=year)
    accepted = selfevals.filter(state__in=ACCEPTED_STATES)
    grades = dict(accepted.exclude(computed_grade="").values_list("computed_grade").annotate(n=Count("pk")))
    rechecks = Recheck.objects.filter(round__year=year, completed_at__isnull=False, selfeval__in=selfevals)
    quality = dict(rechecks.values_list("quality").annotate(n=Count("pk")))
    states = dict(selfevals.values_list("state").annotate(n=Count("pk")))
    keys = list(KeyEvaluation.objects.for_user(user).filter(evaluated_year=year).select_related("unit", "agency")
                .order_by("kind", "pk"))
    scores = [s for s in accepted.values_list("effective_score", flat=True) if s is not None]
    due, overdue = overdue_selfevals(year, timezone.localdate())
    issued = sum(states.values())
    return {
        "year": year, "count": issued, "states": states, "issued": issued,
        "submitted": issued - sum(states.get(s, 0) for s in UNFILED_STATES),
        "accepted": sum(states.get(s, 0) for s in ACCEPTED_STATES),
        "overdue": selfevals.filter(pk__in=overdue.values("pk")).count(), "submit_due": due,
        "grades": {g: grades.get(g, 0) for g in ("优", "良", "中", "差")},
        "quality": {g: quality.get(g, 0) for g in ("优", "良", "中", "差")},
        "replaced": rechecks.filter(replaces_self_score=True).count(), "rechecked": rechecks.count(),
        "average": (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01")) if scores else None,
        "published": states.get("published", 0), "key_evaluations": keys,
    }


class SummaryView(ScopedView):
    model = SelfEvaluation
    permission_model = "evaluation.summary"

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = current_year(request)
        return render(request, "evaluation/summary.html", {"title": f"{year}年度绩效评价工作情况",
                                                           **summary_data(year, request.user)})
