"""Monitoring lights (domain.md §5.3) and deviation figures (§5.4).

- ``execution_light``: v = 执行率 / expected progress × 100 → red / yellow / green.
- ``indicator_light``: positive v = A / (T × expected progress) × 100 → red / yellow / green / blue;
  reverse and equal-zero pass/fail; qualitative by wording; "完全不可能" → red regardless.
- ``target_light``: the worst light of a target's indicators.
Expected progress is month/12, or a declared monthly plan curve (``PlanCurve``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Final, Literal

from jixiao.rules.numbers import HUNDRED, ZERO, round_to
from jixiao.rules.parsing import normalise_text, parse_cached
from jixiao.rules.ruleset import RuleSet
from jixiao.rules.scoring import date_point_of, deadline_met, target_point
from jixiao.rules.units import align_actual
from jixiao.rules.values import POSITIVE_OPS, Deadline, Period, Qualitative, Quantitative

LightCode = Literal["red", "yellow", "green", "blue"]
LIGHT_LABELS: Final[dict[str, str]] = {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝"}
_SEVERITY: Final[dict[str, int]] = {"red": 3, "yellow": 2, "green": 1, "blue": 0}
IMPOSSIBLE: Final = "完全不可能"
MONTHS: Final = 12


@dataclass(frozen=True, slots=True)
class Light:
    """A warning light; ``value`` is v (progress as % of the expected progress) when one was computed."""

    rule_set: str
    code: LightCode
    value: Decimal | None = None
    reason: str | None = None

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self.code]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "value": None if self.value is None else float(self.value),
            "reason": self.reason,
            "rule_set": self.rule_set,
        }


@dataclass(frozen=True, slots=True)
class PlanCurve:
    """A declared monthly plan: 12 cumulative fractions (0–1) or cumulative amounts, January first."""

    cumulative: tuple[Decimal, ...]
    kind: Literal["fraction", "amount"] = "fraction"

    def __post_init__(self) -> None:
        values = self.cumulative
        if len(values) != MONTHS:
            raise ValueError(f"月度计划应有12个累计值，实际为{len(values)}个")
        if any(v < 0 for v in values) or any(a > b for a, b in pairwise(values)):
            raise ValueError("月度计划的累计值应为非负数且逐月不减")
        if self.kind == "fraction" and values[-1] > 1:
            raise ValueError("按比例填写的月度计划累计值不能超过1")

    @classmethod
    def of(
        cls, values: Sequence[Decimal | int | str], kind: Literal["fraction", "amount"] = "fraction"
    ) -> PlanCurve:
        return cls(tuple(Decimal(v) for v in values), kind)


def _check_month(month: int) -> None:
    if not 1 <= month <= MONTHS:
        raise ValueError(f"监控月份应为1-12，实际为{month}")


def expected_fraction(month: int, plan: PlanCurve | None = None, total: Decimal | None = None) -> Decimal:
    """Expected share of the year's total done by the end of ``month`` (序时进度 month/12 by default).

    An amount plan needs ``total`` (the budget, or the annual target value).
    """
    _check_month(month)
    if plan is None:
        return Decimal(month) / MONTHS
    value = plan.cumulative[month - 1]
    if plan.kind == "fraction":
        return value
    if total is None or total <= 0:
        raise ValueError("按金额填写的月度计划需要大于零的全年总数")
    return value / total


def expected_to_date(target: Decimal, month: int, plan: PlanCurve | None = None) -> Decimal:
    """What should be achieved by the end of ``month``: T/12 × month, or the plan curve."""
    if plan is not None and plan.kind == "amount":
        _check_month(month)
        return plan.cumulative[month - 1]
    return target * expected_fraction(month, plan)


def deviation_degree(actual: Decimal, expected: Decimal) -> Decimal | None:
    """偏离度 = (A − expected) / expected (domain.md §5.4); None when nothing was expected."""
    return None if expected == 0 else (actual - expected) / expected


def forecast_deviation(forecast: Decimal, target: Decimal) -> Decimal | None:
    """全年预计完成情况偏离度 = (forecast − T) / T; None when T = 0."""
    return None if target == 0 else (forecast - target) / target


def _v(achieved: Decimal, expected: Decimal) -> Decimal:
    return round_to(achieved / expected * HUNDRED, 2, "ROUND_HALF_UP")


def execution_light(
    budget: Decimal | None,
    executed: Decimal | None,
    month: int,
    rule_set: RuleSet,
    *,
    plan: PlanCurve | None = None,
) -> Light:
    """Budget-execution light: red v < 60, yellow v < 80, green otherwise; above budget → red."""
    name = rule_set.name
    if budget is None or budget <= 0:
        return Light(name, "red", reason="预算数为零或未填写")
    spent = max(executed or ZERO, ZERO)
    expected = expected_fraction(month, plan, budget)
    if spent > budget and rule_set.execution_over_budget_red:
        return Light(name, "red", reason="执行数超过预算数")
    if expected == 0:
        return Light(name, "green", reason="按计划本期尚无支出要求")
    v = _v(spent / budget, expected)
    if v < rule_set.execution_light_red_below:
        return Light(name, "red", v)
    if v < rule_set.execution_light_yellow_below:
        return Light(name, "yellow", v)
    return Light(name, "green", v)


def progress_code(v: Decimal, rule_set: RuleSet) -> LightCode:
    if v < rule_set.progress_light_red_below:
        return "red"
    if v < rule_set.progress_light_yellow_below:
        return "yellow"
    if v < rule_set.progress_light_blue_from:
        return "green"
    return "blue"


def qualitative_light_code(target_text: str | None, actual_text: str | None) -> LightCode | None:
    """达成目标 → green; 部分达成目标并具有一定效果 → yellow; 未达成目标且效果较差 → red."""
    words = normalise_text(actual_text or "")
    if not words:
        return None
    if words.startswith("未达成"):
        return "red"
    if words.startswith("部分达成"):
        return "yellow"
    if words.startswith(("达成", "已达成", "达到")) or words == normalise_text(target_text or ""):
        return "green"
    return None


def indicator_light(
    target_text: str | None,
    actual_text: str | None,
    month: int,
    rule_set: RuleSet,
    *,
    plan: PlanCurve | None = None,
    possibility: str | None = None,
    year: int | None = None,
) -> Light | None:
    """The progress light of one indicator; None when the texts give no basis for one."""
    _check_month(month)
    name = rule_set.name
    if possibility is not None and normalise_text(possibility) == IMPOSSIBLE:
        return Light(name, "red", reason="完成可能性为“完全不可能”")
    target, actual = parse_cached(target_text), parse_cached(actual_text)
    if isinstance(target, Quantitative):
        return _quantitative_light(target, actual, month, rule_set, plan)
    if isinstance(target, Deadline | Period):
        point = date_point_of(actual)
        if point is None:
            return None
        return Light(name, "green" if deadline_met(target_point(target), point, year) else "red")
    if isinstance(target, Qualitative):
        code = qualitative_light_code(target.text, actual_text)
        return None if code is None else Light(name, code)
    return None


def _quantitative_light(
    target: Quantitative, actual: object, month: int, rule_set: RuleSet, plan: PlanCurve | None
) -> Light | None:
    name = rule_set.name
    if not isinstance(actual, Quantitative):
        return None
    value = align_actual(actual.value, actual.unit, target.value, target.unit)
    if value is None:
        return None
    value = max(value, ZERO)
    if target.op == "<=":
        return Light(name, "green" if value <= target.value else "red")
    if target.op == "<":
        return Light(name, "green" if value < target.value else "red")
    if target.op not in POSITIVE_OPS and target.value == 0:
        return Light(name, "green" if value == 0 else "red")
    expected = expected_to_date(target.value, month, plan)
    if expected <= 0:
        return Light(name, "green", reason="按计划本期尚无进度要求")
    v = _v(value, expected)
    return Light(name, progress_code(v, rule_set), v)


def target_light(lights: Iterable[Light | None]) -> Light | None:
    """The worst light among a target's indicators (red > yellow > green > blue); None when none."""
    worst: Light | None = None
    for light in lights:
        if light is not None and (worst is None or _SEVERITY[light.code] > _SEVERITY[worst.code]):
            worst = light
    return worst
