"""Self-evaluation scoring (domain.md §4.1–§4.7).

- ``score_execution``: budget-execution score, §4.2.
- ``score_indicator`` / ``score_parsed``: one indicator, §4.3 (quantitative, deadline) and §4.4
  (qualitative bands); not-applicable indicators, §4.5.
- ``aggregate`` and ``rescale_total``: level-1/level-2 sums and the not-applicable rescale, §4.5.
- ``consistency_warnings``: the vendor consistency lights, §4.7.
Grades (§4.6) are ``RuleSet.grade``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Final, Literal, NamedTuple

from jixiao.rules.bands import band_share
from jixiao.rules.numbers import HUNDRED, ONE, ZERO, clamp, fmt_percent
from jixiao.rules.parsing import REASON_EMPTY, normalise_text, parse_cached
from jixiao.rules.ruleset import RuleSet
from jixiao.rules.units import align_actual
from jixiao.rules.values import (
    POSITIVE_OPS,
    REVERSE_OPS,
    DatePoint,
    Deadline,
    ParsedValue,
    Period,
    Qualitative,
    Quantitative,
    Unparsed,
)

Method = Literal[
    "positive_ratio",
    "equal_ratio",
    "equal_zero",
    "reverse_ratio",
    "reverse_linear",
    "deadline",
    "qualitative_band",
    "not_applicable",
    "unscorable",
]
BandKind = Literal["met", "partly_met", "not_met"]
IssueCode = Literal["TARGET_UNPARSED", "ACTUAL_UNPARSED"]

METHOD_LABELS: Final[dict[str, str]] = {
    "positive_ratio": "正向比例",
    "equal_ratio": "等于（按正向）",
    "equal_zero": "等于零",
    "reverse_ratio": "反向比例(R1)",
    "reverse_linear": "反向线性扣分(R2)",
    "deadline": "时间节点",
    "qualitative_band": "定性区间",
    "not_applicable": "不适用",
    "unscorable": "无法计分",
    "execution_ratio": "执行率比例",
    "execution_bands": "执行率分档",
}
ACTUAL_EMPTY: Final = "实际完成值为空"
BAND_LABELS: Final[dict[str, str]] = {"met": "达成", "partly_met": "部分达成", "not_met": "未达成"}

NOT_APPLICABLE_WORDS: Final = frozenset({"不适用", "不涉及"})
QUALITATIVE_MET_WORDS: Final = frozenset(
    {"达成", "已达成", "达到", "完成", "已完成", "是", "达成预期指标", "达成年度指标"}
)
DEADLINE_MET_WORDS: Final = frozenset(
    {"按时完成", "按期完成", "如期完成", "提前完成", "已按时完成", "已按期完成", "已如期完成", "已提前完成"}
    | {"按时", "按期", "及时", "是"}
)
ALL_FULL_EXECUTION_BELOW: Final = Decimal("0.8")  # domain.md §4.7 [INFERRED] addition
DEADLINE_MISSED_WORDS: Final = frozenset(
    {"未完成", "尚未完成", "未按时完成", "未按期完成", "延期", "延期完成", "逾期", "逾期完成", "否"}
)


_normalised: Final = lru_cache(maxsize=4096)(normalise_text)
"""``normalise_text`` cached: scoring compares the same few words (不适用, 达成, …) over and over."""


# --- execution (§4.2) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExecutionScore:
    """The budget-execution score; ``rate`` is E/B as a fraction, None when B is 0 or missing.

    ``low_execution`` flags a rate below the rule set's threshold (90%: a reason is required).
    """

    rule_set: str
    rate: Decimal | None
    score: Decimal
    weight: Decimal
    method: Literal["execution_ratio", "execution_bands"]
    low_execution: bool = False

    @property
    def zero_budget(self) -> bool:
        return self.rate is None

    @property
    def over_budget(self) -> bool:
        """Execution above the (adjusted) annual budget: impossible, the checker's error."""
        return self.rate is not None and self.rate > ONE

    @property
    def rate_text(self) -> str:
        """The one rounding of the execution rate every page, document and message shows."""
        return "—" if self.rate is None else fmt_percent(self.rate)

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]


def score_execution(
    budget: Decimal | None, executed: Decimal | None, weight: Decimal | None, rule_set: RuleSet
) -> ExecutionScore:
    """S_exec = w × min(1, E/B) (or the rule set's bands); B zero or missing → rate None, score 0."""
    w = rule_set.funds_weight if weight is None else weight
    method: Literal["execution_ratio", "execution_bands"] = (
        "execution_bands" if rule_set.execution_method == "bands" else "execution_ratio"
    )
    if budget is None or budget <= 0:
        return ExecutionScore(rule_set.name, None, rule_set.round(ZERO), w, method)
    rate = max(executed or ZERO, ZERO) / budget
    share = band_share(rate, rule_set.execution_bands) if method == "execution_bands" else min(ONE, rate)
    low = rate < rule_set.low_execution_threshold
    return ExecutionScore(rule_set.name, rate, rule_set.round(w * share), w, method, low)


# --- indicators (§4.3, §4.4) -----------------------------------------------------------------------


class IndicatorScore(NamedTuple):
    """One indicator under a rule set.

    ``score`` is None for a qualitative indicator (a rater's judgement inside ``band``) and when
    the texts cannot be compared (``issue_code``/``issue`` say why). Immutable like the other
    results, but a NamedTuple: it is built once per indicator on the hot path, three times
    faster than a frozen dataclass.
    """

    rule_set: str
    method: Method
    weight: Decimal | None
    score: Decimal | None = None
    met: bool | None = None
    achievement: Decimal | None = None
    overachieved: bool = False
    band: tuple[Decimal, Decimal] | None = None
    band_kind: BandKind | None = None
    suggested: Decimal | None = None
    issue_code: IssueCode | None = None
    issue: str | None = None

    def admits(self, claimed: Decimal) -> bool:
        """Whether a claimed score is possible under this result (its band, else [0, w])."""
        if self.band is not None:
            low, high = self.band
            upper_ok = claimed <= high if self.band_kind == "met" else claimed < high
            return low <= claimed and upper_ok
        return self.weight is not None and ZERO <= claimed <= self.weight


_new_tuple: Final = tuple.__new__


def is_not_applicable(value: ParsedValue) -> bool:
    """ "不适用" / "不涉及" written as the target or the actual (domain.md §4.5)."""
    return isinstance(value, Qualitative) and _normalised(value.text) in NOT_APPLICABLE_WORDS


def score_indicator(
    target_text: str | None,
    actual_text: str | None,
    weight: Decimal | None,
    rule_set: RuleSet,
    *,
    year: int | None = None,
) -> IndicatorScore:
    """Parse (cached) and score one indicator."""
    target, actual = parse_cached(target_text), parse_cached(actual_text)
    if type(target) is Quantitative and type(actual) is Quantitative:  # the hot path, as in score_parsed
        return _score_quantitative(target, actual, weight, rule_set)
    return score_parsed(target, actual, actual_text, weight, rule_set, year=year)


def score_parsed(
    target: ParsedValue,
    actual: ParsedValue,
    actual_text: str | None,
    weight: Decimal | None,
    rule_set: RuleSet,
    *,
    year: int | None = None,
) -> IndicatorScore:
    """Score already-parsed values (``actual_text`` is needed for qualitative wording)."""
    if type(target) is Quantitative and type(actual) is Quantitative:  # the hot path: neither can be "不适用"
        return _score_quantitative(target, actual, weight, rule_set)
    if is_not_applicable(target) or is_not_applicable(actual):
        return IndicatorScore(rule_set.name, "not_applicable", weight)
    if isinstance(target, Quantitative):
        return _score_quantitative(target, actual, weight, rule_set)
    if isinstance(target, Deadline | Period):
        return _score_deadline(target, actual, actual_text, weight, rule_set, year)
    if isinstance(target, Qualitative):
        return _score_qualitative(target, actual_text, weight, rule_set)
    return IndicatorScore(
        rule_set.name, "unscorable", weight, issue_code="TARGET_UNPARSED", issue=target.reason
    )


def _actual_issue(
    rule_set: RuleSet, method: Method, weight: Decimal | None, actual: ParsedValue
) -> IndicatorScore:
    if isinstance(actual, Unparsed):
        reason = ACTUAL_EMPTY if actual.reason == REASON_EMPTY else actual.reason
    else:
        reason = "实际完成值与指标值的类型不同，无法比较"
    return IndicatorScore(rule_set.name, method, weight, issue_code="ACTUAL_UNPARSED", issue=reason)


_DIRECTED_METHODS: Final[dict[str, dict[str, Method]]] = {
    variant: {
        **dict.fromkeys(POSITIVE_OPS, "positive_ratio"),
        **dict.fromkeys(REVERSE_OPS, "reverse_ratio" if variant == "R1" else "reverse_linear"),
    }
    for variant in ("R1", "R2")
}
"""The method of a target's comparison by reverse variant; "=" is missing (it depends on the value)."""


def quantitative_ratio(method: Method, actual: Decimal, target: Decimal) -> Decimal:
    """The share of w an actual earns (domain.md §4.3), for A ≥ 0; clamped to [0, 1]."""
    if method == "equal_zero":
        return ONE if actual <= 0 else ZERO
    if method in ("positive_ratio", "equal_ratio"):
        return ONE if actual >= target else clamp(actual / target, ZERO, ONE)
    if actual <= target:
        return ONE
    if target <= 0:
        return ZERO
    if method == "reverse_ratio":
        return target / actual
    return clamp(ONE - (actual - target) / target, ZERO, ONE)


def _score_quantitative(
    target: Quantitative, actual: ParsedValue, weight: Decimal | None, rule_set: RuleSet
) -> IndicatorScore:
    method = _DIRECTED_METHODS[rule_set.reverse_variant].get(target.op) or (
        "equal_zero" if target.value == 0 else "equal_ratio"
    )
    if not isinstance(actual, Quantitative):
        return _actual_issue(rule_set, method, weight, actual)
    unit = target.unit
    # Most actuals are written in their target's unit; align_actual returns such a value as it is.
    value = (
        actual.value if actual.unit == unit else align_actual(actual.value, actual.unit, target.value, unit)
    )
    if value is None:
        issue = (
            f"实际完成值的单位“{actual.unit or '无'}”与指标值的单位“{target.unit or '无'}”不一致，无法比较"
        )
        return IndicatorScore(rule_set.name, method, weight, issue_code="ACTUAL_UNPARSED", issue=issue)
    if value < ZERO:  # §4.3: a negative actual is set to 0
        value = ZERO
    t = target.value
    achievement = value / t if t > 0 else None
    if achievement is not None and value < t and (method == "positive_ratio" or method == "equal_ratio"):
        ratio = achievement if achievement > ZERO else ZERO  # quantitative_ratio's A / T, not divided twice
    else:
        ratio = quantitative_ratio(method, value, t)
    # Overachieved: A ≥ 130% of a positive (or "=") target; or T = 0 and A ≥ 30 for ≥ / > (domain.md §4.3).
    if method == "reverse_ratio" or method == "reverse_linear":
        overachieved = False
    elif t > 0:
        overachieved = value >= rule_set.overachievement_threshold * t
    else:
        overachieved = target.op in POSITIVE_OPS and t == 0 and value >= rule_set.overachievement_zero_target
    # All twelve fields by position straight into the tuple: a NamedTuple's own __new__ (defaults,
    # keywords) costs three times the tuple itself, and this runs once per indicator.
    return _new_tuple(
        IndicatorScore,
        (
            rule_set.name,
            method,
            weight,
            None if weight is None else rule_set.round(weight * ratio),
            ratio == ONE,
            achievement,
            overachieved,
            None,  # band
            None,  # band_kind
            None,  # suggested
            None,  # issue_code
            None,  # issue
        ),
    )


# --- deadlines ----------------------------------------------------------------------------------


def _period_end(period: Period) -> DatePoint:
    end = period.end
    return DatePoint(end.month, end.year if end.year is not None else period.start.year, end.day)


def target_point(target: Deadline | Period) -> DatePoint:
    """The point a deadline target names; a period counts until its end."""
    return target.point if isinstance(target, Deadline) else _period_end(target)


def date_point_of(value: ParsedValue) -> DatePoint | None:
    """The calendar point an actual names: a deadline, a period's end, or a number written "2021.10"."""
    if isinstance(value, Deadline | Period):
        return target_point(value)
    if isinstance(value, Quantitative) and not value.unit and value.op == "=":
        year, _, month = f"{value.value:f}".partition(".")
        if len(year) == 4 and year[:2] in ("19", "20") and month.isdigit() and 1 <= int(month) <= 12:
            return DatePoint(int(month), int(year))
    return None


def deadline_met(target: DatePoint, actual: DatePoint, year: int | None = None) -> bool:
    """The actual is not later than the target; an unknown year or day does not count against it."""
    target_year = target.year if target.year is not None else year
    actual_year = actual.year if actual.year is not None else target_year
    if target_year is not None and actual_year is not None and actual_year != target_year:
        return actual_year < target_year
    if actual.month != target.month:
        return actual.month < target.month
    return target.day is None or actual.day is None or actual.day <= target.day


def _score_deadline(
    target: Deadline | Period,
    actual: ParsedValue,
    actual_text: str | None,
    weight: Decimal | None,
    rule_set: RuleSet,
    year: int | None,
) -> IndicatorScore:
    actual_point = date_point_of(actual)
    if actual_point is not None:
        met: bool | None = deadline_met(target_point(target), actual_point, year)
    else:
        words = _normalised(actual_text or "")
        met = True if words in DEADLINE_MET_WORDS else False if words in DEADLINE_MISSED_WORDS else None
    if met is None:
        return _actual_issue(rule_set, "deadline", weight, actual)
    score = None if weight is None else rule_set.round(weight if met else ZERO)
    return IndicatorScore(rule_set.name, "deadline", weight, score=score, met=met)


# --- qualitative (§4.4) -------------------------------------------------------------------------


def qualitative_band_kind(target_text: str | None, actual_text: str | None) -> BandKind | None:
    """The band an actual's wording selects (selfeval-table.md); None when the wording selects none."""
    words = _normalised(actual_text or "")
    if not words:
        return None
    if words.startswith("未达成"):
        return "not_met"
    if words.startswith("部分达成"):
        return "partly_met"
    if words in QUALITATIVE_MET_WORDS or words == _normalised(target_text or ""):
        return "met"
    return None


def qualitative_band(kind: BandKind, weight: Decimal, rule_set: RuleSet) -> tuple[Decimal, Decimal]:
    """[0.8w, w] met, [0.6w, 0.8w) partly met, [0, 0.6w) not met (shares from the rule set)."""
    met, partly = rule_set.qualitative_met_share * weight, rule_set.qualitative_partly_share * weight
    if kind == "met":
        return met, weight
    if kind == "partly_met":
        return partly, met
    return ZERO, partly


def _score_qualitative(
    target: Qualitative, actual_text: str | None, weight: Decimal | None, rule_set: RuleSet
) -> IndicatorScore:
    kind = qualitative_band_kind(target.text, actual_text)
    if kind is None:
        issue = (
            ACTUAL_EMPTY
            if not _normalised(actual_text or "")
            else "实际完成值的表述不属于“达成 / 部分达成 / 未达成”中的任何一档"
        )
        return IndicatorScore(
            rule_set.name, "qualitative_band", weight, issue_code="ACTUAL_UNPARSED", issue=issue
        )
    if weight is None:
        return IndicatorScore(rule_set.name, "qualitative_band", weight, band_kind=kind, met=kind == "met")
    low, high = qualitative_band(kind, weight, rule_set)
    suggested = high if kind == "met" else (low + high) / 2  # domain.md §4.4: w, 0.7w, 0.3w
    return IndicatorScore(
        rule_set.name,
        "qualitative_band",
        weight,
        met=kind == "met",
        band=(low, high),
        band_kind=kind,
        suggested=rule_set.round(suggested),
    )


# --- aggregation (§4.5) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelScore:
    """A level-1 or level-2 group: declared weight and the sum of its indicators' scores."""

    name: str
    weight: Decimal
    score: Decimal
    children: tuple[LevelScore, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "weight": float(self.weight), "score": float(self.score)}
        if self.children:
            out["children"] = [child.to_dict() for child in self.children]
        return out


def aggregate(rows: Iterable[tuple[str, str, Decimal, Decimal]]) -> tuple[LevelScore, ...]:
    """Level-2 = Σ level-3, level-1 = Σ level-2, from (level1, level2, weight, score) rows in order."""
    groups: dict[str, dict[str, list[Decimal]]] = {}
    for level1, level2, weight, score in rows:
        sums = groups.setdefault(level1, {}).setdefault(level2, [ZERO, ZERO])
        sums[0] += weight
        sums[1] += score
    result = []
    for level1, children in groups.items():
        kids = tuple(LevelScore(name, w, s) for name, (w, s) in children.items())
        result.append(
            LevelScore(level1, sum((k.weight for k in kids), ZERO), sum((k.score for k in kids), ZERO), kids)
        )
    return tuple(result)


def rescale_total(total: Decimal, dropped_weight: Decimal, rule_set: RuleSet) -> Decimal:
    """Total' = Total_applicable / (100 − Σ w_dropped) × 100 (domain.md §4.5)."""
    if dropped_weight <= 0:
        return total
    base = HUNDRED - dropped_weight
    return rule_set.round(total / base * HUNDRED) if base > 0 else rule_set.round(ZERO)


# --- consistency (§4.7) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsistencyWarning:
    rule_set: str
    code: Literal["EXECUTION_INDICATOR_GAP", "ZERO_BUDGET", "UNSPENT_SHARE", "ALL_FULL_LOW_EXECUTION"]
    light: Literal["red", "yellow"]
    message: str


def execution_indicator_gap(
    indicator_score: Decimal,
    indicator_weight: Decimal,
    funds_score: Decimal,
    funds_weight: Decimal,
    rule_set: RuleSet,
) -> tuple[Decimal, Decimal] | None:
    """(indicator achievement s/Σw, execution b/w_f) when the first runs ahead by more than the threshold."""
    if indicator_score <= 0 or indicator_weight <= 0 or funds_weight <= 0:
        return None
    achieved, executed = indicator_score / indicator_weight, funds_score / funds_weight
    if (achieved - executed) / achieved > rule_set.consistency_threshold:
        return achieved, executed
    return None


def consistency_warnings(
    *,
    indicator_score: Decimal,
    indicator_weight: Decimal,
    funds_score: Decimal,
    funds_weight: Decimal,
    budget: Decimal | None,
    executed: Decimal | None,
    all_full_marks: bool,
    rule_set: RuleSet,
) -> tuple[ConsistencyWarning, ...]:
    """domain.md §4.7: red gap light, yellow zero budget, yellow unspent share, yellow all-full-marks."""
    name = rule_set.name
    found: list[ConsistencyWarning] = []
    gap = execution_indicator_gap(indicator_score, indicator_weight, funds_score, funds_weight, rule_set)
    if gap is not None:
        message = f"指标完成程度 {fmt_percent(gap[0])} 超过预算执行程度 {fmt_percent(gap[1])}"
        found.append(ConsistencyWarning(name, "EXECUTION_INDICATOR_GAP", "red", message))
    if budget is None or budget <= 0:
        found.append(ConsistencyWarning(name, "ZERO_BUDGET", "yellow", "全年预算数为零或未填写"))
        return tuple(found)
    spent = executed or ZERO
    unspent = (budget - spent) / budget
    if unspent > rule_set.unspent_share_threshold:
        message = (
            f"未支出资金占预算 {fmt_percent(unspent)}，超过 {fmt_percent(rule_set.unspent_share_threshold)}"
        )
        found.append(ConsistencyWarning(name, "UNSPENT_SHARE", "yellow", message))
    if all_full_marks and spent / budget < ALL_FULL_EXECUTION_BELOW:
        found.append(
            ConsistencyWarning(
                name, "ALL_FULL_LOW_EXECUTION", "yellow", "各项指标均为满分但预算执行率低于80%"
            )
        )
    return tuple(found)
