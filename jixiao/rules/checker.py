"""The self-evaluation table checker (shared/formats/selfeval-table.md "Checker output").

``check_table(doc, rule_set)`` recomputes every score of a decoded document and reports each
difference as a ``Finding``. It never raises: a malformed document gives a result whose ``errors``
name the keys (exit status 2). The command line, the REST API and the Excel import share it.

Codes beyond the shared format's table (documented in ``rules/README.md``): ``EXECUTION_OVER_BUDGET``
(error) — 全年执行数 above 全年预算数 (the adjusted budget), an execution rate over 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal

from jixiao.rules.numbers import ZERO, fmt, fmt_percent, fmt_plain
from jixiao.rules.parsing import parse_cached
from jixiao.rules.ruleset import DEFAULT_RULE_SET, RuleSet, get_rule_set
from jixiao.rules.scoring import (
    METHOD_LABELS,
    ExecutionScore,
    IndicatorScore,
    LevelScore,
    aggregate,
    execution_indicator_gap,
    rescale_total,
    score_execution,
    score_indicator,
)
from jixiao.rules.table import IndicatorRow, SelfEvalTable, decode_json, parse_table
from jixiao.rules.validation import DocumentError, FieldError
from jixiao.rules.values import ParsedValue, json_number

Severity = Literal["error", "warning"]
SEVERITIES: Final[dict[str, Severity]] = {
    "WEIGHTS_TOTAL": "error",
    "EXEC_SCORE_MISMATCH": "error",
    "EXECUTION_OVER_BUDGET": "error",
    "INDICATOR_SCORE_MISMATCH": "error",
    "QUAL_SCORE_OUT_OF_BAND": "error",
    "SCORE_EXCEEDS_WEIGHT": "error",
    "TOTAL_MISMATCH": "error",
    "GRADE_MISMATCH": "error",
    "TARGET_UNPARSED": "warning",
    "ACTUAL_UNPARSED": "warning",
    "OVERACHIEVED_UNEXPLAINED": "warning",
    "LOW_EXECUTION_UNEXPLAINED": "warning",
    "EXECUTION_INDICATOR_GAP": "warning",
    "ZERO_BUDGET": "warning",
    "WEIGHT_MISSING": "warning",
}
SEVERITY_LABELS: Final = {"error": "错误", "warning": "警告"}
EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_MALFORMED: Final = 2


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    indicator: int | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "indicator": self.indicator,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class IndicatorCheck:
    """One row: its parsed texts, the rule's result and the score the recomputed total counts."""

    row: IndicatorRow
    target: ParsedValue
    actual: ParsedValue
    result: IndicatorScore
    counted: Decimal

    @property
    def applicable(self) -> bool:
        return self.result.method != "not_applicable"

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.result.method]

    @property
    def decided(self) -> bool:
        """Its points are known: the rule's score, or a claimed score its band admits."""
        claimed = self.row.score
        return self.result.score is not None or (claimed is not None and self.result.admits(claimed))

    @property
    def possible(self) -> tuple[Decimal, Decimal]:
        """The points it may still get while undecided: its band, else [0, weight]."""
        if self.result.band is not None:
            return self.result.band
        return ZERO, self.row.weight or ZERO

    def to_dict(self) -> dict[str, object]:
        r, band = self.result, self.result.band
        return {
            "index": self.row.index,
            "name": self.row.name,
            "level1": self.row.level1,
            "level2": self.row.level2,
            "target": self.target.to_dict(),
            "actual": self.actual.to_dict(),
            "method": r.method,
            "weight": _num(self.row.weight),
            "score": _float(r.score),
            "claimed_score": _num(self.row.score),
            "band": None if band is None else [float(band[0]), float(band[1])],
            "band_kind": r.band_kind,
            "counted_score": float(self.counted),
            "rule_set": r.rule_set,
        }


@dataclass(frozen=True, slots=True)
class Provisional:
    """The total while rows are still to be judged (qualitative rows not yet scored): the points
    decided so far, the points still open and the total and grade range they allow."""

    scored: Decimal
    pending: Decimal
    pending_rows: int
    low: Decimal
    high: Decimal
    grade_low: str
    grade_high: str

    @property
    def complete(self) -> bool:
        return self.pending_rows == 0

    @property
    def grade_range(self) -> str:
        return self.grade_low if self.grade_low == self.grade_high else f"{self.grade_low}～{self.grade_high}"

    def to_dict(self) -> dict[str, object]:
        return {
            "scored": float(self.scored),
            "pending": float(self.pending),
            "pending_rows": self.pending_rows,
            "range": [float(self.low), float(self.high)],
            "grades": [self.grade_low, self.grade_high],
        }


def provisional(
    funds: ExecutionScore, rows: Iterable[IndicatorCheck], dropped: Decimal, rule_set: RuleSet
) -> Provisional:
    applicable = [r for r in rows if r.applicable]
    open_rows = [r for r in applicable if not r.decided]
    scored = funds.score + sum((r.counted for r in applicable if r.decided), ZERO)
    low = rescale_total(scored + sum((r.possible[0] for r in open_rows), ZERO), dropped, rule_set)
    high = rescale_total(scored + sum((r.possible[1] for r in open_rows), ZERO), dropped, rule_set)
    pending = sum((r.row.weight or ZERO for r in open_rows), ZERO)
    return Provisional(scored, pending, len(open_rows), low, high, rule_set.grade(low), rule_set.grade(high))


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The checker's answer; ``errors`` is non-empty exactly when the document is malformed."""

    rule_set: str
    table: SelfEvalTable | None = None
    funds: ExecutionScore | None = None
    indicators: tuple[IndicatorCheck, ...] = ()
    levels: tuple[LevelScore, ...] = ()
    total: Decimal | None = None
    grade: str | None = None
    findings: tuple[Finding, ...] = ()
    errors: tuple[FieldError, ...] = field(default=())
    provisional: Provisional | None = None
    convention: str | None = None  # which local convention the table was found to follow, and why

    @property
    def malformed(self) -> bool:
        return bool(self.errors)

    @property
    def exit_status(self) -> int:
        if self.errors:
            return EXIT_MALFORMED
        return EXIT_FINDINGS if any(f.severity == "error" for f in self.findings) else EXIT_OK

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        if self.table is None or self.funds is None:
            return {
                "rule_set": self.rule_set,
                "errors": [e.to_dict() for e in self.errors],
                "exit_status": self.exit_status,
            }
        funds, table = self.funds, self.table
        return {
            "rule_set": self.rule_set,
            "convention": self.convention,
            "title": table.title,
            "unit": table.unit,
            "year": table.year,
            "funds": {
                "execution_rate": None if funds.rate is None else float(round(funds.rate, 6)),
                "score": float(funds.score),
                "claimed_score": _num(table.funds.score),
                "weight": json_number(funds.weight),
                "method": funds.method,
            },
            "indicators": [row.to_dict() for row in self.indicators],
            "levels": [level.to_dict() for level in self.levels],
            "total": _float(self.total),
            "claimed_total": _num(table.total),
            "grade": self.grade,
            "claimed_grade": table.grade,
            "findings": [f.to_dict() for f in self.findings],
            "exit_status": self.exit_status,
        }


def _num(value: Decimal | None) -> int | float | None:
    return None if value is None else json_number(value)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def resolve_rule_set(rule_set: RuleSet | str | None) -> RuleSet:
    if isinstance(rule_set, RuleSet):
        return rule_set
    return get_rule_set(rule_set or DEFAULT_RULE_SET)


def check_table(doc: object, rule_set: RuleSet | str | None = None) -> CheckResult:
    """Check a decoded document (a dict from JSON, the REST API or the Excel import). Never raises
    for any document; an unknown rule-set name raises UnknownRuleSetError."""
    rules = resolve_rule_set(rule_set)
    try:
        table = parse_table(doc)
    except DocumentError as exc:
        return CheckResult(rules.name, errors=exc.errors)
    return check_parsed(table, rules)


def check_json(text: str | bytes, rule_set: RuleSet | str | None = None) -> CheckResult:
    """Check a JSON text; malformed JSON gives a malformed result like a malformed document."""
    rules = resolve_rule_set(rule_set)
    try:
        doc = decode_json(text)
    except DocumentError as exc:
        return CheckResult(rules.name, errors=exc.errors)
    return check_table(doc, rules)


class _Findings:
    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, code: str, message: str, indicator: int | None = None) -> None:
        self.items.append(Finding(code, SEVERITIES[code], indicator, message))


def check_parsed(table: SelfEvalTable, rule_set: RuleSet) -> CheckResult:
    """Check a validated table under a rule set."""
    out = _Findings()
    _check_weights(table, out)
    funds = score_execution(table.funds.annual_budget, table.funds.executed, table.funds.weight, rule_set)
    _check_funds(table, funds, rule_set, out)
    rows = tuple(_check_row(table, row, rule_set, out) for row in table.indicators)
    applicable = [r for r in rows if r.applicable]
    dropped = sum((r.row.weight or ZERO for r in rows if not r.applicable), ZERO)
    total: Decimal | None = rescale_total(
        funds.score + sum((r.counted for r in applicable), ZERO), dropped, rule_set
    )
    unweighted = [r.row for r in applicable if r.row.weight is None]
    for row in unweighted:
        out.add("WEIGHT_MISSING", f"{row.label}未印分值，无法计分；本表不计算总分和等级", row.index)
    if unweighted:
        total = None  # no grade from a partial sum
    _check_total_and_grade(table, applicable, dropped, rule_set, out)
    _check_gap(table, funds, applicable, rule_set, out)
    levels = aggregate((r.row.level1, r.row.level2, r.row.weight or ZERO, r.counted) for r in applicable)
    return CheckResult(
        rule_set=rule_set.name,
        table=table,
        funds=funds,
        indicators=rows,
        levels=levels,
        total=total,
        grade=None if total is None else rule_set.grade(total),
        findings=tuple(out.items),
        provisional=provisional(funds, rows, dropped, rule_set),
    )


def _check_weights(table: SelfEvalTable, out: _Findings) -> None:
    weights = [table.funds.weight, *(row.weight for row in table.indicators)]
    if any(w is None for w in weights):
        return
    total = sum((w for w in weights if w is not None), ZERO)
    if total != 100:
        out.add("WEIGHTS_TOTAL", f"资金分值与各指标分值合计为 {fmt_plain(total)}，应为 100")


def _exceeds(claimed: Decimal, weight: Decimal | None) -> bool:
    return claimed < 0 or (weight is not None and claimed > weight)


def _exceeds_message(subject: str, claimed: Decimal, weight: Decimal | None) -> str:
    if claimed < 0:
        return f"{subject}填报得分 {fmt_plain(claimed)} 小于 0"
    return f"{subject}填报得分 {fmt_plain(claimed)} 超过分值 {fmt_plain(weight or ZERO)}"


def _check_funds(table: SelfEvalTable, funds: ExecutionScore, rule_set: RuleSet, out: _Findings) -> None:
    claimed = table.funds.score
    if claimed is not None and _exceeds(claimed, funds.weight):
        out.add("SCORE_EXCEEDS_WEIGHT", _exceeds_message("预算执行", claimed, funds.weight))
    elif claimed is not None and abs(claimed - funds.score) > rule_set.tolerance:
        rate = "预算数为零或未填写" if funds.rate is None else f"预算执行率 {funds.rate_text}"
        out.add(
            "EXEC_SCORE_MISMATCH",
            f"资金得分填报为 {fmt_plain(claimed)}，按{rate}、分值 {fmt_plain(funds.weight)} 计算应为 "
            f"{fmt(funds.score, rule_set.rounding_places)}",
        )
    if funds.rate is None:
        out.add("ZERO_BUDGET", "全年预算数为零或未填写，资金得分按 0 计")
    elif funds.over_budget:
        unit = table.amount_unit
        out.add(
            "EXECUTION_OVER_BUDGET",
            f"全年执行数 {fmt_plain(table.funds.executed or ZERO)}{unit} 超过全年预算数（调整后）"
            f"{fmt_plain(table.funds.annual_budget or ZERO)}{unit}，执行率 {funds.rate_text} 不可能，"
            "请核对执行数及金额单位",
        )
    elif funds.low_execution and not table.has_execution_note:
        out.add(
            "LOW_EXECUTION_UNEXPLAINED",
            f"预算执行率 {funds.rate_text} 低于 {fmt_percent(rule_set.low_execution_threshold, 0)}，"
            "但未填写执行率偏低原因",
        )


def _counted(result: IndicatorScore, claimed: Decimal | None) -> Decimal:
    """The rule's score; else a claimed score the rule admits (qualitative band, or [0, w]); else 0."""
    if result.score is not None:
        return result.score
    if claimed is not None and result.admits(claimed):
        return claimed
    return ZERO


def _check_row(table: SelfEvalTable, row: IndicatorRow, rule_set: RuleSet, out: _Findings) -> IndicatorCheck:
    result = score_indicator(row.target, row.actual, row.weight, rule_set, year=table.year)
    check = IndicatorCheck(
        row, parse_cached(row.target), parse_cached(row.actual), result, _counted(result, row.score)
    )
    if not check.applicable:
        return check
    label, claimed, places = row.label, row.score, rule_set.rounding_places
    if result.issue_code == "TARGET_UNPARSED":
        out.add("TARGET_UNPARSED", f"{label}的年度指标值「{row.target}」无法识别：{result.issue}", row.index)
    elif result.issue_code == "ACTUAL_UNPARSED":
        out.add(
            "ACTUAL_UNPARSED",
            f"{label}的实际完成值「{row.actual}」无法与指标值比较：{result.issue}",
            row.index,
        )
    if claimed is not None and _exceeds(claimed, row.weight):
        out.add("SCORE_EXCEEDS_WEIGHT", _exceeds_message(label, claimed, row.weight), row.index)
    elif (
        claimed is not None and result.score is not None and abs(claimed - result.score) > rule_set.tolerance
    ):
        out.add(
            "INDICATOR_SCORE_MISMATCH",
            f"{label}填报得分 {fmt_plain(claimed)}，按规则应为 {fmt(result.score, places)}"
            f"（指标值「{row.target}」，实际完成值「{row.actual}」）",
            row.index,
        )
    elif claimed is not None and result.band is not None and not result.admits(claimed):
        low, high = result.band
        closing = "]" if result.band_kind == "met" else ")"
        out.add(
            "QUAL_SCORE_OUT_OF_BAND",
            f"{label}的实际完成值为「{row.actual}」，得分应在 [{fmt(low)}, {fmt(high)}{closing} 之间，"
            f"填报 {fmt_plain(claimed)}",
            row.index,
        )
    if result.overachieved and not row.has_note:
        out.add(
            "OVERACHIEVED_UNEXPLAINED",
            f"{label}实际完成值「{row.actual}」超过指标值「{row.target}」的 "
            f"{fmt_percent(rule_set.overachievement_threshold, 0)}，超计划较大，请填写偏差原因分析及改进措施",
            row.index,
        )
    return check


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def _check_total_and_grade(
    table: SelfEvalTable, rows: list[IndicatorCheck], dropped: Decimal, rule_set: RuleSet, out: _Findings
) -> None:
    claimed_sum = _sum([table.funds.score, *(r.row.score for r in rows)])
    expected = rescale_total(claimed_sum, dropped, rule_set)
    if table.total is not None and abs(table.total - expected) > rule_set.tolerance:
        rescaled = "（已按不适用指标折算为百分制）" if dropped > 0 else ""
        out.add(
            "TOTAL_MISMATCH",
            f"填报总分 {fmt_plain(table.total)} 与各项填报得分合计 {fmt(expected, rule_set.rounding_places)}"
            f"{rescaled} 不一致",
        )
    if table.grade is None:
        return
    basis = table.total if table.total is not None else expected
    grade = rule_set.grade(basis)
    if grade != table.grade:
        out.add(
            "GRADE_MISMATCH",
            f"填报等级「{table.grade}」与总分 {fmt_plain(basis)} 对应的等级「{grade}」不一致",
        )


def _check_gap(
    table: SelfEvalTable, funds: ExecutionScore, rows: list[IndicatorCheck], rule_set: RuleSet, out: _Findings
) -> None:
    """domain.md §4.7 red light, on the table's own (claimed) scores where given."""
    if funds.rate is None:
        return
    weights = [r.row.weight for r in rows]
    indicator_weight = _sum(weights) if all(w is not None for w in weights) else rule_set.indicator_weight
    s = sum((r.counted if r.row.score is None else r.row.score for r in rows), ZERO)
    b = funds.score if table.funds.score is None else table.funds.score
    gap = execution_indicator_gap(s, indicator_weight, b, funds.weight, rule_set)
    if gap is not None:
        out.add(
            "EXECUTION_INDICATOR_GAP",
            f"指标完成程度 {fmt_percent(gap[0])} 比预算执行程度 {fmt_percent(gap[1])} 高出 "
            f"{fmt_percent(rule_set.consistency_threshold, 0)} 以上（相对值），请核实“目标已完成而资金未支出”的情况",
        )
