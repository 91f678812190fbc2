"""Performance-target rules: the indicator framework and the automatic review checks (domain.md §3.2, §3.7).

Pure Python: the target form, the Excel upload and the reviewers' pages all call
``review_target`` with a plain :class:`TargetDraft`, and show the same findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal

from jixiao.rules.numbers import fmt_plain
from jixiao.rules.parsing import parse_cached, parse_value, written_op
from jixiao.rules.units import dimension
from jixiao.rules.values import Deadline, ParsedValue, Period, Qualitative, Quantitative, Unparsed

# Framework P-2015/2020 (domain.md §3.2): level 1 → level 2.
FRAMEWORK: Final[dict[str, tuple[str, ...]]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
REQUIRED_LEVEL1: Final = ("产出指标", "效益指标")
RECOMMENDED_LEVEL1: Final = ("满意度指标",)
REQUIRED_LEVEL2: Final = ("数量指标",)
RECOMMENDED_LEVEL2: Final = ("质量指标", "时效指标")
DEFAULT_WEIGHTS: Final[dict[str, Decimal]] = {
    "产出指标": Decimal(50),
    "效益指标": Decimal(30),
    "满意度指标": Decimal(10),
}

# 计算符号 (domain.md §2.14): comparisons with a number, and two without.
COMPARISONS: Final[dict[str, str]] = {
    ">=": "≥",
    ">": ">",
    "=": "=",
    "<=": "≤",
    "<": "<",
    "qual": "定性",
    "other": "定量(其他)",
}
NUMERIC_COMPARISONS: Final = frozenset({">=", ">", "=", "<=", "<"})
BOILERPLATE_GOALS: Final = frozenset(
    {"无", "略", "同上", "见附件", "按时完成", "完成年度任务", "完成任务", "按计划完成"}
)
MIN_GOAL_LENGTH: Final = 10
PLAIN_NUMBER: Final = re.compile(r"^[0-9０-９][0-9０-９,，.．]*$")
INPUT_WORDS: Final = re.compile(r"资金投入|投入资金|经费投入|投入经费|预算投入")

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class IndicatorDraft:
    level1: str
    level2: str
    name: str
    comparison: str
    value: str
    unit: str = ""
    weight: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TargetDraft:
    """What the review checks need of a target declaration (project or department overall)."""

    kind: Literal["project", "department"]
    annual_goal: str
    indicators: tuple[IndicatorDraft, ...]
    long_term_goal: str = ""
    budget_fen: int | None = None
    #: project: 财政拨款 + 其他资金 typed on the form; department: Σ main-task amounts
    declared_fen: int | None = None
    is_continuing: bool = False
    #: a continuing project's last-year values by indicator name (actual when known, else target)
    previous_values: Mapping[str, Decimal] = field(default_factory=dict)
    tasks_without_indicator: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetFinding:
    code: str
    severity: Severity
    message: str
    row: int | None = None  # 1-based indicator row

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def target_text(comparison: str, value: str, unit: str) -> str:
    """The text the parser reads: the value and its unit, led by the chosen comparison symbol
    when the value spells no comparison of its own ("95" or "95%" under ≥ → "≥95%"). A value
    whose own sign contradicts the chosen one is kept as typed; the review reports it."""
    value, unit = value.strip(), unit.strip()
    text = value + unit if unit and not value.endswith(unit) else value
    if (
        comparison in NUMERIC_COMPARISONS
        and written_op(value) is None
        and (PLAIN_NUMBER.match(value) or isinstance(parse_cached(text), Quantitative))
    ):
        text = COMPARISONS[comparison] + text
    return text


def sign_conflict(ind: IndicatorDraft) -> str | None:
    """The sign written in the value when it contradicts the chosen 计算符号 ("≤95%" under ≥)."""
    value = ind.value.strip()
    if ind.comparison not in NUMERIC_COMPARISONS or not isinstance(parse_cached(value), Quantitative):
        return None
    op = written_op(value)
    return COMPARISONS[op] if op is not None and op != ind.comparison else None


def parse_indicator(ind: IndicatorDraft) -> ParsedValue:
    return parse_value(target_text(ind.comparison, ind.value, ind.unit))


def describe(parsed: ParsedValue) -> str:
    """The parse shown back to the person typing: "≥ 95 %", "截止 9 月", or why it cannot be measured."""
    if isinstance(parsed, Quantitative):
        return f"{COMPARISONS[parsed.op]} {fmt_plain(parsed.value)} {parsed.unit}".strip()
    if isinstance(parsed, Deadline):
        year = f"{parsed.year}年" if parsed.year else ""
        day = f"{parsed.day}日" if parsed.day else ""
        return f"截止 {year}{parsed.month} 月{day}"
    if isinstance(parsed, Period):
        return f"期间 {_point(parsed.start)} 至 {_point(parsed.end)}"
    if isinstance(parsed, Qualitative):
        return f"定性：{parsed.text}"
    return f"无法计量：{parsed.reason}"


def preview(ind: IndicatorDraft) -> tuple[str, bool]:
    """What the form shows beside a typed value, and whether the value can be measured."""
    if ind.comparison in ("qual", "other"):
        return ("定性指标" if ind.comparison == "qual" else "定量(其他)，请在指标解释中说明"), True
    parsed = parse_indicator(ind)
    if isinstance(parsed, Quantitative | Deadline):
        return describe(parsed), True
    if isinstance(parsed, Unparsed):
        return describe(parsed), False
    return "无法计量：定量指标的指标值应为数值", False


def _point(p: object) -> str:
    year = getattr(p, "year", None)
    day = getattr(p, "day", None)
    return f"{f'{year}年' if year else ''}{getattr(p, 'month', '')}月{f'{day}日' if day else ''}"


def review_target(draft: TargetDraft, weights: Mapping[str, Decimal] | None = None) -> list[TargetFinding]:
    """Every automatic review check (domain.md §3.7 V1–V9); messages name the row."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    findings: list[TargetFinding] = []
    findings += _check_goals(draft)
    findings += _check_coverage(draft.indicators)
    findings += _check_rows(draft.indicators)
    findings += _check_weights(draft.indicators, weights)
    findings += _check_previous(draft)
    findings += _check_amounts(draft)
    findings += _check_cost_above_funds(draft)
    findings += [
        TargetFinding("TASK_WITHOUT_INDICATOR", "warning", f"年度主要任务「{t}」没有对应的产出指标。")
        for t in draft.tasks_without_indicator
    ]
    return findings


def _check_goals(draft: TargetDraft) -> Iterable[TargetFinding]:
    goals = [("年度目标", draft.annual_goal)]
    if draft.kind == "project":
        goals.append(("长期目标", draft.long_term_goal))
    for label, text in goals:
        t = (text or "").strip()
        if not t:
            if label == "年度目标":
                yield TargetFinding("GOAL_EMPTY", "error", f"{label}不能为空。")
            continue
        if t in BOILERPLATE_GOALS or len(t) < MIN_GOAL_LENGTH:
            yield TargetFinding(
                "GOAL_BOILERPLATE", "warning", f"{label}「{t}」过于笼统，请写明具体产出和效果。"
            )


def _check_coverage(indicators: tuple[IndicatorDraft, ...]) -> Iterable[TargetFinding]:
    level1 = {i.level1 for i in indicators}
    level2 = {i.level2 for i in indicators}
    for name in REQUIRED_LEVEL1:
        if name not in level1:
            yield TargetFinding("LEVEL1_MISSING", "error", f"缺少一级指标「{name}」。")
    for name in RECOMMENDED_LEVEL1:
        if name not in level1:
            yield TargetFinding("LEVEL1_RECOMMENDED", "warning", f"建议设置一级指标「{name}」。")
    for name in REQUIRED_LEVEL2:
        if name not in level2:
            yield TargetFinding("LEVEL2_MISSING", "error", f"缺少二级指标「{name}」。")
    for name in RECOMMENDED_LEVEL2:
        if name not in level2:
            yield TargetFinding("LEVEL2_RECOMMENDED", "warning", f"建议设置二级指标「{name}」。")


def _check_rows(indicators: tuple[IndicatorDraft, ...]) -> Iterable[TargetFinding]:
    seen: dict[str, int] = {}
    for row, ind in enumerate(indicators, start=1):
        where = f"第{row}行指标「{ind.name or '（未命名）'}」"
        if not ind.name.strip():
            yield TargetFinding("NAME_EMPTY", "error", f"第{row}行：三级指标名称不能为空。", row)
        if ind.level2 not in FRAMEWORK.get(ind.level1, ()):
            yield TargetFinding(
                "LEVEL_INVALID",
                "error",
                f"{where}：二级指标「{ind.level2}」不属于一级指标「{ind.level1}」。",
                row,
            )
        key = ind.name.strip()
        if key and key in seen:
            yield TargetFinding("DUPLICATE", "error", f"{where}与第{seen[key]}行重名。", row)
        seen.setdefault(key, row)
        if INPUT_WORDS.search(ind.name):
            yield TargetFinding(
                "INPUT_AS_TARGET", "warning", f"{where}：资金等投入不能作为绩效目标，请改为产出或效果。", row
            )
        yield from _check_value(ind, row, where)
        if ind.weight is not None and ind.weight <= 0:
            yield TargetFinding("WEIGHT_NOT_POSITIVE", "error", f"{where}：权重必须大于0。", row)


def _check_value(ind: IndicatorDraft, row: int, where: str) -> Iterable[TargetFinding]:
    if not ind.value.strip():
        yield TargetFinding("VALUE_EMPTY", "error", f"{where}：指标值不能为空。", row)
        return
    if ind.comparison not in COMPARISONS:
        yield TargetFinding(
            "COMPARISON_INVALID", "error", f"{where}：计算符号「{ind.comparison}」无效。", row
        )
        return
    if ind.comparison in ("qual", "other"):
        return
    conflict = sign_conflict(ind)
    if conflict is not None:
        yield TargetFinding(
            "SIGN_CONFLICT",
            "error",
            f"{where}：指标值「{ind.value}」中的符号「{conflict}」与所选计算符号"
            f"「{COMPARISONS[ind.comparison]}」矛盾，请改正其一。",
            row,
        )
        return
    parsed = parse_indicator(ind)
    if isinstance(parsed, Quantitative):
        if not parsed.unit:
            yield TargetFinding("UNIT_MISSING", "error", f"{where}：定量指标必须填写计量单位。", row)
    elif not isinstance(parsed, Deadline):
        reason = parsed.reason if isinstance(parsed, Unparsed) else "不是数值"
        yield TargetFinding(
            "VALUE_UNPARSED",
            "error",
            f"{where}：指标值「{ind.value}」无法计量（{reason}），定量指标的指标值应为数值。",
            row,
        )


def _check_weights(
    indicators: tuple[IndicatorDraft, ...], weights: Mapping[str, Decimal]
) -> Iterable[TargetFinding]:
    given = [i for i in indicators if i.weight is not None]
    if not given:
        yield TargetFinding("WEIGHTS_MISSING", "warning", "尚未填写指标权重；自评时需要权重。")
        return
    if len(given) < len(indicators):
        rows = "、".join(str(n) for n, i in enumerate(indicators, start=1) if i.weight is None)
        yield TargetFinding(
            "WEIGHTS_PARTIAL", "error", f"第{rows}行未填写权重：权重要么全部填写，要么全部不填。"
        )
        return
    for level1, expected in weights.items():
        total = sum((i.weight or Decimal(0) for i in indicators if i.level1 == level1), Decimal(0))
        if any(i.level1 == level1 for i in indicators) and total != expected:
            yield TargetFinding(
                "WEIGHTS_LEVEL1",
                "error",
                f"「{level1}」的权重合计为{fmt_plain(total)}，应为{fmt_plain(expected)}。",
            )
    total = sum((i.weight or Decimal(0) for i in indicators), Decimal(0))
    expected_total = sum(weights.values(), Decimal(0))
    if total != expected_total:
        yield TargetFinding(
            "WEIGHTS_TOTAL",
            "error",
            f"指标权重合计为{fmt_plain(total)}，应为{fmt_plain(expected_total)}（另有预算执行率{fmt_plain(100 - expected_total)}分）。",
        )


def _check_previous(draft: TargetDraft) -> Iterable[TargetFinding]:
    if not draft.is_continuing:
        return
    for row, ind in enumerate(draft.indicators, start=1):
        before = draft.previous_values.get(ind.name.strip())
        parsed = parse_indicator(ind)
        if before is None or not isinstance(parsed, Quantitative):
            continue
        lower = parsed.value < before if parsed.op in (">=", ">", "=") else parsed.value > before
        if lower:
            word = "低于" if parsed.op in (">=", ">", "=") else "宽于"
            yield TargetFinding(
                "BELOW_LAST_YEAR",
                "warning",
                f"第{row}行指标「{ind.name}」：延续项目的目标值{fmt_plain(parsed.value)}{word}上年实际{fmt_plain(before)}，请说明理由。",
                row,
            )


def _check_amounts(draft: TargetDraft) -> Iterable[TargetFinding]:
    if draft.budget_fen is None or draft.declared_fen is None or draft.declared_fen == draft.budget_fen:
        return
    if draft.kind == "project":
        yield TargetFinding(
            "AMOUNT_MISMATCH",
            "error",
            f"资金来源合计{_wan(draft.declared_fen)}万元与项目预算{_wan(draft.budget_fen)}万元不一致。",
        )
    else:
        yield TargetFinding(
            "TASKS_AMOUNT_MISMATCH",
            "warning",
            f"年度主要任务金额合计{_wan(draft.declared_fen)}万元与部门预算{_wan(draft.budget_fen)}万元不一致。",
        )


def _amount_fen(parsed: ParsedValue) -> Decimal | None:
    """A quantity in an amount unit (元, 万元, 亿元; not 元/户) as 分; None for anything else."""
    if not isinstance(parsed, Quantitative):
        return None
    dim, factor = dimension(parsed.unit)
    return parsed.value * factor * 100 if dim == "元" else None


def _check_cost_above_funds(draft: TargetDraft) -> Iterable[TargetFinding]:
    """A cost or amount target larger than the money the project (or department) has."""
    if not draft.budget_fen:
        return
    for row, ind in enumerate(draft.indicators, start=1):
        if ind.comparison not in NUMERIC_COMPARISONS:
            continue
        fen = _amount_fen(parse_indicator(ind))
        if fen is not None and fen > draft.budget_fen:
            yield TargetFinding(
                "COST_ABOVE_FUNDS",
                "warning",
                f"第{row}行指标「{ind.name}」：指标值{_wan(int(fen))}万元超过年度资金总额"
                f"{_wan(draft.budget_fen)}万元，请核实金额或计量单位。",
                row,
            )


def _wan(fen: int) -> str:
    return f"{Decimal(fen) / 1_000_000:,.2f}"
