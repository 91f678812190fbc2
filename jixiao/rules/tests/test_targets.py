from __future__ import annotations

from decimal import Decimal as D

import pytest

from jixiao.rules.parsing import parse_value
from jixiao.rules.targets import (
    IndicatorDraft,
    TargetDraft,
    describe,
    parse_indicator,
    preview,
    review_target,
    target_text,
)


def ind(
    level1: str = "产出指标",
    level2: str = "数量指标",
    name: str = "养护里程",
    comparison: str = ">=",
    value: str = "120",
    unit: str = "公里",
    weight: D | None = None,
) -> IndicatorDraft:
    return IndicatorDraft(level1, level2, name, comparison, value, unit, weight)


GOOD = (
    ind(weight=D(20)),
    ind(level2="质量指标", name="路面优良率", value="85", unit="%", weight=D(15)),
    ind(level2="时效指标", name="完成时间", comparison="<=", value="12月底前", unit="", weight=D(15)),
    ind("效益指标", "社会效益指标", "群众出行条件改善", "qual", "明显改善", "", D(30)),
    ind("满意度指标", "服务对象满意度指标", "沿线群众满意度", ">=", "90", "%", D(10)),
)


def draft(**changes: object) -> TargetDraft:
    base: dict[str, object] = {
        "kind": "project",
        "annual_goal": "完成农村公路养护120公里，路面优良率达到85%以上。",
        "long_term_goal": "建立农村公路养护长效机制，保障群众安全便捷出行。",
        "indicators": GOOD,
    }
    return TargetDraft(**(base | changes))  # type: ignore[arg-type]


def codes(d: TargetDraft) -> list[str]:
    return [f.code for f in review_target(d)]


def test_a_good_target_has_no_finding() -> None:
    assert review_target(draft()) == []


def test_coverage_of_level1_and_level2() -> None:
    only_output = (ind(weight=None),)
    found = codes(draft(indicators=only_output))
    assert {"LEVEL1_MISSING", "LEVEL1_RECOMMENDED", "LEVEL2_RECOMMENDED", "WEIGHTS_MISSING"} <= set(found)
    assert "LEVEL2_MISSING" not in found
    no_quantity = tuple(i for i in GOOD if i.level2 != "数量指标")
    assert "LEVEL2_MISSING" in codes(draft(indicators=no_quantity))
    message = next(
        f.message for f in review_target(draft(indicators=only_output)) if f.code == "LEVEL1_MISSING"
    )
    assert message == "缺少一级指标「效益指标」。"


def test_row_checks_name_the_row() -> None:
    rows = (*GOOD, ind(name="养护里程", weight=D(1)), ind("产出指标", "经济效益指标", "", ">=", "", "", D(1)))
    findings = review_target(draft(indicators=rows))
    by_code = {f.code: f for f in findings}
    assert (
        by_code["DUPLICATE"].message == "第6行指标「养护里程」与第1行重名。" and by_code["DUPLICATE"].row == 6
    )
    assert by_code["NAME_EMPTY"].row == 7
    assert "不属于一级指标" in by_code["LEVEL_INVALID"].message
    assert by_code["VALUE_EMPTY"].message == "第7行指标「（未命名）」：指标值不能为空。"
    assert all(f.is_error for f in findings if f.code in {"DUPLICATE", "NAME_EMPTY", "VALUE_EMPTY"})


@pytest.mark.parametrize(
    ("comparison", "value", "unit", "code"),
    [
        (">=", "较好", "", "VALUE_UNPARSED"),
        (">=", "多个", "个", "VALUE_UNPARSED"),
        (">=", "95", "", "UNIT_MISSING"),
        ("~", "95", "%", "COMPARISON_INVALID"),
        ("<=", "12月底前", "", None),
        ("qual", "效果明显", "", None),
        ("other", "按标准执行", "", None),
        (">=", "2021.1.1-12.31", "", "VALUE_UNPARSED"),
    ],
)
def test_value_checks(comparison: str, value: str, unit: str, code: str | None) -> None:
    rows = (*GOOD, ind(name="新增指标", comparison=comparison, value=value, unit=unit, weight=None))
    found = [f.code for f in review_target(draft(indicators=rows)) if f.row == 6]
    assert found == ([code] if code else [])


def test_input_is_not_a_target_and_weights_positive() -> None:
    rows = tuple(i if i.name != "养护里程" else ind(name="资金投入到位", weight=D(0)) for i in GOOD)
    found = codes(draft(indicators=rows))
    assert "INPUT_AS_TARGET" in found and "WEIGHT_NOT_POSITIVE" in found


def test_weights_partial_by_level1_and_total() -> None:
    partial = (*GOOD[:4], ind("满意度指标", "服务对象满意度指标", "满意度", ">=", "90", "%", None))
    assert "第5行未填写权重" in next(
        f.message for f in review_target(draft(indicators=partial)) if f.code == "WEIGHTS_PARTIAL"
    )
    off = (*GOOD[:4], ind("满意度指标", "服务对象满意度指标", "满意度", ">=", "90", "%", D(5)))
    messages = {f.code: f.message for f in review_target(draft(indicators=off))}
    assert messages["WEIGHTS_LEVEL1"] == "「满意度指标」的权重合计为5，应为10。"
    assert messages["WEIGHTS_TOTAL"] == "指标权重合计为85，应为90（另有预算执行率10分）。"
    # A level-1 group with no indicator is reported by coverage, not by weights.
    without_satisfaction = (*GOOD[:4],)
    assert "WEIGHTS_LEVEL1" not in codes(draft(indicators=without_satisfaction))
    custom = review_target(draft(), weights={"产出指标": D(60), "效益指标": D(20), "满意度指标": D(10)})
    assert [f.code for f in custom] == ["WEIGHTS_LEVEL1", "WEIGHTS_LEVEL1"]


def test_goals() -> None:
    assert codes(draft(annual_goal=" ")) == ["GOAL_EMPTY"]
    assert codes(draft(annual_goal="按时完成")) == ["GOAL_BOILERPLATE"]
    assert codes(draft(long_term_goal="")) == []  # long-term goal is optional
    assert codes(draft(long_term_goal="略")) == ["GOAL_BOILERPLATE"]
    assert codes(draft(kind="department", long_term_goal="略")) == []


def test_continuing_project_below_last_year() -> None:
    previous = {"养护里程": D(130), "路面优良率": D(80), "完成时间": D(12), "群众出行条件改善": D(1)}
    findings = review_target(draft(is_continuing=True, previous_values=previous))
    assert [(f.code, f.row) for f in findings] == [("BELOW_LAST_YEAR", 1)]
    assert "低于上年实际130" in findings[0].message
    reverse = (ind("产出指标", "成本指标", "每公里成本", "<=", "1.6", "万元", None),)
    f = review_target(
        TargetDraft(
            "project",
            "完成农村公路养护任务并控制成本。",
            reverse,
            is_continuing=True,
            previous_values={"每公里成本": D("1.5")},
        )
    )
    assert any(x.code == "BELOW_LAST_YEAR" and "宽于" in x.message for x in f)
    assert "BELOW_LAST_YEAR" not in codes(draft(is_continuing=False, previous_values=previous))


def test_amounts() -> None:
    assert codes(draft(budget_fen=100, declared_fen=100)) == []
    assert codes(draft(budget_fen=200_000_000, declared_fen=None)) == []
    mismatch = review_target(draft(budget_fen=200_000_000, declared_fen=190_000_000))
    assert (
        mismatch[0].message == "资金来源合计190.00万元与项目预算200.00万元不一致。" and mismatch[0].is_error
    )
    dept = review_target(
        draft(kind="department", budget_fen=200_000_000, declared_fen=1, tasks_without_indicator=("任务甲",))
    )
    assert [f.code for f in dept] == ["TASKS_AMOUNT_MISMATCH", "TASK_WITHOUT_INDICATOR"]
    assert not dept[0].is_error


def test_target_text_and_describe() -> None:
    assert target_text(">=", "95", "%") == "≥95%"
    assert target_text(">=", "≥95%", "%") == "≥95%"
    assert target_text("qual", "效果明显", "") == "效果明显"
    assert target_text("<=", "12月底前", "") == "12月底前"
    assert describe(parse_indicator(ind(value="95", unit="%"))) == "≥ 95 %"
    assert describe(parse_value("9月前")) == "截止 9 月"
    assert describe(parse_value("2021年12月31日前")) == "截止 2021年12 月31日"
    assert describe(parse_value("2021.1.1-12.31")).startswith("期间 2021年1月1日 至 ")
    assert describe(parse_value("效果明显")) == "定性：效果明显"
    assert describe(parse_value("")).startswith("无法计量：")


def test_preview_tells_whether_a_value_can_be_measured() -> None:
    assert preview(ind(value="95", unit="%")) == ("≥ 95 %", True)
    assert preview(ind(comparison="<=", value="9月前", unit="")) == ("截止 9 月", True)
    assert preview(ind(comparison="qual", value="明显改善")) == ("定性指标", True)
    assert preview(ind(comparison="other", value="按标准"))[1] is True
    assert preview(ind(value="尽量多", unit="个")) == ("无法计量：定量指标的指标值应为数值", False)
    text, ok = preview(ind(value="1-2", unit="个"))
    assert not ok and text.startswith("无法计量：")


def test_a_value_without_a_sign_takes_the_chosen_sign() -> None:
    """Issue 10 item 7: "95%" under ≥ is "≥ 95 %", not "= 95 %"."""
    assert target_text(">=", "95%", "%") == "≥95%"
    assert target_text("<=", "1.6万元", "万元") == "≤1.6万元"
    assert target_text(">", "不低于90", "%") == "不低于90%"
    assert target_text(">=", "12月内", "") == "12月内"
    assert describe(parse_indicator(ind(value="95%", unit="%"))) == "≥ 95 %"
    assert preview(ind(comparison="<", value="3‰", unit="‰")) == ("< 3 ‰", True)


@pytest.mark.parametrize(
    ("comparison", "value", "conflict"),
    [
        (">=", "≤95%", "≤"),
        ("<=", "不低于95", "≥"),
        (">=", "=95", "="),
        (">=", "≥95", None),
        ("=", "95", None),
        (">=", "12月内", None),
        ("qual", "≤95%", None),
    ],
)
def test_a_sign_that_contradicts_the_chosen_one_is_an_error_naming_the_row(
    comparison: str, value: str, conflict: str | None
) -> None:
    rows = (*GOOD, ind(name="优良率", comparison=comparison, value=value, unit="%", weight=None))
    found = [f for f in review_target(draft(indicators=rows)) if f.code == "SIGN_CONFLICT"]
    if conflict is None:
        assert found == []
    else:
        assert [f.row for f in found] == [6] and found[0].is_error
        assert found[0].message.startswith(f"第6行指标「优良率」：指标值「{value}」中的符号「{conflict}」")


def test_a_cost_target_above_the_project_funds_is_a_warning() -> None:
    rows = (
        *GOOD,
        ind("产出指标", "成本指标", "项目总成本", "<=", "120", "万元", None),
        ind("产出指标", "成本指标", "户均补助", "<=", "9000", "元/户", None),
        ind("产出指标", "成本指标", "定性成本", "qual", "1000万元", "", None),
    )
    found = [
        f
        for f in review_target(draft(indicators=rows, budget_fen=45_000_000))
        if f.code == "COST_ABOVE_FUNDS"
    ]
    assert [(f.row, f.severity) for f in found] == [(6, "warning")]
    assert (
        found[0].message
        == "第6行指标「项目总成本」：指标值120.00万元超过年度资金总额45.00万元，请核实金额或计量单位。"
    )
    assert not [
        f
        for f in review_target(draft(indicators=rows, budget_fen=200_000_000))
        if f.code == "COST_ABOVE_FUNDS"
    ]
    assert not [f for f in review_target(draft(indicators=rows)) if f.code == "COST_ABOVE_FUNDS"]
