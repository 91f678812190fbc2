"""Units after a number: which ones compare, and how to convert between them.

A unit maps to a dimension and a factor: "万元" → ("元", 10000), "%" → ("ratio", 0.01).
Two units compare only in the same dimension; anything else is a finding, never a guess.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Final

RATIO: Final = "ratio"
PERCENT: Final = "%"

_KNOWN: Final[dict[str, tuple[str, Decimal]]] = {
    "%": (RATIO, Decimal("0.01")),
    "‰": (RATIO, Decimal("0.001")),
    "元": ("元", Decimal(1)),
    "米": ("米", Decimal(1)),
    "公里": ("米", Decimal(1000)),
    "千米": ("米", Decimal(1000)),
    "km": ("米", Decimal(1000)),
    "平方米": ("平方米", Decimal(1)),
    "平米": ("平方米", Decimal(1)),
    "m2": ("平方米", Decimal(1)),
    "平方公里": ("平方米", Decimal(1_000_000)),
    "公顷": ("平方米", Decimal(10_000)),
    "克": ("克", Decimal(1)),
    "千克": ("克", Decimal(1000)),
    "公斤": ("克", Decimal(1000)),
    "kg": ("克", Decimal(1000)),
    "吨": ("克", Decimal(1_000_000)),
    "天": ("天", Decimal(1)),
    "日": ("天", Decimal(1)),
    "周": ("天", Decimal(7)),
    "分钟": ("分钟", Decimal(1)),
    "小时": ("分钟", Decimal(60)),
    "月": ("月", Decimal(1)),
    "个月": ("月", Decimal(1)),
    "年": ("月", Decimal(12)),
}
_MULTIPLIERS: Final = {
    "亿": Decimal(100_000_000),
    "万": Decimal(10_000),
    "千": Decimal(1000),
    "百": Decimal(100),
}


@lru_cache(maxsize=4096)
def _simple(unit: str) -> tuple[str, Decimal]:
    known = _KNOWN.get(unit)
    if known is not None:
        return known
    head, rest = unit[:1], unit[1:]
    if head in _MULTIPLIERS:
        dimension, factor = _simple(rest)
        return dimension, factor * _MULTIPLIERS[head]
    return unit, Decimal(1)


@lru_cache(maxsize=4096)
def dimension(unit: str) -> tuple[str, Decimal]:
    """(dimension, factor to the dimension's base) of a unit such as "万元/户" or "%"."""
    numerator, slash, denominator = unit.partition("/")
    dim, factor = _simple(numerator)
    if slash:
        den_dim, den_factor = _simple(denominator)
        return f"{dim}/{den_dim}", factor / den_factor
    return dim, factor


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None when the units do not compare."""
    if from_unit == to_unit:
        return value
    from_dim, from_factor = dimension(from_unit)
    to_dim, to_factor = dimension(to_unit)
    if from_dim != to_dim:
        return None
    return value * from_factor / to_factor


def is_ratio(unit: str) -> bool:
    return dimension(unit)[0] == RATIO


def align_actual(actual: Decimal, actual_unit: str, target: Decimal, target_unit: str) -> Decimal | None:
    """The actual value in the target's unit (domain.md §4.3 needs A and T in one unit).

    An actual without a unit takes the target's; a fraction against a percent target converts
    ("0.96" against "≥95%" is 96%), and so does a percent against a fraction target.
    """
    if not actual_unit:
        if is_ratio(target_unit) and actual <= 1 < target:
            return actual / dimension(target_unit)[1]
        return actual
    if not target_unit:
        if is_ratio(actual_unit) and target <= 1 < actual:
            return actual * dimension(actual_unit)[1]
        return actual
    return convert(actual, actual_unit, target_unit)
