"""Scoring formulas of domain.md §4: worked examples A (§4.8) and B (§4.9), grades, edge cases."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from jixiao.rules.parsing import parse_value
from jixiao.rules.ruleset import RuleSet, get_rule_set
from jixiao.rules.scoring import (
    IndicatorScore,
    LevelScore,
    aggregate,
    consistency_warnings,
    date_point_of,
    deadline_met,
    execution_indicator_gap,
    quantitative_ratio,
    rescale_total,
    score_execution,
    score_indicator,
    score_parsed,
)
from jixiao.rules.values import DatePoint

D = Decimal


# --- worked example A (domain.md §4.8) ----------------------------------------------------------


def test_example_a_execution(national: RuleSet) -> None:
    funds = score_execution(D("200.00"), D("184.00"), D(10), national)
    assert funds.rate == D("0.92")
    assert funds.score == D("9.20")
    assert not funds.zero_budget and not funds.low_execution
    assert score_execution(D(100), D("89.99"), D(10), national).low_execution
    assert funds.rule_set == "national-default"


EXAMPLE_A = [
    ("≥120公里", "126公里", 15, D("15.00")),
    ("≥85%", "80%", 15, D("14.12")),
    ("=100%", "90%", 10, D("9.00")),
    ("≤1.60万元", "1.46万元", 10, D("10.00")),
    ("≥90%", "86%", 10, D("9.56")),
]


@pytest.mark.parametrize(("target", "actual", "weight", "expected"), EXAMPLE_A)
def test_example_a_quantitative(
    target: str, actual: str, weight: int, expected: Decimal, national: RuleSet
) -> None:
    result = score_indicator(target, actual, D(weight), national)
    assert result.score == expected
    assert f"{result.score}" == f"{expected}"  # two decimals, to the cent


def test_example_a_qualitative_bands(national: RuleSet) -> None:
    social = score_indicator("明显改善", "达成年度指标", D(20), national)
    assert social.band == (D(16), D(20)) and social.band_kind == "met" and social.score is None
    assert social.admits(D(18))
    lasting = score_indicator("建立", "部分达成年度指标并具有一定效果", D(10), national)
    assert lasting.band == (D(6), D(8)) and lasting.band_kind == "partly_met"
    assert lasting.admits(D(7))


def test_example_a_totals_and_warnings(national: RuleSet) -> None:
    scores = [score_indicator(t, a, D(w), national).score for t, a, w, _ in EXAMPLE_A]
    indicators = sum((s for s in scores if s is not None), D(0)) + D(18) + D(7)
    assert indicators == D("82.68")
    total = D("9.20") + indicators
    assert total == D("91.88")
    assert national.grade(total) == "优"
    assert (indicators / 90).quantize(D("0.0001")) == D("0.9187")
    assert execution_indicator_gap(indicators, D(90), D("9.20"), D(10), national) is None
    warnings = consistency_warnings(
        indicator_score=indicators,
        indicator_weight=D(90),
        funds_score=D("9.20"),
        funds_weight=D(10),
        budget=D(200),
        executed=D(184),
        all_full_marks=False,
        rule_set=national,
    )
    assert warnings == ()


# --- worked example B (domain.md §4.9) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "r1", "r2"),
    [("1.80", D("8.89"), D("8.75")), ("2.40", D("6.67"), D("5.00")), ("3.30", D("4.85"), D("0.00"))],
)
def test_example_b_reverse_variants(actual: str, r1: Decimal, r2: Decimal, national: RuleSet) -> None:
    ratio = dataclasses.replace(national, reverse_variant="R1")
    linear = score_indicator("≤1.60万", f"{actual}万", D(10), national)
    assert linear.method == "reverse_linear" and linear.score == r2
    proportional = score_indicator("≤1.60万", f"{actual}万", D(10), ratio)
    assert proportional.method == "reverse_ratio" and proportional.score == r1
    assert national.reverse_variant == "R2"  # domain.md §4.3 default


# --- execution (§4.2) ---------------------------------------------------------------------------


def test_execution_edge_cases(national: RuleSet) -> None:
    assert score_execution(D(0), D(5), D(10), national).score == D("0.00")
    assert score_execution(None, D(5), D(10), national).zero_budget
    assert score_execution(D(100), None, D(10), national).score == D("0.00")
    over = score_execution(D(100), D(130), D(10), national)
    assert over.rate == D("1.3") and over.score == D("10.00")
    assert score_execution(D(100), D(50), None, national).score == D("5.00")
    assert score_execution(D(100), D(-5), D(10), national).score == D("0.00")
    assert score_execution(D(3), D(1), D(10), national).score == D("3.33")


def test_execution_bands() -> None:
    rules = get_rule_set("execution-bands")
    assert score_execution(D(100), D(92), D(10), rules).score == D("9.00")
    assert score_execution(D(100), D(95), D(10), rules).score == D("10.00")
    assert score_execution(D(100), D(50), D(10), rules).score == D("0.00")
    assert score_execution(D(100), D(75), D(10), rules).method == "execution_bands"
    empty = dataclasses.replace(rules, execution_bands=())
    assert score_execution(D(100), D(75), D(10), empty).score == D("0.00")


def test_funds_weight_20() -> None:
    rules = get_rule_set("funds-weight-20")
    assert rules.funds_weight == 20 and rules.indicator_weight == 80
    assert score_execution(D(200), D(184), None, rules).score == D("18.40")


# --- quantitative (§4.3) ------------------------------------------------------------------------


def test_positive_and_equal(national: RuleSet) -> None:
    assert score_indicator("≥0个", "0个", D(10), national).score == D("10.00")
    assert score_indicator(">80%", "80%", D(10), national).score == D("10.00")
    assert score_indicator("=0", "0", D(10), national).method == "equal_zero"
    assert score_indicator("=0", "0", D(10), national).score == D("10.00")
    assert score_indicator("=0次", "1次", D(10), national).score == D("0.00")
    assert score_indicator("=0次", "-3次", D(10), national).score == D("10.00")
    assert score_indicator("≥100", "-5", D(10), national).score == D("0.00")  # negative actual → 0
    assert score_indicator("=-5%", "2%", D(10), national).score == D("10.00")


def test_reverse_edges(national: RuleSet) -> None:
    r1 = dataclasses.replace(national, reverse_variant="R1")
    for rules in (national, r1):
        assert score_indicator("≤0次", "2次", D(10), rules).score == D("0.00")
        assert score_indicator("<5%", "5%", D(10), rules).score == D("10.00")
        assert score_indicator("≤5%", "3%", D(10), rules).met is True
    assert score_indicator("≤1.6", "2.0", D(10), national).score == D("7.50")


def test_quantitative_ratio_directly() -> None:
    assert quantitative_ratio("positive_ratio", D(50), D(100)) == D("0.5")
    assert quantitative_ratio("positive_ratio", D(50), D(-1)) == 1
    assert quantitative_ratio("reverse_linear", D(5), D(-1)) == 0


def test_units(national: RuleSet) -> None:
    assert score_indicator("≥95%", "0.96", D(10), national).score == D("10.00")
    assert score_indicator("≥95%", "0.90", D(10), national).score == D("9.47")
    assert score_indicator("≥95%", "90", D(10), national).score == D("9.47")
    assert score_indicator("≤1.6万元", "14600元", D(10), national).score == D("10.00")
    assert score_indicator("≥1万人次", "8000人次", D(10), national).score == D("8.00")
    assert score_indicator("≥0.95", "96%", D(10), national).score == D("10.00")
    assert score_indicator("63", "65个", D(10), national).score == D("10.00")
    assert score_indicator("≥0.5%", "0.3", D(10), national).score == D("6.00")
    assert score_indicator("≥5‰", "0.4%", D(10), national).score == D("8.00")
    assert score_indicator("≥10公里", "12000米", D(10), national).met is True
    assert score_indicator("≥90%", "≥92%", D(10), national).score == D("10.00")  # a repeated comparison


def test_incompatible_units_are_a_finding_not_a_guess(national: RuleSet) -> None:
    result = score_indicator("≥50个", "60公里", D(10), national)
    assert result.score is None and result.issue_code == "ACTUAL_UNPARSED"
    assert "公里" in (result.issue or "") and "个" in (result.issue or "")
    assert score_indicator("≥50人", "60人次", D(10), national).issue_code == "ACTUAL_UNPARSED"


def test_actual_not_comparable(national: RuleSet) -> None:
    words = score_indicator("≥95%", "达成年度指标", D(10), national)
    assert words.issue_code == "ACTUAL_UNPARSED" and words.issue == "实际完成值与指标值的类型不同，无法比较"
    empty = score_indicator("≥95%", "", D(10), national)
    assert empty.issue == "实际完成值为空"  # issue 10 item 13: it names the actual, not the target
    assert score_indicator("明显改善", " ", D(10), national).issue == "实际完成值为空"


def test_weight_missing(national: RuleSet) -> None:
    result = score_indicator("≥95%", "96%", None, national)
    assert result.score is None and result.met is True
    assert not result.admits(D(5))


def test_overachievement(national: RuleSet) -> None:
    assert score_indicator("≥100个", "130个", D(10), national).overachieved
    assert not score_indicator("≥100个", "129个", D(10), national).overachieved
    assert score_indicator("=100个", "130个", D(10), national).overachieved
    assert score_indicator("≥0个", "30个", D(10), national).overachieved
    assert not score_indicator("≥0个", "29个", D(10), national).overachieved
    assert not score_indicator("=0个", "30个", D(10), national).overachieved
    assert not score_indicator("≤100个", "10个", D(10), national).overachieved
    lenient = dataclasses.replace(national, overachievement_threshold=D("1.5"))
    assert not score_indicator("≥100个", "130个", D(10), lenient).overachieved
    assert score_indicator("≥120公里", "126公里", D(15), national).achievement == D("1.05")


# --- deadlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "year", "met"),
    [
        ("12月底前", "11月", 2021, True),
        ("12月底前", "12月", 2021, True),
        ("9月前", "10月", 2021, False),
        ("12月底前", "已于10月完成", 2021, True),
        ("2021年12月完成", "2022年1月", 2021, False),
        ("2021年12月完成", "2020年12月", 2021, True),
        ("12月15日前", "12月20日", 2021, False),
        ("12月15日前", "12月10日", 2021, True),
        ("12月15日前", "12月", 2021, True),
        ("12月底前", "2022年3月", 2021, False),
        ("12月底前", "2022年3月", None, True),
        ("2021.1.1-12.31", "2021年11月", 2021, True),
        ("2021.1.1-12.31", "2022年1月", 2021, False),
        ("12月底前", "2021年1-11月", 2021, True),
        ("12月底前", "2021.10", 2021, True),
        ("12月底前", "按时完成", 2021, True),
        ("12月底前", "已按期完成", 2021, True),
        ("12月底前", "延期", 2021, False),
        ("12月底前", "否", 2021, False),
    ],
)
def test_deadlines(target: str, actual: str, year: int | None, met: bool, national: RuleSet) -> None:
    result = score_indicator(target, actual, D(10), national, year=year)
    assert result.method == "deadline"
    assert result.met is met
    assert result.score == (D("10.00") if met else D("0.00"))


def test_deadline_not_comparable(national: RuleSet) -> None:
    result = score_indicator("12月底前", "已完成", D(10), national)
    assert result.issue_code == "ACTUAL_UNPARSED"
    assert score_indicator("12月底前", None, D(10), national).issue == "实际完成值为空"
    assert score_indicator("12月底前", "11月", None, national).score is None


def test_date_points() -> None:
    assert date_point_of(parse_value("2021.10")) == DatePoint(10, 2021)
    assert date_point_of(parse_value("1990.12")) == DatePoint(12, 1990)
    assert date_point_of(parse_value("2021.13")) is None
    assert date_point_of(parse_value("1800.10")) is None
    assert date_point_of(parse_value("2021.10个")) is None
    assert date_point_of(parse_value("≥2021.10")) is None
    assert date_point_of(parse_value("2021")) is None
    assert deadline_met(DatePoint(12), DatePoint(12, 2030))


# --- qualitative (§4.4) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "kind", "band"),
    [
        ("达成年度指标", "met", (D(8), D(10))),
        ("达成预期指标", "met", (D(8), D(10))),
        ("已完成", "met", (D(8), D(10))),
        ("是", "met", (D(8), D(10))),
        ("效果明显", "met", (D(8), D(10))),  # repeats the target
        ("效果明显。", "met", (D(8), D(10))),
        ("部分达成年度指标并具有一定效果", "partly_met", (D(6), D(8))),
        ("部分达成", "partly_met", (D(6), D(8))),
        ("未达成年度指标且效果较差", "not_met", (D(0), D(6))),
    ],
)
def test_qualitative_bands(actual: str, kind: str, band: tuple[Decimal, Decimal], national: RuleSet) -> None:
    result = score_indicator("效果明显", actual, D(10), national)
    assert result.method == "qualitative_band"
    assert result.band_kind == kind and result.band == band and result.score is None


def test_qualitative_band_boundaries(national: RuleSet) -> None:
    met = score_indicator("有效", "达成", D(10), national)
    partly = score_indicator("有效", "部分达成", D(10), national)
    not_met = score_indicator("有效", "未达成", D(10), national)
    assert met.admits(D(8)) and met.admits(D(10)) and not met.admits(D("7.99")) and not met.admits(D("10.01"))
    assert partly.admits(D(6)) and not partly.admits(D(8)) and partly.admits(D("7.99"))
    assert not_met.admits(D(0)) and not not_met.admits(D(6)) and not not_met.admits(D(-1))
    assert (met.suggested, partly.suggested, not_met.suggested) == (D("10.00"), D("7.00"), D("3.00"))


def test_qualitative_wording_outside_the_rules(national: RuleSet) -> None:
    for actual in ("达成目标", "基本达成", "96%", "", None):
        result = score_indicator("效果明显", actual, D(10), national)
        assert result.band is None and result.issue_code == "ACTUAL_UNPARSED"
    no_weight = score_indicator("效果明显", "达成", None, national)
    assert no_weight.band is None and no_weight.band_kind == "met" and no_weight.met


# --- not applicable, unparsed target, aggregation (§4.5) -----------------------------------------


def test_not_applicable_and_unscorable(national: RuleSet) -> None:
    assert score_indicator("不适用", "", D(10), national).method == "not_applicable"
    assert score_indicator("≥95%", " 不涉及 ", D(10), national).method == "not_applicable"
    bad = score_indicator("90%-95%", "92%", D(10), national)
    assert bad.method == "unscorable" and bad.issue_code == "TARGET_UNPARSED"
    assert bad.admits(D(10)) and not bad.admits(D(11))


def test_score_parsed_matches_score_indicator(national: RuleSet) -> None:
    for target, actual, weight, _ in EXAMPLE_A:
        direct = score_parsed(parse_value(target), parse_value(actual), actual, D(weight), national)
        assert direct == score_indicator(target, actual, D(weight), national)


def test_rescale_total(national: RuleSet) -> None:
    assert rescale_total(D(80), D(10), national) == D("88.89")
    assert rescale_total(D(80), D(0), national) == D(80)
    assert rescale_total(D(0), D(100), national) == D("0.00")


def test_aggregate() -> None:
    levels = aggregate(
        [
            ("产出指标", "数量指标", D(15), D(15)),
            ("产出指标", "质量指标", D(15), D("14.12")),
            ("产出指标", "数量指标", D(5), D(4)),
            ("效益指标", "社会效益指标", D(20), D(18)),
        ]
    )
    assert [level.name for level in levels] == ["产出指标", "效益指标"]
    assert levels[0].weight == 35 and levels[0].score == D("33.12")
    assert levels[0].children[0] == LevelScore("数量指标", D(20), D(19))
    assert levels[1].to_dict() == {
        "name": "效益指标",
        "weight": 20.0,
        "score": 18.0,
        "children": [{"name": "社会效益指标", "weight": 20.0, "score": 18.0}],
    }


# --- consistency (§4.7) -------------------------------------------------------------------------


def _warnings(national: RuleSet, **overrides: object) -> tuple[str, ...]:
    args: dict[str, object] = {
        "indicator_score": D(85),
        "indicator_weight": D(90),
        "funds_score": D(9),
        "funds_weight": D(10),
        "budget": D(100),
        "executed": D(90),
        "all_full_marks": False,
        "rule_set": national,
    }
    args.update(overrides)
    return tuple(w.code for w in consistency_warnings(**args))  # type: ignore[arg-type]


def test_consistency_warnings(national: RuleSet) -> None:
    assert _warnings(national) == ()
    assert _warnings(national, funds_score=D(7), executed=D(70)) == (
        "EXECUTION_INDICATOR_GAP",
        "UNSPENT_SHARE",
    )
    assert _warnings(national, budget=D(0)) == ("ZERO_BUDGET",)
    assert _warnings(national, budget=None) == ("ZERO_BUDGET",)
    assert _warnings(national, executed=None, indicator_score=D(0)) == ("UNSPENT_SHARE",)
    full = _warnings(
        national, all_full_marks=True, executed=D(75), funds_score=D("7.5"), indicator_score=D(90)
    )
    assert full == ("EXECUTION_INDICATOR_GAP", "UNSPENT_SHARE", "ALL_FULL_LOW_EXECUTION")
    assert _warnings(national, all_full_marks=True) == ()
    gap = consistency_warnings(
        indicator_score=D(90),
        indicator_weight=D(90),
        funds_score=D(7),
        funds_weight=D(10),
        budget=D(100),
        executed=D(70),
        all_full_marks=False,
        rule_set=national,
    )[0]
    assert gap.light == "red" and gap.rule_set == "national-default" and "70.00%" in gap.message


def test_gap_needs_positive_inputs(national: RuleSet) -> None:
    assert execution_indicator_gap(D(0), D(90), D(5), D(10), national) is None
    assert execution_indicator_gap(D(80), D(0), D(5), D(10), national) is None
    assert execution_indicator_gap(D(80), D(90), D(5), D(0), national) is None


# --- grades (§4.6) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("59.99", "差"),
        ("60", "中"),
        ("79.99", "中"),
        ("80", "良"),
        ("89.99", "良"),
        ("90", "优"),
        ("100", "优"),
    ],
)
def test_grade_boundaries(score: str, grade: str, national: RuleSet) -> None:
    assert national.grade(D(score)) == grade


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("59.99", "差"),
        ("60", "中"),
        ("69.99", "中"),
        ("70", "良"),
        ("79.99", "良"),
        ("80", "优"),
        ("100", "优"),
    ],
)
def test_vendor_grade_boundaries(score: str, grade: str) -> None:
    assert get_rule_set("vendor-80-70-60").grade(D(score)) == grade


def test_grade_below_every_band(national: RuleSet) -> None:
    assert national.grade(D(-1)) == "差"


def test_rounding_rule_sets(national: RuleSet) -> None:
    integer = get_rule_set("integer-rounding")
    assert score_indicator("≥85%", "80%", D(15), integer).score == D(14)
    assert score_indicator("≥90%", "86%", D(10), integer).score == D(10)
    even = dataclasses.replace(national, rounding_mode="ROUND_HALF_EVEN", rounding_places=1)
    assert even.round(D("0.25")) == D("0.2") and national.round(D("0.125")) == D("0.13")


def test_result_carries_rule_set_name(national: RuleSet) -> None:
    result = score_indicator("≥95%", "96%", D(10), national)
    assert isinstance(result, IndicatorScore) and result.rule_set == "national-default"
