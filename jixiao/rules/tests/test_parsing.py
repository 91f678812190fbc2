"""Value parsing: a table of realistic target and actual texts, shapes, and "never raises"."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.rules import parsing
from jixiao.rules.parsing import normalise_text, parse_cached, parse_value
from jixiao.rules.values import Deadline, Period, Qualitative, Quantitative, Unparsed, json_number


def q(op: str, value: float | int, unit: str = "") -> dict[str, object]:
    return {"kind": "quantitative", "op": op, "value": value, "unit": unit}


def d(month: int, year: int | None = None, day: int | None = None) -> dict[str, object]:
    out: dict[str, object] = {"kind": "deadline", "op": "<="}
    if year is not None:
        out["year"] = year
    out["month"] = month
    if day is not None:
        out["day"] = day
    return out


def p(start: dict[str, int], end: dict[str, int]) -> dict[str, object]:
    return {"kind": "period", "start": start, "end": end}


def ql(text: str) -> dict[str, object]:
    return {"kind": "qualitative", "text": text}


def un(text: str, reason: str) -> dict[str, object]:
    return {"kind": "unparsed", "text": text, "reason": reason}


CASES: list[tuple[str, dict[str, object]]] = [
    # --- quantitative: the format doc's examples
    ("≥50个", q(">=", 50, "个")),
    ("≧95%", q(">=", 95, "%")),
    ("不低于95%", q(">=", 95, "%")),
    ("小于0.9‰", q("<", 0.9, "‰")),
    ("≤620万/月", q("<=", 620, "万/月")),
    ("63", q("=", 63)),
    ("≤90万元", q("<=", 90, "万元")),
    # --- symbols, full-width and look-alikes
    ("＝100％", q("=", 100, "%")),
    ("═100%", q("=", 100, "%")),
    ("＞＝95％", q(">=", 95, "%")),
    ("≥=95%", q(">=", 95, "%")),
    (">=98%", q(">=", 98, "%")),
    ("=>98%", q(">=", 98, "%")),
    ("<=3天", q("<=", 3, "天")),
    ("=<3天", q("<=", 3, "天")),
    ("＞80%", q(">", 80, "%")),
    ("＜5%", q("<", 5, "%")),
    ("≦10万元", q("<=", 10, "万元")),
    ("≥９５％", q(">=", 95, "%")),
    ("≥９５．５％", q(">=", 95.5, "%")),
    ("≥ 95 %", q(">=", 95, "%")),
    ("≥95%\x00", q(">=", 95, "%")),
    ("==100%", q("=", 100, "%")),
    ("≈95%", q("=", 95, "%")),
    # --- words
    ("不少于3000人", q(">=", 3000, "人")),
    ("不高于5%", q("<=", 5, "%")),
    ("不超过50万元", q("<=", 50, "万元")),
    ("大于80%", q(">", 80, "%")),
    ("小于3次", q("<", 3, "次")),
    ("低于2%", q("<", 2, "%")),
    ("高于85%", q(">", 85, "%")),
    ("95%以上", q(">=", 95, "%")),
    ("5%以下", q("<=", 5, "%")),
    ("90%及以上", q(">=", 90, "%")),
    ("10万元及其以下", q("<=", 10, "万元")),
    ("达到95%", q(">=", 95, "%")),
    ("控制在5%以内", q("<=", 5, "%")),
    ("至少3次", q(">=", 3, "次")),
    ("最多2次", q("<=", 2, "次")),
    ("大于等于90%", q(">=", 90, "%")),
    ("不低于95%以上", q(">=", 95, "%")),
    ("约95%", q("=", 95, "%")),
    ("95%左右", q("=", 95, "%")),
    ("力争达到98%", q(">=", 98, "%")),
    ("确保100%", q("=", 100, "%")),
    ("覆盖率≥95%", q(">=", 95, "%")),
    ("累计完成≥500人", q(">=", 500, "人")),
    ("不低于95%（含）", q(">=", 95, "%")),
    ("≥95%(含)", q(">=", 95, "%")),
    # --- percent spellings
    ("95百分比", q("=", 95, "%")),
    ("百分之95", q("=", 95, "%")),
    ("≥0.5‰", q(">=", 0.5, "‰")),
    ("98.5%", q("=", 98.5, "%")),
    ("100%", q("=", 100, "%")),
    ("≥10个百分点", q(">=", 10, "个百分点")),
    # --- units after the number
    ("≤5元/人·天", q("<=", 5, "元/人·天")),
    ("≤5元/人・天", q("<=", 5, "元/人·天")),
    ("≥120公里", q(">=", 120, "公里")),
    ("126公里", q("=", 126, "公里")),
    ("≤1.60万元", q("<=", 1.6, "万元")),
    ("≥100元/户", q(">=", 100, "元/户")),
    ("≤12次/月", q("<=", 12, "次/月")),
    ("≥300元/亩", q(">=", 300, "元/亩")),
    ("≥2000平方米", q(">=", 2000, "平方米")),
    ("≥500㎡", q(">=", 500, "平方米")),
    ("≥3年", q(">=", 3, "年")),
    ("12个月", q("=", 12, "个月")),
    ("≤30个工作日", q("<=", 30, "个工作日")),
    ("3天内", q("<=", 3, "天")),
    ("≥1.2万人", q(">=", 1.2, "万人")),
    ("≥1.5亿元", q(">=", 1.5, "亿元")),
    ("5000元/人·年", q("=", 5000, "元/人·年")),
    ("≥4.5分", q(">=", 4.5, "分")),
    ("≥1.5万/月", q(">=", 1.5, "万/月")),
    ("≤50 元/户", q("<=", 50, "元/户")),
    ("≥60%。", q(">=", 60, "%")),
    # --- thousands separators
    ("≥1,000人次", q(">=", 1000, "人次")),
    ("≥1，000人次", q(">=", 1000, "人次")),
    ("1,200,000元", q("=", 1200000, "元")),
    ("不少于 1 000 人次", q(">=", 1000, "人次")),
    # --- per-period prefixes
    ("每月≥2次", q(">=", 2, "次/月")),
    ("每年开展1次", q("=", 1, "次/年")),
    ("月均2次", q("=", 2, "次/月")),
    ("每亩补助≥100元", q(">=", 100, "元/亩")),
    # --- signs and zero
    ("-5%", q("=", -5, "%")),
    ("≤-3%", q("<=", -3, "%")),
    ("0", q("=", 0)),
    ("=0", q("=", 0)),
    ("0次", q("=", 0, "次")),
    (".5", q("=", 0.5)),
    ("2021.12", q("=", 2021.12)),
    ("2000.5万元", q("=", 2000.5, "万元")),
    # --- deadlines
    ("9月前", d(9)),
    ("12月底前", d(12)),
    ("9月底前完成", d(9)),
    ("2021年12月完成", d(12, 2021)),
    ("2021年12月31日前", d(12, 2021, 31)),
    ("11月", d(11)),
    ("2021年11月", d(11, 2021)),
    ("已于10月完成", d(10)),
    ("10月已完成", d(10)),
    ("6月份", d(6)),
    ("12月31日前", d(12, None, 31)),
    ("2021-12-31", d(12, 2021, 31)),
    ("2021/6/30前", d(6, 2021, 30)),
    ("2021.12.31前", d(12, 2021, 31)),
    ("2021.12前", d(12, 2021)),
    ("2021-6", d(6, 2021)),
    ("年底前", d(12)),
    ("2021年底前", d(12, 2021)),
    ("年内完成", d(12)),
    ("上半年", d(6)),
    ("第三季度末", d(9)),
    ("三季度", d(9)),
    ("十二月底前", d(12)),
    ("九月前完成", d(9)),
    ("截至9月底", d(9)),
    ("2021年", d(12, 2021)),
    ("12月20日前完成资金发放", d(12, None, 20)),
    ("不晚于11月30日", d(11, None, 30)),
    ("2020年2月29日前", d(2, 2020, 29)),
    # --- periods
    ("2021.1.1-12.31", p({"year": 2021, "month": 1, "day": 1}, {"month": 12, "day": 31})),
    ("2021年1月-12月", p({"year": 2021, "month": 1}, {"month": 12})),
    ("2021年1-12月", p({"year": 2021, "month": 1}, {"month": 12})),
    ("1-12月", p({"month": 1}, {"month": 12})),
    (
        "2021年1月1日至2021年12月31日",
        p({"year": 2021, "month": 1, "day": 1}, {"year": 2021, "month": 12, "day": 31}),
    ),
    ("2021.01-2021.12", p({"year": 2021, "month": 1}, {"year": 2021, "month": 12})),
    (
        "2021-01-01至2021-12-31",
        p({"year": 2021, "month": 1, "day": 1}, {"year": 2021, "month": 12, "day": 31}),
    ),
    # --- qualitative
    ("是", ql("是")),
    ("否", ql("否")),
    ("有效", ql("有效")),
    ("效果明显", ql("效果明显")),
    ("达成预期指标", ql("达成预期指标")),
    ("明显改善", ql("明显改善")),
    ("达成年度指标", ql("达成年度指标")),
    ("部分达成年度指标并具有一定效果", ql("部分达成年度指标并具有一定效果")),
    ("未达成年度指标且效果较差", ql("未达成年度指标且效果较差")),
    ("逐步提高", ql("逐步提高")),
    ("不低于上年水平", ql("不低于上年水平")),
    ("高于上年", ql("高于上年")),
    ("建立", ql("建立")),
    ("长期", ql("长期")),
    ("  群众满意  ", ql("群众满意")),
    # --- unparsed, with the reason
    ("", un("", parsing.REASON_EMPTY)),
    ("   ", un("", parsing.REASON_EMPTY)),
    ("-", un("-", parsing.REASON_PLACEHOLDER)),
    ("/", un("/", parsing.REASON_PLACEHOLDER)),
    ("N/A", un("N/A", parsing.REASON_PLACEHOLDER)),
    ("—", un("—", parsing.REASON_PLACEHOLDER)),
    ("≥", un("≥", parsing.REASON_NO_NUMBER)),
    ("≥%", un("≥%", parsing.REASON_NO_NUMBER)),
    ("90%-95%", un("90%-95%", parsing.REASON_RANGE)),
    ("90~95%", un("90~95%", parsing.REASON_RANGE)),
    ("约为1-2次", un("约为1-2次", parsing.REASON_RANGE)),
    ("12月以后", un("12月以后", parsing.REASON_AFTER)),
    ("13月", un("13月", parsing.REASON_MONTH)),
    ("2月30日", un("2月30日", parsing.REASON_DAY)),
    ("2021年2月29日前", un("2021年2月29日前", parsing.REASON_DAY)),
    ("2021.12.31-2021.1.1", un("2021.12.31-2021.1.1", parsing.REASON_PERIOD_ORDER)),
    ("9" * 40, un("9" * 40, parsing.REASON_TOO_MANY_DIGITS)),
    ("≤5%以上", un("≤5%以上", parsing.REASON_CONFLICT)),
    ("1.5E+3", un("1.5E+3", parsing.REASON_UNKNOWN)),
    ("第1名", un("第1名", parsing.REASON_UNKNOWN)),
    ("≥3000人参加培训并取得合格证书", un("≥3000人参加培训并取得合格证书", parsing.REASON_UNIT)),
]


def test_the_table_is_large() -> None:
    assert len(CASES) >= 100
    assert len({text for text, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_table(text: str, expected: dict[str, object]) -> None:
    assert parse_value(text).to_dict() == expected
    assert parse_cached(text) == parse_value(text)


def test_to_dict_number_types() -> None:
    assert parse_value("≥120公里").to_dict() == {
        "kind": "quantitative",
        "op": ">=",
        "value": 120,
        "unit": "公里",
    }
    assert isinstance(parse_value("≥120.0公里").to_dict()["value"], int)
    assert isinstance(parse_value("≥1.6万元").to_dict()["value"], float)
    assert parse_value("9月前").to_dict() == {"kind": "deadline", "op": "<=", "month": 9}
    assert json_number(Decimal("95.0")) == 95


def test_values_keep_decimals_exact() -> None:
    value = parse_value("≤1.60万元")
    assert isinstance(value, Quantitative)
    assert value.value == Decimal("1.60")


def test_typed_results() -> None:
    assert isinstance(parse_value("12月底前"), Deadline)
    assert isinstance(parse_value("2021.1.1-12.31"), Period)
    assert isinstance(parse_value("效果明显"), Qualitative)
    assert isinstance(parse_value("?"), Unparsed)


def test_non_text_inputs() -> None:
    assert parse_value(None).to_dict() == un("", parsing.REASON_EMPTY)
    assert parse_value(95).to_dict() == q("=", 95)  # type: ignore[arg-type]
    assert parse_value(Decimal("1.5")).to_dict() == q("=", 1.5)  # type: ignore[arg-type]
    assert parse_value(["x"]).to_dict() == un("['x']", parsing.REASON_NOT_TEXT)  # type: ignore[arg-type]
    assert parse_value(True).to_dict()["kind"] == "unparsed"  # type: ignore[arg-type]


def test_long_texts() -> None:
    words = "有效改善农村学生营养健康状况" * 10
    assert parse_value(words) == Qualitative(words)
    numbers = "完成" + "1" * 100 + "个"
    assert parse_value(numbers).to_dict()["reason"] == parsing.REASON_TOO_LONG


def test_year_word_needs_a_year_for_short_forms() -> None:
    assert parse_value("底线") == Qualitative("底线")
    assert parse_value("内容丰富") == Qualitative("内容丰富")
    assert parse_value("年内完成后验收").to_dict()["reason"] == parsing.REASON_AFTER


def test_more_date_edge_cases() -> None:
    assert parse_value("2021年1月-13月").to_dict()["reason"] == parsing.REASON_MONTH
    assert parse_value("2021年13月-12月").to_dict()["reason"] == parsing.REASON_MONTH
    assert parse_value("1-12月以后").to_dict()["reason"] == parsing.REASON_AFTER
    assert parse_value("2021.13") == Quantitative("=", Decimal("2021.13"), "")
    assert parse_value("2021.1") == Quantitative("=", Decimal("2021.1"), "")
    assert parse_value("2021.2.30").to_dict()["reason"] == parsing.REASON_DAY
    assert parse_value("1900年2月29日").to_dict()["reason"] == parsing.REASON_DAY
    assert parse_value("2000年2月29日") == Deadline(2, 2000, 29)
    assert parse_value("4月31日").to_dict()["reason"] == parsing.REASON_DAY


def test_normalise_text() -> None:
    assert normalise_text(" ＞＝９５％ ") == "≥95%"
    assert normalise_text("1,234,567元") == "1234567元"
    assert normalise_text("1,23") == "1,23"
    assert normalise_text("达成。") == "达成"


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(max_size=120))
def test_no_string_crashes_the_parser(text: str) -> None:
    value = parse_value(text)
    json.dumps(value.to_dict(), ensure_ascii=False)


ALPHABET = st.sampled_from(
    list("0123456789.,%‰≥≤<>=＝≧≦＞＜年月日前底-~至到个万元/·人次不低于以上下内每季度第一二三十 \x00")
)


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_no_table_like_string_crashes_the_parser(text: str) -> None:
    value = parse_value(text)
    json.dumps(value.to_dict(), ensure_ascii=False)
    assert value.kind in {"quantitative", "deadline", "period", "qualitative", "unparsed"}
