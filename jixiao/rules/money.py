"""Amounts: stored as integer 分, entered and shown as 元 or 万元 with two decimals (stack.md D2).

Parsing is exact (Decimal, never float): full-width digits, thousands separators and a
trailing 元/万元 are accepted; anything finer than one 分 is refused.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000
#: Spreadsheet formulas leave binary float noise (527405.3300000001): an amount within this many 分
#: of a whole 分 is that 分; anything further is a real sub-分 amount and refused.
FLOAT_NOISE_FEN = Decimal("0.0001")


class AmountError(ValueError):
    """A Chinese message saying why the amount text is not an amount."""


#: a plain decimal number (what a spreadsheet or a clerk writes): parsed with integer arithmetic
PLAIN_NUMBER = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")
FEN_PER_UNIT = {"元": FEN_PER_YUAN, "万元": FEN_PER_WAN}
#: (unit, digits after the point) → 分 per last digit, for the decimals that are whole 分 (12.34 元, 0.000001 万元)
FEN_PER_DIGITS = {(unit, n): fen // 10**n for unit, fen in FEN_PER_UNIT.items() for n in range(len(str(fen)))}


def parse_amount(text: object, unit: str = "元", allow_negative: bool = False) -> int:
    """Parse ``text`` (in ``unit``: "元" or "万元") into integer 分; a negative amount only when
    ``allow_negative`` (a treasury refund, 红字冲销)."""
    if text.__class__ is float:  # a spreadsheet's number with at most 分 precision: exact in one multiplication
        raw = float.__repr__(text)  # the shortest decimal that is this float: "12.34", "1e-07", "nan"
        head, _, decimals = raw.partition(".")
        scale = FEN_PER_DIGITS.get((unit, len(decimals)))
        if scale is not None and "e" not in raw and head[-1:].isdigit():
            fen = int(head + decimals) * scale
            if fen < 0 and not allow_negative:
                raise AmountError("金额不能为负数")
            return fen
    if unit not in FEN_PER_UNIT:
        raise AmountError(f"不支持的金额单位「{unit}」")
    if isinstance(text, bool):
        raise AmountError("金额格式不正确")
    if isinstance(text, int):
        fen = int(text) * FEN_PER_UNIT[unit]
        if fen < 0 and not allow_negative:
            raise AmountError("金额不能为负数")
        return fen
    if isinstance(text, float):
        raw = float.__repr__(text)  # the shortest decimal that is this float: "12.34", "1e-07", "nan"
        head, _, decimals = raw.partition(".")
        if "e" not in raw and head[-1:].isdigit():
            return _exact(head[0] == "-", abs(int(head + decimals)), len(decimals), text, unit, allow_negative)
    elif isinstance(text, Decimal):
        raw = str(text)
    else:
        raw = str(text or "")
        if not raw.isascii():
            raw = unicodedata.normalize("NFKC", raw)
        raw = raw.strip().replace(",", "").replace(" ", "")
        if raw.endswith("万元"):
            raw, unit = raw[:-2], "万元"
        elif raw.endswith("元"):
            raw, unit = raw[:-1], "元"
        if not raw:
            raise AmountError("金额不能为空")
    match = PLAIN_NUMBER.fullmatch(raw)
    if match and (match[2] or match[3]):
        decimals = match[3] or ""
        return _exact(match[1] == "-", int(match[2] + decimals), len(decimals), text, unit, allow_negative)
    return _parse_decimal(text, raw, unit, allow_negative)


def _exact(negative: bool, digits: int, decimals: int, text: object, unit: str, allow_negative: bool) -> int:
    """The amount ``digits / 10**decimals`` (in ``unit``) as 分, in exact integer arithmetic."""
    numerator = digits * FEN_PER_UNIT[unit]
    denominator = 10**decimals
    whole, rest = divmod(numerator, denominator)
    if 2 * rest >= denominator:  # half up (away from zero: the sign is applied after)
        whole += 1
    if abs(numerator - whole * denominator) * 10_000 > denominator:  # more than 0.0001 分 off
        raise AmountError(f"金额「{text}」{unit}精确到分以下，请保留到分")
    if negative and whole:
        if not allow_negative:
            raise AmountError("金额不能为负数")
        return -whole
    return whole


def _parse_decimal(text: object, raw: str, unit: str, allow_negative: bool) -> int:
    """What is not a plain decimal number (an exponent, NaN, garbage), through Decimal."""
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise AmountError(f"「{text}」不是有效的金额") from exc
    if not value.is_finite():
        raise AmountError(f"「{text}」不是有效的金额")
    fen = value * FEN_PER_UNIT[unit]
    whole = fen.to_integral_value(rounding=ROUND_HALF_UP)
    if abs(fen - whole) > FLOAT_NOISE_FEN:
        raise AmountError(f"金额「{text}」{unit}精确到分以下，请保留到分")
    if whole < 0 and not allow_negative:
        raise AmountError("金额不能为负数")
    return int(whole)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_wan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen_to_yuan(fen):,.2f}"


def format_wan(fen: int | None) -> str:
    return "" if fen is None else f"{fen_to_wan(fen):,.2f}"
