"""Monitoring lights (domain.md §5.3), worked example D (§5.7), deviation (§5.4)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from jixiao.rules.monitoring import (
    Light,
    PlanCurve,
    deviation_degree,
    execution_light,
    expected_fraction,
    expected_to_date,
    forecast_deviation,
    indicator_light,
    progress_code,
    target_light,
)
from jixiao.rules.ruleset import RuleSet

D = Decimal


# --- worked example D (§5.7) --------------------------------------------------------------------


def test_example_d(national: RuleSet) -> None:
    funds = execution_light(D("50.00"), D("18.00"), 9, national)
    assert (funds.code, funds.label, funds.value) == ("red", "红", D("48.00"))
    assert expected_to_date(D(1000), 9) == D(750)
    people = indicator_light("≥1,000人次", "500人次", 9, national)
    assert people is not None and (people.code, people.label, people.value) == ("yellow", "黄", D("66.67"))
    satisfaction = indicator_light("满意", "部分达成目标并具有一定效果", 9, national)
    assert satisfaction is not None and satisfaction.code == "yellow"
    goal = target_light([people, satisfaction])
    assert goal is not None and (goal.code, goal.label) == ("yellow", "黄")
    assert goal.rule_set == funds.rule_set == "national-default"


# --- execution light ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("executed", "code"),
    [("44.99", "red"), ("45", "yellow"), ("59.99", "yellow"), ("60", "green"), ("100", "green")],
)
def test_execution_light_at_month_nine(executed: str, code: str, national: RuleSet) -> None:
    assert execution_light(D(100), D(executed), 9, national).code == code


def test_execution_light_edges(national: RuleSet) -> None:
    assert execution_light(D(0), D(5), 9, national).reason == "预算数为零或未填写"
    assert execution_light(None, D(5), 9, national).code == "red"
    over = execution_light(D(100), D(101), 12, national)
    assert over.code == "red" and over.reason == "执行数超过预算数"
    lenient = dataclasses.replace(national, execution_over_budget_red=False)
    assert execution_light(D(100), D(101), 12, lenient).code == "green"
    assert execution_light(D(100), None, 9, national).value == D("0.00")
    assert execution_light(D(100), D(-5), 9, national).code == "red"


def test_execution_light_with_plan(national: RuleSet) -> None:
    lumpy = PlanCurve.of([0, 0, 0, 0, 0, 0, 0, 0, "0.1", "0.1", "0.1", 1])
    assert execution_light(D(100), D(9), 9, national, plan=lumpy).code == "green"
    assert execution_light(D(100), D(5), 9, national, plan=lumpy).code == "red"
    waiting = execution_light(D(100), D(0), 3, national, plan=lumpy)
    assert waiting.code == "green" and waiting.value is None
    amounts = PlanCurve.of([10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 100], kind="amount")
    assert execution_light(D(100), D(54), 9, national, plan=amounts).code == "yellow"


# --- indicator lights ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "code"),
    [
        ("449", "red"),
        ("450", "yellow"),
        ("599", "yellow"),
        ("600", "green"),
        ("899", "green"),
        ("900", "blue"),
    ],
)
def test_positive_progress_bands(actual: str, code: str, national: RuleSet) -> None:
    light = indicator_light("≥1000", actual, 9, national)
    assert light is not None and light.code == code


def test_other_indicator_types(national: RuleSet) -> None:
    def code(target: str | None, actual: str | None, **kw: object) -> str | None:
        light = indicator_light(target, actual, 9, national, **kw)  # type: ignore[arg-type]
        return None if light is None else light.code

    assert code("≤1.6万元", "1.6万元") == "green"
    assert code("≤1.6万元", "1.7万元") == "red"
    assert code("<5%", "5%") == "red"
    assert code("<5%", "4%") == "green"
    assert code("=0", "0") == "green"
    assert code("=0起", "1起") == "red"
    assert code("=100%", "70%") == "green"
    assert code("≥95%", "0.3") == "red"
    assert code("≥0", "5") == "green"
    assert code("达成", "达成目标") == "green"
    assert code("有效", "有效") == "green"
    assert code("有效", "未达成目标且效果较差") == "red"
    assert code("有效", "进展顺利") is None
    assert code("有效", "") is None
    assert code("12月底前", "10月") == "green"
    assert code("9月底前", "2021年10月", year=2021) == "red"
    assert code("12月底前", "进行中") is None
    assert code("≥50个", "60公里") is None
    assert code("≥50个", "很多") is None
    assert code("90%-95%", "92%") is None
    assert code("≥1000", "900", possibility="完全不可能") == "red"
    assert code("≥1000", "900", possibility="有可能") == "blue"


def test_indicator_light_with_plan(national: RuleSet) -> None:
    fractions = PlanCurve.of(["0.05"] * 6 + ["0.5", "0.6", "0.6", "0.8", "0.9", "1"])
    light = indicator_light("≥1000人", "480人", 9, national, plan=fractions)
    assert light is not None and light.code == "green" and light.value == D("80.00")
    amounts = PlanCurve.of([0] * 9 + [500, 800, 1000], kind="amount")
    nothing_due = indicator_light("≥1000人", "0人", 9, national, plan=amounts)
    assert nothing_due is not None and nothing_due.code == "green" and nothing_due.value is None


def test_target_light_order(national: RuleSet) -> None:
    lights = [Light("x", "blue"), Light("x", "green"), None]
    assert target_light(lights) == Light("x", "green")
    assert target_light([Light("x", "blue"), Light("x", "red"), Light("x", "yellow")]) == Light("x", "red")
    assert target_light([None]) is None
    assert Light("x", "blue").to_dict() == {
        "code": "blue",
        "label": "蓝",
        "value": None,
        "reason": None,
        "rule_set": "x",
    }
    assert Light("x", "red", D("48.00")).to_dict()["value"] == 48.0


def test_progress_code_thresholds(national: RuleSet) -> None:
    strict = dataclasses.replace(national, progress_light_red_below=D(70))
    assert progress_code(D(65), national) == "yellow"
    assert progress_code(D(65), strict) == "red"


# --- plan curves and deviation ------------------------------------------------------------------


def test_expected_fraction() -> None:
    assert expected_fraction(9) == D("0.75")
    assert expected_fraction(12) == 1
    plan = PlanCurve.of([D(i) / 20 for i in range(1, 13)])
    assert expected_fraction(9, plan) == D("0.45")
    amounts = PlanCurve.of(list(range(10, 130, 10)), kind="amount")
    assert expected_fraction(9, amounts, D(120)) == D("0.75")
    with pytest.raises(ValueError, match="大于零的全年总数"):
        expected_fraction(9, amounts)
    with pytest.raises(ValueError, match="大于零的全年总数"):
        expected_fraction(9, amounts, D(0))
    for month in (0, 13):
        with pytest.raises(ValueError, match="监控月份应为1-12"):
            expected_fraction(month)
    with pytest.raises(ValueError, match="监控月份应为1-12"):
        expected_to_date(D(10), 13, amounts)
    with pytest.raises(ValueError, match="监控月份应为1-12"):
        indicator_light("≥1", "1", 0, _national())


def _national() -> RuleSet:
    from jixiao.rules.ruleset import get_rule_set

    return get_rule_set()


def test_plan_curve_validation() -> None:
    with pytest.raises(ValueError, match="12个累计值"):
        PlanCurve.of([1, 2])
    with pytest.raises(ValueError, match="逐月不减"):
        PlanCurve.of([1] * 11 + [0], kind="amount")
    with pytest.raises(ValueError, match="逐月不减"):
        PlanCurve.of([-1] + [0] * 11, kind="amount")
    with pytest.raises(ValueError, match="不能超过1"):
        PlanCurve.of([0] * 11 + [2])


def test_deviation() -> None:
    assert deviation_degree(D(500), D(750)).quantize(D("0.0001")) == D("-0.3333")  # type: ignore[union-attr]
    assert deviation_degree(D(5), D(0)) is None
    assert forecast_deviation(D(900), D(1000)) == D("-0.1")
    assert forecast_deviation(D(900), D(0)) is None
