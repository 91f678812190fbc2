"""The readable Chinese report of a check (what ``jixiao selfeval check FILE`` prints)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from itertools import accumulate

from jixiao.rules.checker import SEVERITY_LABELS, CheckResult, IndicatorCheck
from jixiao.rules.numbers import fmt, fmt_plain
from jixiao.rules.overall import SheetResult
from jixiao.rules.scoring import METHOD_LABELS

_HEADERS = ("行", "一级指标", "三级指标", "年度指标值", "实际完成值", "计分方法", "分值", "得分", "填报得分")
_MAX_CELL = 16


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: wide (CJK) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str) -> str:
    """A cell cut to _MAX_CELL columns, with "…" when it was longer."""
    if display_width(text) <= _MAX_CELL:
        return text
    kept = sum(1 for width in accumulate(display_width(c) for c in text) if width < _MAX_CELL)
    return text[:kept] + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows under headers, columns padded to the widest cell."""
    widths = [max(display_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines


def _maybe(value: Decimal | None) -> str:
    """A claimed number as written in the table ("9.20"), or a dash."""
    return "—" if value is None else f"{value:f}"


def _amount(value: Decimal | None, unit: str) -> str:
    return "未填写" if value is None else f"{fmt(value)} {unit}"


def _score_cell(check: IndicatorCheck, places: int) -> str:
    result = check.result
    if result.score is not None:
        return fmt(result.score, places)
    if result.band is not None:
        low, high = result.band
        return f"[{fmt(low)}, {fmt(high)}{']' if result.band_kind == 'met' else ')'}"
    return "—"


def render_report(result: CheckResult, places: int = 2) -> str:
    """The readable report: title, execution, indicator table, total, grade, findings."""
    table, funds = result.table, result.funds
    if table is None or funds is None:
        return render_errors(result)
    rate = "无法计算（预算数为零或未填写）" if funds.rate is None else funds.rate_text
    lines = [
        f"项目支出绩效自评表检查：{table.title}",
        f"实施单位：{table.unit}　自评年度：{table.year}　规则集：{result.rule_set}",
        *([result.convention] if result.convention else []),
        "",
        "一、预算执行",
        f"  全年预算数 {_amount(table.funds.annual_budget, table.amount_unit)}，"
        f"全年执行数 {_amount(table.funds.executed, table.amount_unit)}，执行率 {rate}",
        f"  资金得分 {fmt(funds.score, places)}（分值 {fmt_plain(funds.weight)}，填报 {_maybe(table.funds.score)}）",
        "",
        "二、绩效指标",
    ]
    rows = [
        [
            str(c.row.row),
            _cell(c.row.level1),
            _cell(c.row.name),
            _cell(c.row.target),
            _cell(c.row.actual),
            METHOD_LABELS[c.result.method],
            _maybe(c.row.weight),
            _score_cell(c, places),
            _maybe(c.row.score),
        ]
        for c in result.indicators
    ]
    lines += ["  " + line for line in format_table(_HEADERS, rows)] if rows else ["  （无指标）"]
    lines += [
        "",
        f"三、总分 {_total(result.total, places)}（填报 {_maybe(table.total)}）",
        f"四、等级 {result.grade or '不评定（有指标未印分值）'}（填报 {table.grade or '—'}）",
        "",
    ]
    lines += _render_findings(result)
    return "\n".join(lines) + "\n"


def _total(total: Decimal | None, places: int) -> str:
    return "无法计算（有指标未印分值）" if total is None else fmt(total, places)


def _render_findings(result: CheckResult) -> list[str]:
    errors = sum(1 for f in result.findings if f.severity == "error")
    warnings = len(result.findings) - errors
    if not result.findings:
        return ["检查结论：未发现问题。"]
    lines = [f"检查结论：{errors} 个错误，{warnings} 个警告。"]
    lines += [f"  [{SEVERITY_LABELS[f.severity]}] {f.code} {f.message}" for f in result.findings]
    return lines


def render_sheet_report(result: SheetResult) -> str:
    """The readable report of a department-overall score sheet."""
    sheet = result.sheet
    assert sheet is not None
    lines = [
        f"部门整体支出绩效评价评分表检查：{sheet.title}",
        f"单位：{sheet.unit}　年度：{sheet.year}　评分细则：{result.rubric}",
        *([result.convention] if result.convention else []),
        "",
    ]
    headers = ("项", "一级指标", "三级指标", "指标值", "分值", "按公式得分", "填报得分")
    rows = [
        [
            str(c.item.index + 1),
            _cell(c.item.level1),
            _cell(c.item.name),
            _cell(c.item.value or "—"),
            _maybe(c.item.weight),
            "—" if c.score is None else fmt(c.score),
            _maybe(c.item.score),
        ]
        for c in result.items
    ]
    lines += ["  " + line for line in format_table(headers, rows)] if rows else ["  （无评分项）"]
    total = "无法计算（有评分项未印分值或未填得分）" if result.total is None else fmt(result.total)
    lines += [
        "",
        f"总分 {total}（填报 {_maybe(sheet.total)}）　等级 {result.grade or '—'}（填报 {sheet.grade or '—'}）",
        "",
    ]
    errors = sum(1 for f in result.findings if f.severity == "error")
    if not result.findings:
        lines.append("检查结论：未发现问题。")
    else:
        lines.append(f"检查结论：{errors} 个错误，{len(result.findings) - errors} 个警告。")
        lines += [f"  [{SEVERITY_LABELS[f.severity]}] {f.code} {f.message}" for f in result.findings]
    return "\n".join(lines) + "\n"


def render_errors(result: CheckResult | SheetResult) -> str:
    """A malformed document: every problem with its key."""
    lines = ["文档格式错误，无法检查："]
    lines += [f"  - {error.message}" for error in result.errors]
    return "\n".join(lines) + "\n"
