"""Reports as .docx generated from the data, with charts (matplotlib PNG): the self-evaluation
report (outline domain.md §2.9), the key-evaluation report (财预〔2020〕10号 outline) and the annual
evaluation summary for the People's Congress and the government, each from its Word template
(``reporttypes.py``: ``selfeval_report``, ``key_report``, ``evaluation_summary``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.charts import bar_chart
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedView
from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
from jixiao.evaluation.services import check, key_score
from jixiao.reports.registry import Chart
from jixiao.reports.rendering import render
from jixiao.rules.money import format_wan

if TYPE_CHECKING:
    from jixiao.rules.checker import IndicatorCheck

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def fmt2(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def selfeval_report(se: SelfEvaluation) -> bytes:
    return render("selfeval_report", selfeval_context(se))


def selfeval_context(se: SelfEvaluation) -> dict[str, Any]:
    rows = list(se.indicators.all())
    result = check(se, rows)
    funds = result.funds
    checks: list[IndicatorCheck | None] = list(result.indicators) if not result.malformed else []
    chart = None
    if result.levels:
        chart = Chart(bar_chart("各一级指标分值与得分", [lv.name for lv in result.levels],
                                [("分值", [float(lv.weight) for lv in result.levels]),
                                 ("得分", [float(lv.score) for lv in result.levels])]))
    return {
        "title": f"{se.subject}{se.year}年度绩效自评报告", "unit": se.unit.name, "rule_set": result.rule_set,
        "total": fmt2(result.total), "grade": result.grade or "—",
        "claimed_total": fmt2(se.claimed_total), "claimed_grade": se.claimed_grade or "—",
        "funds": [(format_wan(se.initial_budget_fen), format_wan(se.budget_fen), format_wan(se.executed_fen),
                   "—" if funds is None else funds.rate_text, fmt2(se.funds_weight), fmt2(funds.score if funds else None))],
        "overview": se.report_overview or "（未填写）", "goal": se.goal or "（未填写）", "goal_actual": se.goal_actual or "（未填写）",
        "work": se.report_work or "（未填写）", "results": se.report_results or "（未填写）",
        "indicators": [(r.level1, r.level2, r.name, r.target, r.actual, fmt2(r.weight), fmt2(r.score),
                        fmt2(c.counted) if c else "—") for r, c in zip(rows, checks or [None] * len(rows), strict=True)],
        "chart": chart,
        "problems": se.report_problems or "（未填写）", "measures": se.report_measures or "（未填写）",
        "findings": [f"{'错误' if f.severity == 'error' else '警告'}：{f.message}" for f in result.findings],
        "contact_person": se.contact_person, "contact_phone": se.contact_phone, "unit_head": se.unit_head,
    }


def key_report(ke: KeyEvaluation, with_scores: bool = True) -> bytes:
    """The key-evaluation report; ``with_scores`` is False for whoever may not see the scores yet."""
    return render("key_report", key_context(ke, with_scores))


def key_context(ke: KeyEvaluation, with_scores: bool = True) -> dict[str, Any]:
    score = key_score(ke)
    hidden = "报送后公布"
    indicators = list(ke.indicators.all())
    if with_scores:
        conclusion = f"评价得分 {fmt2(score.total)} 分，评价等级「{score.grade or '—'}」。{ke.final_conclusion}"
    else:
        conclusion = f"评价得分和等级在报告报送后公布。{ke.final_conclusion}"
    chart = None
    if score.levels and with_scores:
        chart = Chart(bar_chart("决策、过程、产出、效益权重与得分", [lv.name for lv in score.levels],
                                [("权重", [float(lv.weight) for lv in score.levels]),
                                 ("得分", [float(lv.score) for lv in score.levels])]))
    return {
        "title": f"{ke.title}{ke.evaluated_year}年度绩效评价报告", "kind": ke.get_kind_display(), "unit": ke.unit.name,
        "agency": ke.agency.name if ke.agency else ke.unit.name + "评价组", "subject": ke.get_subject_display(),
        "amount": format_wan(ke.amount_fen), "evaluated_year": ke.evaluated_year, "reason": ke.reason or "—",
        "npc_approval": f"{ke.npc_approval_ref}（{ke.npc_approved_on:%Y年%m月%d日}）" if ke.npc_approval_ref else "",
        "scope": ke.scope_text or "—", "method": ke.method or "—", "schedule": ke.schedule or "—",
        "conclusion": conclusion,
        "levels": [(lv.name, fmt2(lv.weight), fmt2(lv.score) if with_scores else hidden) for lv in score.levels],
        "indicators": [(i.level1, i.level2, i.name, fmt2(i.weight), fmt2(s) if with_scores else hidden, i.standard)
                       for i, s in zip(indicators, score.rows, strict=True)],
        "chart": chart,
        "problems": ke.final_problems or "—", "recommendations": ke.final_recommendations or "—",
        "feedback": ke.unit_feedback or "—",
        "rectifications": [(r.problem, r.requirement, r.unit.name, f"{r.deadline:%Y-%m-%d}", r.status_label)
                           for r in ke.rectifications.select_related("unit")],
    }


def summary_report(data: dict[str, Any]) -> bytes:
    return render("evaluation_summary", summary_context(data))


def summary_context(data: dict[str, Any]) -> dict[str, Any]:
    year = data["year"]
    scored = [k for k in data["key_evaluations"] if k.total is not None]
    return {
        "title": f"云溪区{year}年度财政支出绩效评价工作情况报告", "year": year,
        "count": data["count"], "issued": data["issued"], "submitted": data["submitted"], "accepted": data["accepted"],
        "overdue": data["overdue"], "published": data["published"],
        "average": "尚无财政已接收的自评表" if data["average"] is None else f"平均得分 {fmt2(data['average'])} 分",
        "grades": [("自评表数", *(str(v) for v in data["grades"].values()))],
        "grade_chart": Chart(bar_chart("绩效自评等级分布", list(data["grades"]), [("自评表数", list(data["grades"].values()))])),
        "rechecked": data["rechecked"], "replaced": data["replaced"],
        "quality": [("复核表数", *(str(v) for v in data["quality"].values()))],
        "key_evaluations": [(k.title, k.get_kind_display(), k.unit.name, k.agency.name if k.agency else "—", fmt2(k.total),
                             k.grade or "—", k.state_label) for k in data["key_evaluations"]],
        "key_chart": Chart(bar_chart("重点评价得分", [k.title[:8] for k in scored], [("得分", [float(k.total) for k in scored])]))
        if scored else None,
    }


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class SelfEvalReportView(ScopedView):
    model = SelfEvaluation

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        se = self.get_object()
        log_event(EventType.EXPORT, request=request, obj=se, format="docx")
        return docx_response(selfeval_report(se), f"{se.subject}{se.year}年度绩效自评报告.docx")


class KeyReportView(ScopedView):
    model = KeyEvaluation

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.evaluation.services import may_see_scores

        ke = self.get_object()
        log_event(EventType.EXPORT, request=request, obj=ke, format="docx")
        return docx_response(key_report(ke, with_scores=may_see_scores(ke, request.user)),
                             f"{ke.title}{ke.evaluated_year}年度绩效评价报告.docx")


class SummaryReportView(ScopedView):
    model = SelfEvaluation
    permission_model = "evaluation.summary"

    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.evaluation.views import current_year
        from jixiao.evaluation.views_key import summary_data

        year = current_year(request)
        log_event(EventType.EXPORT, request=request, list="年度绩效评价工作情况报告", year=year)
        return docx_response(summary_report(summary_data(year, request.user)), f"{year}年度绩效评价工作情况报告.docx")
