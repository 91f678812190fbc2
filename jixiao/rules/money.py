"""Amounts: stored as integer 分, entered and shown as 元 or 万元 with two decimals (stack.md D2).

Parsing is exact (Decimal, never float): full-width digits, thousands separators and a
trailing 元/万元 are accepted; anything finer than one 分 is refused.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000
#: Spreadsheet formulas leave binary float noise (527405.3300000001): an amount within this many 分
#: of a whole 分 is that 分; anything further is a real sub-分 amount and refused.
FLOAT_NOISE_FEN = Decimal("0.0001")


class AmountError(ValueError):
    """A Chinese message saying why the amount text is not an amount."""


def parse_amount(text: object, unit: str = "元", allow_negative: bool = False) -> int:
    """Parse ``text`` (in ``unit``: "元" or "万元") into integer 分; a negative amount only when
    ``allow_negative`` (a treasury refund, 红字冲销)."""
    if unit not in ("元", "万元"):
        raise AmountError(f"不支持的金额单位「{unit}」")
    if isinstance(text, bool):
        raise AmountError("金额格式不正确")
    if isinstance(text, int | Decimal):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    else:
        raw = unicodedata.normalize("NFKC", str(text or "")).strip().replace(",", "").replace(" ", "")
        if raw.endswith("万元"):
            raw, unit = raw[:-2], "万元"
        elif raw.endswith("元"):
            raw, unit = raw[:-1], "元"
        if not raw:
            raise AmountError("金额不能为空")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise AmountError(f"「{text}」不是有效的金额") from exc
    if not value.is_finite():
        raise AmountError(f"「{text}」不是有效的金额")
    fen = value * (FEN_PER_WAN if unit == "万元" else FEN_PER_YUAN)
    whole = fen.to_integral_value(rounding=ROUND_HALF_UP)
    if abs(fen - whole) > FLOAT_NOISE_FEN:
        raise AmountError(f"金额「{text}」{unit}精确到分以下，请保留到分")
    fen = whole
    if fen < 0 and not allow_negative:
        raise AmountError("金额不能为负数")
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_wan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen_to_yuan(fen):,.2f}"


def format_wan(fen: int | None) -> str:
    return "" if fen is None else f"{fen_to_wan(fen):,.2f}"
