from decimal import Decimal

import pytest

from jixiao.rules.money import AmountError, fen_to_wan, format_wan, format_yuan, parse_amount


@pytest.mark.parametrize(
    ("text", "unit", "fen"),
    [
        ("1,234.50", "元", 123450),
        ("１２３４．５", "元", 123450),
        ("50.00", "万元", 50_000_000),
        ("30万元", "元", 30_000_000),
        ("18元", "万元", 1800),
        (" 0 ", "元", 0),
        (12, "元", 1200),
        (Decimal("0.01"), "元", 1),
        (1.5, "万元", 1_500_000),
        ("0.000001", "万元", 1),
    ],
)
def test_parse_amount(text: object, unit: str, fen: int) -> None:
    assert parse_amount(text, unit) == fen


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("1.234", "元", "精确到分以下"),
        ("", "元", "不能为空"),
        (None, "元", "不能为空"),
        ("abc", "元", "不是有效的金额"),
        ("-5", "元", "不能为负数"),
        ("NaN", "元", "不是有效的金额"),
        (True, "元", "格式不正确"),
        ("5", "美元", "不支持的金额单位"),
    ],
)
def test_parse_amount_refuses(text: object, unit: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(text, unit)


def test_formatting() -> None:
    assert format_yuan(123456789) == "1,234,567.89"
    assert format_wan(184_000_000) == "184.00"
    assert format_wan(1_234_567) == "1.23"
    assert fen_to_wan(5_000) == Decimal("0.01")
    assert format_yuan(None) == "" and format_wan(None) == ""


def test_spreadsheet_float_noise_is_the_whole_fen_it_stands_for() -> None:
    """A formula's 527405.3300000001 is 52,740,533 分; a real half 分 is still refused."""
    assert parse_amount(527405.3300000001, "元") == 52_740_533
    assert parse_amount("527405.3300000001", "元") == 52_740_533
    assert parse_amount(0.1 + 0.2, "元") == 30
    assert parse_amount(1234.5600000000002, "万元") == 1_234_560_000
    with pytest.raises(AmountError, match="精确到分以下"):
        parse_amount(527405.335, "元")
    with pytest.raises(AmountError, match="精确到分以下"):
        parse_amount("0.0000005", "万元")  # half a 分


def test_refunds_are_negative_only_where_allowed() -> None:
    assert parse_amount("-1,200.50", "元", allow_negative=True) == -120050
    assert parse_amount(-3.3, "元", allow_negative=True) == -330
    with pytest.raises(AmountError, match="不能为负数"):
        parse_amount(-3.3, "元")


def test_whole_numbers_and_exponents() -> None:
    with pytest.raises(AmountError, match="负数"):
        parse_amount(-5, "元")
    assert parse_amount(-5, "元", allow_negative=True) == -500
    assert parse_amount("1.5e3", "元") == 150_000  # an exponent goes through Decimal
    assert parse_amount(1e-07, "元") == 0  # a float printed with an exponent: noise below 0.0001 分
    with pytest.raises(AmountError, match="精确到分以下"):
        parse_amount("1.2345e0", "元")
    with pytest.raises(AmountError, match="负数"):
        parse_amount("-1e2", "元")
    assert parse_amount("-1e2", "元", allow_negative=True) == -10_000
