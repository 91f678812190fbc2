"""The 结果应用 board (budget year N+1 = working year + 1), a proposal's page with the desk's decision,
the rule-set form, the export for the budget system and the 结果应用情况 report."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jixiao.application import forms as f
from jixiao.application.models import ApplicationRuleSet, Board, Proposal
from jixiao.application.report import application_report
from jixiao.application.services import (
    ApplicationError,
    board_totals,
    build_board,
    decide,
    export_workbook,
    override,
)
from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.charts import amount_bars
from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.views import ScopedListView, ScopedView
from jixiao.core.years import stage_year, valid_year
from jixiao.evaluation.reports import docx_response
from jixiao.rules.application import RECT_LABELS
from jixiao.rules.money import fen_to_wan
from jixiao.workflow.engine import available_transitions
from jixiao.workflow.models import ReviewLog
from jixiao.workflow.views import TransitionView

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rate(p: Proposal) -> str:
    return "" if p.execution_rate is None else f"{p.execution_rate:.2f}%"


class BoardView(ScopedListView):
    """Each line of year N on one row: its evidence, the rule that fired, the proposal and the decision."""

    model = Proposal
    template_name = "application/board.html"
    filter_form_class = f.BoardFilterForm
    search_fields = ("code", "name", "unit__name")
    default_sort = "code"
    select_related = ("unit",)
    detail_url_name = "application:proposal_detail"
    columns: ClassVar[list[Column]] = [
        Column("code", "编码", sort="code", width=16),
        Column("name", "项目/部门整体", sort="name", width=30),
        Column("unit", "单位", "unit.name", width=20),
        Column("base_fen", "本年预算（万元）", sort="base_fen", kind="wan"),
        Column("target_state", "绩效目标", width=12),
        Column("monitoring_light", "监控预警", "get_monitoring_light_display", width=8),
        Column("execution_rate", "1-9月执行率", _rate, sort="execution_rate", width=10),
        Column("self", "自评得分/等级", lambda p: f"{p.self_score:.2f}/{p.self_grade}" if p.self_score is not None else p.self_grade, width=12),
        Column("recheck_delta", "复核差异", lambda p: "" if p.recheck_delta is None else f"{p.recheck_delta:.2f}", width=8),
        Column("key_grade", "重点评价", width=8),
        Column("rectification", "整改情况", "get_rectification_display", sort="rectification", width=10),
        Column("rule", "适用规则", width=40),
        Column("action", "建议处理", "action_label", sort="action", width=10),
        Column("proposed_fen", "建议数（万元）", sort="proposed_fen", kind="wan"),
        Column("decision", "确认情况", "get_decision_display", sort="decision", width=12),
        Column("final_action", "确定处理", "final_action_label", sort="final_action", width=10),
        Column("final_fen", "确定数（万元）", sort="final_fen", kind="wan"),
        Column("next_fen", "下年度预算（万元）", kind="wan"),
        Column("departure", "与建议的偏离", width=30),
    ]

    def board(self) -> Board | None:
        if not hasattr(self, "_board"):
            self._board = self.find_board()
        return self._board

    def find_board(self) -> Board | None:
        if "pk" in self.kwargs:
            board = Board.objects.filter(pk=self.kwargs["pk"]).first()
            if board is None:
                raise Http404("结果应用建议不存在。")
            return board
        year = valid_year(self.request.GET.get("year")) or stage_year(self.request, "results")
        return Board.objects.filter(year=year).first()

    def year(self) -> int:
        board = self.board()
        return board.year if board else valid_year(self.request.GET.get("year")) or stage_year(self.request, "results")

    def scoped(self, action: str | None = None) -> QuerySet[Any]:
        board = self.board()
        rows = super().scoped(action)
        return rows.filter(board=board) if board else rows.none()

    def filter_queryset(self, qs: QuerySet[Any], data: dict[str, Any]) -> QuerySet[Any]:
        qs = super().filter_queryset(qs, data)
        for key in ("final_action", "rectification"):
            if data.get(key):
                qs = qs.filter(**{key: data[key]})
        if data.get("decision"):
            qs = qs.filter(decision="" if data["decision"] == "pending" else data["decision"])
        if data.get("departures"):
            qs = qs.exclude(departure="")
        return qs

    def totals(self) -> dict[str, list[dict[str, Any]]]:
        """The kept totals of the lines this user may see (``ProposalTotal``), read once per request."""
        if not hasattr(self, "_totals"):
            board = self.board()
            self._totals = board_totals(board, self.request.user) if board else {"action": [], "sector": [], "unit": []}
        return self._totals

    def known_count(self, form: Any) -> int | None:
        """Without a filter the list holds every line the totals count: no COUNT over the lines."""
        filtered = form.is_bound and form.is_valid() and any(v for k, v in form.cleaned_data.items() if k != "year")
        return None if filtered else sum(r["n"] or 0 for r in self.totals()["action"])

    def extra_context(self) -> dict[str, Any]:
        user, board = self.request.user, self.board()
        year = self.year()
        t = self.totals()
        charts = []
        if t["action"]:
            charts.append(amount_bars([(r["final_action"], r["label"], fen_to_wan(r["base"] or 0)) for r in t["action"]],
                                      "各处理方式涉及本年预算（万元）"))
            charts.append(amount_bars([("keep", r["sector__name"], fen_to_wan(r["change"])) for r in t["sector"]],
                                      "各行业建议增减（万元）"))
        return {
            "title": f"{year}年度预算结果应用建议", "board": board, "year": year, "totals": t, "charts": charts,
            "grand": {k: sum(r[k] or 0 for r in t["action"]) for k in ("n", "base", "final")},
            "can_build": user.can("application.board", "add") and (board is None or board.state == "open"),
            "can_decide": user.can("application.proposal", "decide") and board is not None and board.state == "open",
            "can_export_board": board is not None and user.can("application.board", "export"),
            "transitions": available_transitions(board, user) if board else [], "object": board,
        }


class BuildView(ScopedView):
    model = Board
    permission_action = "add"

    def post(self, request: AuthedRequest, year: int) -> HttpResponse:
        try:
            board = build_board(year, request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect(f"{reverse('application:board')}?year={year}")
        messages.success(request, f"已生成{board.proposals.count()}条结果应用建议。")
        return redirect(board)


class BoardTransitionView(TransitionView):
    model = Board


class ExportView(ScopedView):
    model = Board
    permission_action = "export"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        board = self.get_object("view")
        try:
            content = export_workbook(board)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect(board)
        log_event(EventType.EXPORT, request=request, obj=board, format="xlsx")
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{board.year}年度预算结果应用建议.xlsx')}"
        return response


class ReportView(ScopedView):
    model = Board
    permission_action = "export"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        board = self.get_object("view")
        log_event(EventType.EXPORT, request=request, obj=board, format="docx")
        return docx_response(application_report(board), f"{board.evidence_year}年度绩效评价结果应用情况报告.docx")


class ProposalDetailView(ScopedView):
    model = Proposal

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return self.page(self.get_object(), f.DecideForm(), f.OverrideForm())

    def page(self, obj: Proposal, form: Any, override_form: Any, status: int = 200) -> HttpResponse:
        from jixiao.rectification.models import Rectification

        user = self.request.user
        items = Rectification.objects.for_user(user).filter(
            project__code=obj.code, year__in=(obj.board.evidence_year - 1, obj.board.evidence_year)
        ) if obj.kind == "project" else Rectification.objects.for_user(user).filter(unit=obj.unit, project__isnull=True)
        return render(self.request, "application/proposal.html", {
            "title": str(obj), "object": obj, "form": form, "override_form": override_form,
            "items": list(items.order_by("deadline", "pk")[:50]), "rect_label": RECT_LABELS[obj.rectification],
            "can_decide": Proposal.objects.for_user(user, "decide").filter(pk=obj.pk).exists() and obj.board.state == "open",
            "can_override": user.can("application.proposal", "override"),
        }, status=status)


class DecideView(ProposalDetailView):
    permission_action = "decide"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return redirect(self.get_object("view"))

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        form = f.DecideForm(request.POST)
        if not form.is_valid():
            return self.page(obj, form, f.OverrideForm(), status=400)
        d = form.cleaned_data
        try:
            decide(obj, request.user, d["decision"] == "accept", d["action"], d["amount"], d["reason"])
        except ApplicationError as exc:
            form.add_error(None, str(exc))
            return self.page(obj, form, f.OverrideForm(), status=400)
        messages.success(request, "已确认。")
        return redirect(obj.board)


class OverrideView(ProposalDetailView):
    permission_action = "override"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return redirect(self.get_object("view"))

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object("view")
        form = f.OverrideForm(request.POST)
        if not form.is_valid():
            return self.page(obj, f.DecideForm(), form, status=400)
        override(obj, request.user, form.cleaned_data["reason"])
        messages.success(request, "已同意：该项目下年度绩效目标可以批复。")
        return redirect(obj)


class RulesView(ScopedView):
    """The rule set of the working year's N+1 budget, edited field by field."""

    model = ApplicationRuleSet

    def obj(self) -> ApplicationRuleSet:
        return ApplicationRuleSet.for_year(valid_year(self.request.GET.get("year")) or stage_year(self.request, "results"))

    def page(self, obj: ApplicationRuleSet, form: f.RulesForm) -> HttpResponse:
        can = self.request.user.can("application.applicationruleset", "change")
        if not can:  # read-only: the same widgets, disabled, so choices show their Chinese labels
            for field in form.fields.values():
                field.disabled = True
        return render(self.request, "application/rules.html", {
            "title": f"{obj.year}年度预算结果应用规则", "object": obj, "form": form, "can_change": can,
            "placeholders": obj.as_rules().placeholders(), "review_log": ReviewLog.objects.none(),
            "updated": timezone.localtime(obj.history.first().history_date) if obj.history.exists() else None})

    def get(self, request: AuthedRequest) -> HttpResponse:
        obj = self.obj()
        return self.page(obj, f.RulesForm(rules=obj.as_rules()))

    def post(self, request: AuthedRequest) -> HttpResponse:
        obj = self.obj()
        if not request.user.can("application.applicationruleset", "change"):
            messages.error(request, "只有绩效管理股可以修改结果应用规则。")
            return redirect("application:rules")
        form = f.RulesForm(request.POST, rules=obj.as_rules())
        if not form.is_valid():
            return self.page(obj, form)
        obj.rules = form.to_rules().to_dict()
        obj.lock_version += 1
        with_reason(obj, "修改结果应用规则")
        obj.save()
        messages.success(request, "结果应用规则已保存；重新生成结果应用建议后生效。")
        return redirect(f"{reverse('application:rules')}?year={obj.year}")
