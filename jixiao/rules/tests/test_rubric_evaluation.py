"""Department-overall rubric (§4.10 worked example C), key-evaluation weights (§4.11), re-check (§4.12)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from jixiao.rules.bands import Band, bands_from_dicts
from jixiao.rules.evaluation import check_framework_weights, recheck_quality
from jixiao.rules.rubric import (
    BandRule,
    DeductionRule,
    RubricItem,
    change_rate_pp,
    rate_pp,
    rubric_item_from_dict,
    score_rubric_item,
)
from jixiao.rules.ruleset import RuleSet
from jixiao.rules.validation import DocumentError

D = Decimal

STAFF = RubricItem("在职人员控制率", D(8), DeductionRule(limit=D(100), per_unit=D("0.5")))
THREE_PUBLIC = RubricItem('"三公"经费变动率', D(8), DeductionRule(limit=D(0), per_unit=D("0.8")))
COMPLETION = RubricItem(
    "预算完成率",
    D(8),
    DeductionRule(limit=D(100), per_unit=D(2), unit=D(5), direction="below", whole_units=True),
)
ADJUSTMENT_BANDS: list[dict[str, object]] = [
    {"ge": 0, "le": 0, "share": 1},
    {"gt": 0, "le": 10, "share": 0.75},
    {"gt": 10, "le": 20, "share": 0.5},
    {"gt": 20, "le": 30, "share": 0.25},
    {"gt": 30, "share": 0},
]
ADJUSTMENT = RubricItem("预算调整率", D(8), BandRule(bands_from_dicts(ADJUSTMENT_BANDS)))


def test_example_c(national: RuleSet) -> None:
    staff_rate = rate_pp(D(136), D(143))
    assert staff_rate == D("95.10")
    assert score_rubric_item(STAFF, staff_rate, national).score == D("8.00")

    change = change_rate_pp(D("63.46"), D(32))
    assert change == D("98.31")
    assert score_rubric_item(THREE_PUBLIC, change, national).score == D("0.00")

    completion = score_rubric_item(COMPLETION, D("99.27"), national)
    assert completion.score == D("8.00") and completion.rule_set == "national-default"

    adjustment_rate = rate_pp(D("767.86"), D("1922.76"))
    assert adjustment_rate == D("39.94")
    assert score_rubric_item(ADJUSTMENT, adjustment_rate, national).score == D("0.00")


@pytest.mark.parametrize(
    ("rate", "score"),
    [("100", "8.00"), ("95.01", "8.00"), ("95", "6.00"), ("90", "4.00"), ("81", "2.00"), ("60", "0.00")],
)
def test_whole_step_deduction(rate: str, score: str, national: RuleSet) -> None:
    assert score_rubric_item(COMPLETION, D(rate), national).score == D(score)


@pytest.mark.parametrize(
    ("rate", "score"),
    [("0", "8.00"), ("0.01", "6.00"), ("10", "6.00"), ("10.5", "4.00"), ("30", "2.00"), ("30.01", "0.00")],
)
def test_banded_adjustment_rate(rate: str, score: str, national: RuleSet) -> None:
    assert score_rubric_item(ADJUSTMENT, D(rate), national).score == D(score)


def test_continuous_deduction(national: RuleSet) -> None:
    assert score_rubric_item(STAFF, D(104), national).score == D("6.00")
    assert score_rubric_item(THREE_PUBLIC, D("-5"), national).score == D("8.00")
    assert score_rubric_item(THREE_PUBLIC, D(5), national).score == D("4.00")


def test_rubric_from_dict(national: RuleSet) -> None:
    item = rubric_item_from_dict(
        {"name": "预算完成率", "weight": 8, "method": "deduction", "limit": 100, "per_unit": 2, "unit": 5}
        | {"direction": "below", "whole_units": True}
    )
    assert item == COMPLETION
    plain = rubric_item_from_dict(
        {"name": "在职人员控制率", "weight": 8, "method": "deduction", "limit": 100, "per_unit": 0.5}
    )
    assert plain == STAFF
    banded = rubric_item_from_dict(
        {"name": "预算调整率", "weight": 8, "method": "bands", "bands": ADJUSTMENT_BANDS}
    )
    assert banded == ADJUSTMENT
    with pytest.raises(DocumentError) as error:
        rubric_item_from_dict({"name": "x", "weight": -1, "method": "deduction", "per_unit": 1, "extra": 1})
    messages = [e.message for e in error.value.errors]
    assert '评分细则字段 "weight" 不能小于 0' in messages
    assert '评分细则缺少必填字段 "limit"' in messages
    assert '评分细则未知字段 "extra"' in messages
    with pytest.raises(DocumentError, match='"method"'):
        rubric_item_from_dict({"name": "x", "weight": 1, "method": "magic"})


def test_band_helpers() -> None:
    band = Band(D("0.5"), gt=D(0), le=D(10))
    assert band.describe() == "(0, 10]"
    assert Band(D(1), ge=D(90)).describe() == "[90, +∞)"
    assert Band(D(0), lt=D(60)).describe() == "(-∞, 60)"
    assert band.to_dict() == {"gt": 0.0, "le": 10.0, "share": 0.5}
    with pytest.raises(DocumentError) as error:
        bands_from_dicts([{"gt": 0, "share": 2}, "x", {"lt": "a", "share": 1}])  # type: ignore[list-item]
    assert [e.key for e in error.value.errors] == ["bands[0].share", "bands[1]", "bands[2].lt"]


# --- §4.11 --------------------------------------------------------------------------------------


def test_framework_weights() -> None:
    assert check_framework_weights({"决策": D(15), "过程": D(20), "产出": D(35), "效益": D(30)}) == ()
    errors = check_framework_weights({"决策": D(25), "过程": D(20), "产出指标": D(30), "效益指标": D(25)})
    assert errors == ("产出和效益指标权重合计应不低于60（财预〔2020〕10号），当前为55",)
    both = check_framework_weights({"决策": D(30), "过程": D(20), "产出": D(30), "效益": D(25)})
    assert both == (
        "一级指标权重合计应为100，当前为105",
        "产出和效益指标权重合计应不低于60（财预〔2020〕10号），当前为55",
    )


# --- §4.12 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_score", "recheck", "complete", "false", "quality", "replaces"),
    [
        ("95", "91", True, False, "优", False),
        ("95", "91", False, False, "良", False),
        ("88", "80", True, False, "良", False),
        ("92", "86", True, False, "中", False),  # grade changed one step (优 → 良)
        ("95", "81", True, False, "中", True),  # |Δ| = 14 ≤ 15 but grade changed
        ("85", "69", True, False, "中", True),  # |Δ| = 16, grade changed one step
        ("95", "70", True, False, "差", True),  # |Δ| = 25, two steps
        ("95", "95", True, True, "差", False),  # false evidence
        ("70", "85", True, False, "中", True),  # re-check higher: Δ negative
    ],
)
def test_recheck_quality(
    self_score: str,
    recheck: str,
    complete: bool,
    false: bool,
    quality: str,
    replaces: bool,
    national: RuleSet,
) -> None:
    result = recheck_quality(
        D(self_score), D(recheck), national, documentation_complete=complete, evidence_false=false
    )
    assert result.quality == quality
    assert result.replaces_self_score is replaces
    assert result.delta == D(self_score) - D(recheck)
    assert result.effective_score == (D(recheck) if replaces else D(self_score))
    assert result.rule_set == "national-default"


def test_recheck_threshold_from_rule_set(national: RuleSet) -> None:
    strict = dataclasses.replace(national, recheck_replace_above=D(5))
    assert recheck_quality(D(90), D(84), strict).replaces_self_score
    assert not recheck_quality(D(90), D(84), national).replaces_self_score
    edge = recheck_quality(D(90), D(80), national)
    assert edge.grade_steps == 1 and not edge.replaces_self_score  # |Δ| = 10 is not above 10
