"""Reports as .docx generated from the data, with charts (matplotlib PNG): the self-evaluation
report (outline domain.md §2.9), the key-evaluation report (财预〔2020〕10号 outline) and the annual
evaluation summary for the People's Congress and the government."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core import official
from jixiao.core.charts import bar_chart
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedView
from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
from jixiao.evaluation.services import check, key_score
from jixiao.rules.money import format_wan

if TYPE_CHECKING:
    from jixiao.rules.checker import IndicatorCheck

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
new_document, table, picture, to_bytes = official.new_document, official.table, official.picture, official.to_bytes


def fmt2(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def selfeval_report(se: SelfEvaluation) -> bytes:
    rows = list(se.indicators.all())
    result = check(se, rows)
    doc = new_document(f"{se.subject}{se.year}年度绩效自评报告")
    official.paragraph(doc, f"实施单位：{se.unit.name}　　评价方式：部门(单位)绩效自评　　评分规则：{result.rule_set}")
    doc.add_heading("一、自评得分情况", level=1)
    official.paragraph(doc, f"系统计算总分 {fmt2(result.total)} 分，等级「{result.grade or '—'}」；"
                      f"单位自评总分 {fmt2(se.claimed_total)} 分，自评等级「{se.claimed_grade or '—'}」。")
    funds = result.funds
    rate = "—" if funds is None else funds.rate_text
    table(doc, ("年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "执行率", "分值", "得分"),
          [(format_wan(se.initial_budget_fen), format_wan(se.budget_fen), format_wan(se.executed_fen), rate,
            fmt2(se.funds_weight), fmt2(funds.score if funds else None))])
    doc.add_heading("二、基本情况", level=1)
    official.paragraph(doc, se.report_overview or "（未填写）")
    official.paragraph(doc, f"年度总体目标：{se.goal or '（未填写）'}")
    official.paragraph(doc, f"实际完成情况：{se.goal_actual or '（未填写）'}")
    doc.add_heading("三、绩效自评工作开展情况", level=1)
    official.paragraph(doc, se.report_work or "（未填写）")
    doc.add_heading("四、绩效目标实现情况分析", level=1)
    official.paragraph(doc, se.report_results or "（未填写）")
    checks: list[IndicatorCheck | None] = list(result.indicators) if not result.malformed else []
    table(doc, ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分", "系统计算得分"),
          [(r.level1, r.level2, r.name, r.target, r.actual, fmt2(r.weight), fmt2(r.score),
            fmt2(c.counted) if c else "—") for r, c in zip(rows, checks or [None] * len(rows), strict=True)])
    if result.levels:
        picture(doc, bar_chart("各一级指标分值与得分", [lv.name for lv in result.levels],
                               [("分值", [float(lv.weight) for lv in result.levels]),
                                ("得分", [float(lv.score) for lv in result.levels])]))
    doc.add_heading("五、存在的问题及原因分析", level=1)
    official.paragraph(doc, se.report_problems or "（未填写）")
    doc.add_heading("六、改进措施及结果应用", level=1)
    official.paragraph(doc, se.report_measures or "（未填写）")
    if result.findings:
        doc.add_heading("附：系统检查发现", level=1)
        for finding in result.findings:
            official.paragraph(doc, f"{'错误' if finding.severity == 'error' else '警告'}：{finding.message}")
    official.paragraph(doc, f"填报人：{se.contact_person}　联系电话：{se.contact_phone}　单位负责人：{se.unit_head}")
    return to_bytes(doc)


def key_report(ke: KeyEvaluation, with_scores: bool = True) -> bytes:
    """The key-evaluation report; ``with_scores`` is False for whoever may not see the scores yet."""
    score = key_score(ke)
    doc = new_document(f"{ke.title}{ke.evaluated_year}年度绩效评价报告")
    official.paragraph(doc, f"{ke.get_kind_display()}　被评价单位：{ke.unit.name}　"
                      f"评价机构：{ke.agency.name if ke.agency else ke.unit.name + '评价组'}")
    doc.add_heading("一、基本情况", level=1)
    official.paragraph(doc, f"评价对象：{ke.get_subject_display()}；涉及资金 {format_wan(ke.amount_fen)} 万元；"
                      f"被评价预算年度：{ke.evaluated_year}年。选题理由：{ke.reason or '—'}")
    if ke.npc_approval_ref:
        official.paragraph(doc, f"区人大审定：{ke.npc_approval_ref}（{ke.npc_approved_on:%Y年%m月%d日}）")
    doc.add_heading("二、绩效评价工作开展情况", level=1)
    official.paragraph(doc, f"评价范围：{ke.scope_text or '—'}")
    official.paragraph(doc, f"评价方法：{ke.method or '—'}")
    official.paragraph(doc, f"工作安排：{ke.schedule or '—'}")
    doc.add_heading("三、综合评价情况及评价结论", level=1)
    if not with_scores:
        official.paragraph(doc, f"评价得分和等级在报告报送后公布。{ke.final_conclusion}")
    else:
        official.paragraph(doc, f"评价得分 {fmt2(score.total)} 分，评价等级「{score.grade or '—'}」。{ke.final_conclusion}")
    doc.add_heading("四、绩效评价指标分析", level=1)
    hidden = "报送后公布"
    table(doc, ("一级指标", "权重", "得分"),
          [(lv.name, fmt2(lv.weight), fmt2(lv.score) if with_scores else hidden) for lv in score.levels])
    indicators = list(ke.indicators.all())
    table(doc, ("一级指标", "二级指标", "三级指标", "权重", "得分", "评分标准"),
          [(i.level1, i.level2, i.name, fmt2(i.weight), fmt2(s) if with_scores else hidden, i.standard)
           for i, s in zip(indicators, score.rows, strict=True)])
    if score.levels and with_scores:
        picture(doc, bar_chart("决策、过程、产出、效益权重与得分", [lv.name for lv in score.levels],
                               [("权重", [float(lv.weight) for lv in score.levels]),
                                ("得分", [float(lv.score) for lv in score.levels])]))
    doc.add_heading("五、存在的问题及原因分析", level=1)
    official.paragraph(doc, ke.final_problems or "—")
    doc.add_heading("六、有关建议", level=1)
    official.paragraph(doc, ke.final_recommendations or "—")
    doc.add_heading("七、被评价单位反馈意见及整改", level=1)
    official.paragraph(doc, ke.unit_feedback or "—")
    items = list(ke.rectifications.select_related("owner_unit"))
    if items:
        table(doc, ("存在问题", "整改要求", "责任单位", "整改期限", "状态"),
              [(r.problem, r.action, r.owner_unit.name, f"{r.deadline:%Y-%m-%d}", r.get_state_display()) for r in items])
    return to_bytes(doc)


def summary_report(data: dict[str, Any]) -> bytes:
    year = data["year"]
    doc = new_document(f"云溪区{year}年度财政支出绩效评价工作情况报告")
    official.paragraph(doc, "报送：区人大常委会、区人民政府")
    doc.add_heading("一、绩效自评情况", level=1)
    average = "尚无财政已接收的自评表" if data["average"] is None else f"平均得分 {fmt2(data['average'])} 分"
    official.paragraph(doc, f"纳入{year}年度全过程预算绩效管理的财政支出共开展绩效自评 {data['count']} 项："
                      f"已下达 {data['issued']} 项，已提交 {data['submitted']} 项，财政已接收 {data['accepted']} 项，"
                      f"逾期未报 {data['overdue']} 项，已公开 {data['published']} 项。"
                      f"财政已接收的 {data['accepted']} 项{average}（填报中、退回修改中的自评表不计入得分和等级）。")
    table(doc, ("等级", "优", "良", "中", "差"), [("自评表数", *data["grades"].values())])
    picture(doc, bar_chart("绩效自评等级分布", list(data["grades"]), [("自评表数", list(data["grades"].values()))]))
    doc.add_heading("二、自评质量复核情况", level=1)
    official.paragraph(doc, f"第三方复核自评表 {data['rechecked']} 项，其中复核得分替代自评得分 {data['replaced']} 项。")
    table(doc, ("质量等级", "优", "良", "中", "差"), [("复核表数", *data["quality"].values())])
    doc.add_heading("三、重点评价情况", level=1)
    table(doc, ("评价项目", "评价类型", "被评价单位", "第三方机构", "得分", "等级", "状态"),
          [(k.title, k.get_kind_display(), k.unit.name, k.agency.name if k.agency else "—", fmt2(k.total),
            k.grade or "—", k.state_label) for k in data["key_evaluations"]])
    scored = [k for k in data["key_evaluations"] if k.total is not None]
    if scored:
        picture(doc, bar_chart("重点评价得分", [k.title[:8] for k in scored], [("得分", [float(k.total) for k in scored])]))
    doc.add_heading("四、结果应用", level=1)
    official.paragraph(doc, "评价结果作为以后年度预算安排的参考依据；对达不到绩效目标或评价结果较差且不整改的，调减或取消下年度预算安排。")
    return to_bytes(doc)


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
