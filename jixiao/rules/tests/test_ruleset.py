"""Rule sets as data: shipped files, registry, round trip, validation messages naming the key."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from jixiao.rules.ruleset import RuleSet, UnknownRuleSetError, available_rule_sets, get_rule_set
from jixiao.rules.validation import DocumentError

SHIPPED = ("execution-bands", "funds-weight-20", "integer-rounding", "national-default", "vendor-80-70-60")


def test_registry() -> None:
    assert available_rule_sets() == SHIPPED
    for name in SHIPPED:
        rule_set = get_rule_set(name)
        assert rule_set.name == name
        assert rule_set.display_name
        assert RuleSet.from_dict(rule_set.to_dict()) == rule_set
        json.dumps(rule_set.to_dict(), ensure_ascii=False)
    assert get_rule_set() is get_rule_set("national-default")


def test_national_defaults(national: RuleSet) -> None:
    assert national.funds_weight == 10
    assert national.level1_weights == (
        ("产出指标", Decimal(50)),
        ("效益指标", Decimal(30)),
        ("满意度指标", Decimal(10)),
    )
    assert national.level1_weight("效益指标") == 30 and national.level1_weight("成本指标") is None
    assert national.indicator_weight == 90
    assert national.grades == ("优", "良", "中", "差")
    assert (national.rounding_places, national.rounding_mode) == (2, "ROUND_HALF_UP")
    assert national.tolerance == Decimal("0.01")
    assert national.overachievement_threshold == Decimal("1.30")
    assert national.low_execution_threshold == Decimal("0.90")
    assert national.consistency_threshold == Decimal("0.05")
    assert national.unspent_share_threshold == Decimal("0.20")
    assert national.recheck_replace_above == 10
    assert national.execution_method == "ratio" and national.reverse_variant == "R2"
    assert national.budget_year is None


def test_unknown_rule_set() -> None:
    with pytest.raises(UnknownRuleSetError) as error:
        get_rule_set("../etc/passwd")
    assert "可用的规则集" in str(error.value) and "national-default" in str(error.value)
    assert error.value.available == SHIPPED


def _base() -> dict[str, Any]:
    return copy.deepcopy(get_rule_set().to_dict())


def _errors(data: object) -> list[str]:
    with pytest.raises(DocumentError) as error:
        RuleSet.from_dict(data)  # type: ignore[arg-type]
    return [e.message for e in error.value.errors]


def test_extends_and_overrides() -> None:
    custom = RuleSet.from_dict(
        {
            "extends": "national-default",
            "name": "yunxi-2021",
            "display_name": "云溪区2021",
            "budget_year": 2021,
        }
    )
    assert custom.name == "yunxi-2021" and custom.budget_year == 2021 and custom.funds_weight == 10
    assert _errors({"extends": "nope", "name": "x"}) == [
        '规则集字段 "extends" 应为已有规则集的名称（' + "、".join(SHIPPED) + "）"
    ]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("name",), "Bad Name", '规则集字段 "name" 只能使用小写字母、数字和连字符，且以字母或数字开头'),
        (("name",), 5, '规则集字段 "name" 应为文本，实际为数值'),
        (("display_name",), None, '规则集字段 "display_name" 应为文本，实际为空值(null)'),
        (("budget_year",), 1800, '规则集字段 "budget_year" 应在 1990 到 2100 之间'),
        (("budget_year",), "2021", '规则集字段 "budget_year" 应为整数，实际为文本'),
        (("weights", "funds"), 20, '规则集字段 "weights" 中资金分值与一级指标分值合计应为100，实际为110'),
        (("weights", "funds"), -1, '规则集字段 "weights.funds" 不能小于 0'),
        (("weights", "funds"), 101, '规则集字段 "weights.funds" 不能大于 100'),
        (("weights", "level1"), {}, '规则集字段 "weights.level1" 不能为空'),
        (("weights", "level1"), [], '规则集字段 "weights.level1" 应为对象，实际为列表'),
        (("weights",), None, '规则集字段 "weights" 应为对象，实际为空值(null)'),
        (("grades",), [], '规则集字段 "grades" 不能为空'),
        (
            ("grades",),
            [{"grade": "优", "min": 60}, {"grade": "良", "min": 80}],
            '规则集字段 "grades" 应按 "min" 从高到低排列且不重复',
        ),
        (
            ("grades",),
            [{"grade": "优", "min": 80}, {"grade": "优", "min": 60}],
            '规则集字段 "grades" 中等级名称不能重复',
        ),
        (("grades",), [{"grade": "", "min": 80}], '规则集字段 "grades[0].grade" 不能为空'),
        (("grades",), ["优"], '规则集字段 "grades[0]" 应为对象，实际为文本'),
        (("grades",), [{"grade": "优"}], '规则集缺少必填字段 "grades[0].min"'),
        (("reverse_variant",), "R3", '规则集字段 "reverse_variant" 应为 "R1"、"R2" 之一，实际为 "R3"'),
        (("rounding", "places"), 7, '规则集字段 "rounding.places" 应在 0 到 6 之间'),
        (("rounding", "places"), True, '规则集字段 "rounding.places" 应为整数，实际为布尔值'),
        (
            ("rounding", "mode"),
            "HALF",
            '规则集字段 "rounding.mode" 应为 "ROUND_HALF_UP"、"ROUND_HALF_EVEN"、"ROUND_HALF_DOWN"、"ROUND_UP"、"ROUND_DOWN"、"ROUND_CEILING"、"ROUND_FLOOR"、"ROUND_05UP" 之一，实际为 "HALF"',
        ),
        (("rounding",), 2, '规则集字段 "rounding" 应为对象，实际为数值'),
        (("tolerance",), -0.1, '规则集字段 "tolerance" 不能小于 0'),
        (("tolerance",), float("nan"), '规则集字段 "tolerance" 应为有限数值，且绝对值小于10的15次方'),
        (("thresholds", "overachievement"), 0.9, '规则集字段 "thresholds.overachievement" 不能小于 1'),
        (("thresholds", "low_execution"), 1.5, '规则集字段 "thresholds.low_execution" 不能大于 1'),
        (("thresholds", "extra"), 1, '规则集未知字段 "thresholds.extra"'),
        (("thresholds",), None, '规则集字段 "thresholds" 应为对象，实际为空值(null)'),
        (("qualitative_bands", "partly"), 0.9, '规则集字段 "qualitative_bands" 中 "partly" 不能大于 "met"'),
        (("execution", "method"), "bands", '规则集字段 "execution.bands" 在 "method" 为 "bands" 时不能为空'),
        (("execution", "bands"), [{"ge": 0.9}], '规则集缺少必填字段 "execution.bands[0].share"'),
        (
            ("lights", "execution", "red_below"),
            90,
            '规则集字段 "lights.execution" 中红灯阈值不能大于黄灯阈值',
        ),
        (
            ("lights", "execution", "over_budget_red"),
            "yes",
            '规则集字段 "lights.execution.over_budget_red" 应为布尔值，实际为文本',
        ),
        (("lights", "progress", "blue_from"), 70, '规则集字段 "lights.progress" 中阈值应满足 红 ≤ 黄 ≤ 蓝'),
        (("lights", "progress"), None, '规则集字段 "lights.progress" 应为对象，实际为空值(null)'),
        (("recheck", "good_max_delta"), 20, '规则集字段 "recheck" 中阈值应满足 优 ≤ 良 ≤ 中'),
        (("recheck", "replace_above"), None, '规则集字段 "recheck.replace_above" 应为数值，实际为空值(null)'),
        (("surprise",), 1, '规则集未知字段 "surprise"'),
    ],
)
def test_validation_names_the_key(path: tuple[str, ...], value: object, message: str) -> None:
    data = _base()
    holder = data
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    assert message in _errors(data)


def test_missing_keys_are_all_listed() -> None:
    data = _base()
    for key in ("thresholds", "rounding", "tolerance"):
        del data[key]
    messages = _errors(data)
    assert '规则集缺少必填字段 "thresholds"' in messages
    assert '规则集缺少必填字段 "rounding"' in messages
    assert '规则集缺少必填字段 "tolerance"' in messages


def test_not_a_mapping() -> None:
    assert _errors([1, 2]) == ["规则集应为对象，实际为列表"]


def test_missing_weights_object() -> None:
    data = _base()
    del data["weights"]
    assert _errors(data) == ['规则集缺少必填字段 "weights"']
    data = _base()
    data["weights"]["level1"]["产出指标"] = "50"
    assert '规则集字段 "weights.level1.产出指标" 应为数值，实际为文本' in _errors(data)


def test_rule_sets_have_chinese_labels() -> None:
    from jixiao.rules.ruleset import rule_set_label

    assert rule_set_label("national-default") == "全国默认规则（财预〔2020〕10号）"
    assert rule_set_label("no-such-set") == "no-such-set"
    for name in available_rule_sets():
        assert not any(c.isascii() and c.isalpha() for c in rule_set_label(name))
