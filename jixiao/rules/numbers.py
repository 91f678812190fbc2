"""Decimal helpers: exact input, rounding by the rule set, display."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Final

ROUNDING_MODES: Final = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
    "ROUND_05UP",
)
MAX_MAGNITUDE: Final = Decimal(10) ** 15
_FINEST: Final = Decimal("1e-12")
ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
HUNDRED: Final = Decimal(100)


def to_decimal(value: object) -> Decimal | None:
    """A JSON number (int, float or Decimal; not bool) as an exact Decimal; None when it is not one.

    Floats go through ``repr`` ("9.2" stays 9.2). Non-finite values and magnitudes of 10^15 or more
    are refused; digits finer than 10^-12 are rounded away.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, int):
        if abs(value) >= 10**15:
            return None
        return Decimal(value)
    result = Decimal(repr(value)) if isinstance(value, float) else value
    if not result.is_finite() or abs(result) >= MAX_MAGNITUDE:
        return None
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        result = result.quantize(_FINEST)
    return result


@lru_cache(maxsize=16)
def quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_to(value: Decimal, places: int, mode: str) -> Decimal:
    """Round to ``places`` decimals with a ``decimal`` rounding mode name (e.g. "ROUND_HALF_UP")."""
    # The mode is passed by position: decimal parses keyword arguments several times slower.
    return value.quantize(_QUANTA[places] if places < len(_QUANTA) else quantum(places), mode)


_QUANTA: tuple[Decimal, ...] = tuple(Decimal(1).scaleb(-places) for places in range(8))


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """max(low, min(high, value)), spelled out: builtin max/min on Decimals are slow."""
    capped = value if value < high else high
    return capped if capped > low else low


def fmt(value: Decimal, places: int = 2) -> str:
    """Fixed-point display, half up: fmt(Decimal("9.2")) == "9.20"."""
    return f"{round_to(value, places, 'ROUND_HALF_UP'):f}"


def fmt_percent(fraction: Decimal, places: int = 2) -> str:
    """A fraction as a percentage: fmt_percent(Decimal("0.92")) == "92.00%"."""
    return f"{fmt(fraction * HUNDRED, places)}%"


def fmt_plain(value: Decimal) -> str:
    """A number as written, without exponent or pointless zeros: 15 → "15", 9.50 → "9.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
