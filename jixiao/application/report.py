"""结果应用情况 report (.docx) for the 区政府, built with the same helpers as the evaluation reports."""

from __future__ import annotations

from typing import Any

from jixiao.application.models import Board, Proposal
from jixiao.application.services import totals
from jixiao.evaluation.reports import bar_chart, new_document, picture, table, to_bytes
from jixiao.rules.application import ACTION_LABELS
from jixiao.rules.money import fen_to_wan, format_wan


def application_report(board: Board) -> bytes:
    rows = Proposal.objects.filter(board=board)
    t = totals(rows)
    doc = new_document(f"云溪区{board.evidence_year}年度绩效评价结果应用情况报告")
    doc.add_paragraph("报送：区人民政府")
    state = "已定稿" if board.state == "final" else "编制中（未定稿）"
    n = sum(r["n"] for r in t["action"])
    base = sum(r["base"] or 0 for r in t["action"])
    final = sum(r["final"] or 0 for r in t["action"])
    doc.add_heading("一、总体情况", level=2)
    doc.add_paragraph(
        f"依据{board.evidence_year}年度绩效目标、运行监控、绩效自评、财政复核和重点评价结果，对{n}个项目及部门整体支出"
        f"提出{board.year}年度预算安排建议（{state}）：涉及本年预算{format_wan(base)}万元，建议安排{format_wan(final)}万元，"
        f"较本年{'增加' if final >= base else '减少'}{format_wan(abs(final - base))}万元。")
    doc.add_heading("二、按处理方式", level=2)
    table(doc, ("处理方式", "项数", "本年预算（万元）", "建议安排（万元）", "增减（万元）"),
          [(r["label"], r["n"], format_wan(r["base"] or 0), format_wan(r["final"] or 0), format_wan(r["change"]))
           for r in t["action"]])
    if t["action"]:
        picture(doc, bar_chart("各处理方式涉及本年预算（万元）", [r["label"] for r in t["action"]],
                               [("本年预算", [float(fen_to_wan(r["base"] or 0)) for r in t["action"]]),
                                ("建议安排", [float(fen_to_wan(r["final"] or 0)) for r in t["action"]])]))
    doc.add_heading("三、按行业", level=2)
    table(doc, ("行业", "项数", "本年预算（万元）", "优先保障（万元）", "压减涉及（万元）", "取消（万元）", "收回统筹（万元）", "建议安排（万元）"),
          [(r["sector__name"], r["n"], format_wan(r["base"] or 0), format_wan(r["priority"] or 0), format_wan(r["cut"] or 0),
            format_wan(r["cancelled"] or 0), format_wan(r["recovered"] or 0), format_wan(r["final"] or 0)) for r in t["sector"]])
    doc.add_heading("四、按单位（预算额前20位）", level=2)
    table(doc, ("单位", "项数", "本年预算（万元）", "建议安排（万元）", "增减（万元）"),
          [(r["unit__name"], r["n"], format_wan(r["base"] or 0), format_wan(r["final"] or 0), format_wan(r["change"]))
           for r in t["unit"]])
    doc.add_heading("五、取消、压减和收回统筹的项目", level=2)
    notable: list[Any] = list(rows.filter(final_action__in=("cancel", "recover", "cut", "rectify_cut"))
                              .select_related("unit").order_by("-base_fen", "pk")[:200])
    table(doc, ("项目", "单位", "本年预算（万元）", "建议安排（万元）", "处理方式", "依据"),
          [(p.name, p.unit.name, format_wan(p.base_fen), format_wan(p.final_fen), ACTION_LABELS[p.final_action],
            p.reason or p.rule) for p in notable])
    departures = list(rows.exclude(departure="").select_related("unit").order_by("unit__code", "code")[:200])
    if board.next_linked_at:
        doc.add_heading("六、下年度预算与建议的差异", level=2)
        doc.add_paragraph(f"下年度预算数据导入后比对，共{rows.exclude(departure='').count()}项与建议不一致。")
        table(doc, ("项目", "单位", "差异"), [(p.name, p.unit.name, p.departure) for p in departures])
    return to_bytes(doc)
