"""结果应用情况 report (.docx) for the 区政府, rendered from the ``application_report`` Word template
(``reporttypes.py``; the performance section may replace it under 报告模板)."""

from __future__ import annotations

from typing import Any

from jixiao.application.models import Board, Proposal
from jixiao.application.services import board_totals
from jixiao.core.charts import bar_chart
from jixiao.reports.registry import Chart
from jixiao.reports.rendering import render
from jixiao.rules.application import ACTION_LABELS
from jixiao.rules.money import fen_to_wan, format_wan


def report_context(board: Board) -> dict[str, Any]:
    """The report's fields (see ``reporttypes.FIELDS``) from the board's totals and lines."""
    rows = Proposal.objects.filter(board=board)
    t = board_totals(board)
    state = "已定稿" if board.state == "final" else "编制中（未定稿）"
    n = sum(r["n"] for r in t["action"])
    base = sum(r["base"] or 0 for r in t["action"])
    final = sum(r["final"] or 0 for r in t["action"])
    chart = None
    if t["action"]:
        chart = Chart(bar_chart("各处理方式涉及本年预算（万元）", [r["label"] for r in t["action"]],
                                [("本年预算", [float(fen_to_wan(r["base"] or 0)) for r in t["action"]]),
                                 ("建议安排", [float(fen_to_wan(r["final"] or 0)) for r in t["action"]])]))
    notable: list[Any] = list(rows.filter(final_action__in=("cancel", "recover", "cut", "rectify_cut"))
                              .select_related("unit").order_by("-base_fen", "pk")[:200])
    departures = list(rows.exclude(departure="").select_related("unit").order_by("unit__code", "code")[:200])
    return {
        "title": f"云溪区{board.evidence_year}年度绩效评价结果应用情况报告",
        "recipient": "区人民政府",
        "summary": (f"依据{board.evidence_year}年度绩效目标、运行监控、绩效自评、财政复核和重点评价结果，对{n}个项目及部门整体支出"
                    f"提出{board.year}年度预算安排建议（{state}）：涉及本年预算{format_wan(base)}万元，建议安排"
                    f"{format_wan(final)}万元，较本年{'增加' if final >= base else '减少'}{format_wan(abs(final - base))}万元。"),
        "actions": [(r["label"], str(r["n"]), format_wan(r["base"] or 0), format_wan(r["final"] or 0), format_wan(r["change"]))
                    for r in t["action"]],
        "action_chart": chart,
        "sectors": [(r["sector__name"], str(r["n"]), format_wan(r["base"] or 0), format_wan(r["priority"] or 0),
                     format_wan(r["cut"] or 0), format_wan(r["cancelled"] or 0), format_wan(r["recovered"] or 0),
                     format_wan(r["final"] or 0)) for r in t["sector"]],
        "units": [(r["unit__name"], str(r["n"]), format_wan(r["base"] or 0), format_wan(r["final"] or 0),
                   format_wan(r["change"])) for r in t["unit"]],
        "notable": [(p.name, p.unit.name, format_wan(p.base_fen), format_wan(p.final_fen), ACTION_LABELS[p.final_action],
                     p.reason or p.rule) for p in notable],
        "departures_intro": (f"下年度预算数据导入后比对，共{rows.exclude(departure='').count()}项与建议不一致。"
                             if board.next_linked_at else ""),
        "departures": [(p.name, p.unit.name, p.departure) for p in departures],
    }


def application_report(board: Board) -> bytes:
    return render("application_report", report_context(board))
