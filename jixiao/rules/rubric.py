"""Department-overall common-indicator rubrics (domain.md §3.5, worked example §4.10), as data.

Two generic scoring methods cover the printed rubrics:

- ``DeductionRule``: full marks within a limit; each unit beyond it deducts a fixed amount, down to 0.
  在职人员控制率 "each 1 pp over 100% deducts 0.5" is ``limit=100, per_unit=0.5``;
  预算完成率 "−2 for each full 5% below 100%" is ``limit=100, per_unit=2, unit=5,
  direction="below", whole_units=True`` (deduct = 2 × floor(shortfall / 5)).
- ``BandRule``: the value falls into a band that earns a share of w
  (预算调整率: 0 → 8; (0, 10%] → 6; … ; > 30% → 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Literal, cast

from jixiao.rules.bands import Band, band_share, read_bands
from jixiao.rules.numbers import HUNDRED, ONE, ZERO, round_to
from jixiao.rules.ruleset import RuleSet
from jixiao.rules.validation import Problems, Reader


@dataclass(frozen=True, slots=True)
class DeductionRule:
    """Deduct ``per_unit`` for each ``unit`` the value lies beyond ``limit`` (above or below it)."""

    limit: Decimal
    per_unit: Decimal
    unit: Decimal = ONE
    direction: Literal["above", "below"] = "above"
    whole_units: bool = False

    def deduction(self, value: Decimal) -> Decimal:
        excess = value - self.limit if self.direction == "above" else self.limit - value
        if excess <= 0:
            return ZERO
        units = excess / self.unit
        if self.whole_units:
            units = units.to_integral_value(rounding=ROUND_FLOOR)
        return self.per_unit * units


@dataclass(frozen=True, slots=True)
class BandRule:
    bands: tuple[Band, ...]


@dataclass(frozen=True, slots=True)
class RubricItem:
    name: str
    weight: Decimal
    rule: DeductionRule | BandRule


@dataclass(frozen=True, slots=True)
class RubricScore:
    rule_set: str
    name: str
    value: Decimal
    weight: Decimal
    score: Decimal


def rate_pp(numerator: Decimal, denominator: Decimal, places: int = 2) -> Decimal:
    """A rate in percentage points rounded half up: rate_pp(136, 143) == 95.10."""
    return round_to(numerator / denominator * HUNDRED, places, "ROUND_HALF_UP")


def change_rate_pp(current: Decimal, previous: Decimal, places: int = 2) -> Decimal:
    """(current − previous) / previous in percentage points: change_rate_pp(63.46, 32) == 98.31."""
    return rate_pp(current - previous, previous, places)


def score_rubric_item(item: RubricItem, value: Decimal, rule_set: RuleSet) -> RubricScore:
    """Score one rubric item; never below 0 nor above its weight."""
    if isinstance(item.rule, DeductionRule):
        raw = item.weight - item.rule.deduction(value)
    else:
        raw = item.weight * band_share(value, item.rule.bands)
    score = rule_set.round(max(ZERO, min(item.weight, raw)))
    return RubricScore(rule_set.name, item.name, value, item.weight, score)


def rubric_item_from_dict(data: Mapping[str, object]) -> RubricItem:
    """Read ``{"name", "weight", "method": "deduction" | "bands", …}``; raises DocumentError."""
    problems = Problems("评分细则")
    r = Reader(problems, dict(data))
    name = r.text("name")
    weight = r.number("weight", minimum=ZERO)
    method = r.choice("method", ("deduction", "bands"))
    rule: DeductionRule | BandRule | None = None
    if method == "deduction":
        r.reject_unknown(
            ("name", "weight", "method", "limit", "per_unit", "unit", "direction", "whole_units")
        )
        limit, per_unit = r.number("limit"), r.number("per_unit", minimum=ZERO)
        unit = r.number("unit", required=False, minimum=Decimal("1e-6")) or ONE
        direction = r.choice("direction", ("above", "below"), required=False) or "above"
        whole = r.boolean("whole_units") if "whole_units" in r.obj else False
        if limit is not None and per_unit is not None:
            rule = DeductionRule(
                limit, per_unit, unit, cast(Literal["above", "below"], direction), bool(whole)
            )
    elif method == "bands":
        r.reject_unknown(("name", "weight", "method", "bands"))
        rule = BandRule(read_bands(problems, r, "bands"))
    problems.raise_if_any()
    return RubricItem(cast(str, name), cast(Decimal, weight), cast(DeductionRule | BandRule, rule))
