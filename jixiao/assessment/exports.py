"""The final scores for the 区绩效办: a workbook with each item (core.spreadsheets) and the notice
(.docx rendered from its report template, jixiao.reports)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.assessment.models import AssessmentScheme, UnitAssessment
from jixiao.core import spreadsheets
from jixiao.core.years import stage_words
from jixiao.rules.assessment import INTERVIEW, PRAISE, fmt


def rows_of(scheme: AssessmentScheme, qs: Any = None) -> list[UnitAssessment]:
    qs = qs if qs is not None else UnitAssessment.objects.filter(year=scheme.year)
    return list(qs.filter(year=scheme.year).select_related("unit").prefetch_related("scores")
                .order_by("rank", "unit__code"))


def workbook(scheme: AssessmentScheme, qs: Any = None) -> bytes:
    rows = rows_of(scheme, qs)
    items = list(scheme.items.all())
    wb = spreadsheets.new_workbook()
    ws = wb.create_sheet("考核结果")
    title = f"{stage_words('assessment', scheme.year)}结果（报区绩效办）"
    spreadsheets.append(ws, [title])
    spreadsheets.append(ws, [f"依据：{scheme.title}" + ("（系统示例文本，待替换）" if scheme.is_illustrative else "")])
    header = ["排名", "单位编码", "单位名称", *[f"{i.code} {i.name}（{fmt(i.points)}分）" if i.points else f"{i.code} {i.name}"
                                          for i in items], "总分", "等次", "通报表扬/约谈", "状态"]
    spreadsheets.append(ws, header)
    for ua in rows:
        by_code = {s.code: s.effective for s in ua.scores.all()}
        spreadsheets.append(ws, [
            ua.rank, ua.unit.code, ua.unit.name,
            *[spreadsheets.decimal(by_code.get(i.code, Decimal(0))) for i in items],
            spreadsheets.decimal(ua.total), ua.grade, ua.mark, ua.state_label,
        ])
    spreadsheets.print_setup(ws, "3:3")
    detail = wb.create_sheet("计算依据")
    spreadsheets.append(detail, ["单位名称", "考核项目", "得分", "计算说明", "依据事实", "影响"])
    for ua in rows:
        for s in ua.scores.all():
            lines = s.facts or [{"text": "", "effect": ""}]
            for f in lines:
                spreadsheets.append(detail, [ua.unit.name, f"{s.code} {s.name}", spreadsheets.decimal(s.effective),
                                             s.summary or s.reason, f.get("text", ""), f.get("effect", "")])
    spreadsheets.print_setup(detail, "1:1")
    return spreadsheets.to_bytes(wb)


def notice_context(scheme: AssessmentScheme, qs: Any = None) -> dict[str, Any]:
    rows = rows_of(scheme, qs)
    praised = [ua.unit.name for ua in rows if ua.mark == PRAISE]
    interviewed = [ua.unit.name for ua in rows if ua.mark == INTERVIEW]
    window = (f"（{scheme.publicised_on.year}年{scheme.publicised_on.month}月{scheme.publicised_on.day}日至"
              f"{scheme.dispute_until.year}年{scheme.dispute_until.month}月{scheme.dispute_until.day}日）"
              if scheme.publicised_on and scheme.dispute_until else "")
    return {
        "title": f"关于{stage_words('assessment', scheme.year)}结果的通报", "addressee": "各预算单位：",
        "opening": f"根据《{scheme.title}》，区财政局对纳入综合绩效考评范围的{len(rows)}个预算单位{scheme.year}年度"
                   f"预算绩效管理工作进行了考核，考核结果经公示{window}，现予通报，并报送区绩效办作为年终考核评价的重要依据。",
        "results": [(str(ua.rank or ""), ua.unit.name, fmt(ua.total) if ua.total is not None else "", ua.grade)
                    for ua in rows],
        "praised": ("对" + "、".join(praised) + "予以通报表扬。") if praised else "本年度无通报表扬单位。",
        "interviewed": ("对" + "、".join(interviewed) + "进行约谈，督促其限期整改。") if interviewed else "本年度无约谈单位。",
        "note": "（注：本通报所依据的考核办法为系统示例文本，正式印发前须替换为本区考核办法。）" if scheme.is_illustrative else "",
        "issuer": "区财政局",
    }


def notice(scheme: AssessmentScheme, qs: Any = None) -> bytes:
    """关于…考核结果的通报 (.docx) through the report-template registry (the performance section's
    own template when uploaded, else the built-in one in GB/T 9704 layout)."""
    from jixiao.reports.rendering import render

    return render("assessment_notice", notice_context(scheme, qs))
