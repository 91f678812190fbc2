"""Units (conversion between compatible units only) and Decimal helpers."""

from __future__ import annotations

from decimal import Decimal

from jixiao.rules.numbers import fmt, fmt_percent, fmt_plain, round_to, to_decimal
from jixiao.rules.units import align_actual, convert, dimension, is_ratio

D = Decimal


def test_dimensions() -> None:
    assert dimension("万元") == ("元", D(10000))
    assert dimension("%") == ("ratio", D("0.01"))
    assert dimension("元/人·天") == ("元/人·天", D(1))
    assert dimension("万元/公里") == ("元/米", D(10))
    assert dimension("百万元") == ("元", D(1_000_000))
    assert dimension("千瓦") == ("瓦", D(1000))
    assert dimension("个") == ("个", D(1))
    assert is_ratio("‰") and not is_ratio("个")


def test_convert() -> None:
    assert convert(D("1.46"), "万元", "元") == D(14600)
    assert convert(D(1), "万元/户", "元/户") == D(10000)
    assert convert(D(36), "个月", "年") == D(3)
    assert convert(D(2), "公顷", "平方米") == D(20000)
    assert convert(D(1), "个", "公里") is None
    assert convert(D(1), "人", "人次") is None
    assert convert(D(5), "元/户", "元/人") is None


def test_align_actual() -> None:
    assert align_actual(D("0.96"), "", D(95), "%") == D(96)
    assert align_actual(D(96), "", D(95), "%") == D(96)
    assert align_actual(D(96), "%", D("0.95"), "") == D("0.96")
    assert align_actual(D(65), "个", D(63), "") == D(65)
    assert align_actual(D(1), "公里", D(5), "个") is None


def test_to_decimal() -> None:
    assert to_decimal("1") is None
    assert to_decimal(True) is None
    assert to_decimal(None) is None
    assert to_decimal(9.2) == D("9.2")
    assert to_decimal(10**15) is None
    assert to_decimal(-(10**14)) == D(-(10**14))
    assert to_decimal(D("NaN")) is None
    assert to_decimal(D("1e-20")) == D("0E-12")
    assert to_decimal(D("1.5")) == D("1.5")


def test_formatting() -> None:
    assert fmt(D("9.2")) == "9.20"
    assert fmt(D("14.125")) == "14.13"
    assert fmt(D("7"), 0) == "7"
    assert fmt_percent(D("0.92")) == "92.00%"
    assert fmt_percent(D("0.9"), 0) == "90%"
    assert fmt_plain(D("15")) == "15"
    assert fmt_plain(D("9.50")) == "9.5"
    assert fmt_plain(D("1E+1")) == "10"
    assert round_to(D("0.125"), 2, "ROUND_HALF_EVEN") == D("0.12")


def test_round_to_beyond_the_precomputed_quanta() -> None:
    assert round_to(D("1.23456789012345"), 13, "ROUND_HALF_UP") == D("1.2345678901235")
