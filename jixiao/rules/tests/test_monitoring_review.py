"""Deviation analysis requirements (§5.4), execution rate, focused-monitoring selection (§5.5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.rules.monitoring_review import (
    FocusCandidate,
    FocusRule,
    execution_rate,
    explanation_required,
    missing_explanation,
    select_focus,
)


@pytest.mark.parametrize(
    ("light", "possibility", "required"),
    [
        ("red", None, True),
        ("yellow", "确定能", True),
        ("green", None, False),
        ("blue", "确定能", False),
        (None, None, False),
        ("green", "有可能", True),
        (None, "完全不可能", True),
        ("green", "", False),
    ],
)
def test_explanation_required(light: str | None, possibility: str | None, required: bool) -> None:
    assert explanation_required(light, possibility) is required


def test_missing_explanation_names_every_empty_field() -> None:
    assert missing_explanation("green", "确定能", [], "", "", "") == []
    assert missing_explanation("red", None, [], "", "", "") == [
        "偏差原因",
        "全年预计完成值",
        "完成可能性",
        "纠偏措施",
    ]
    assert missing_explanation("yellow", "有可能", ["其他"], " ", "800", "加快进度") == ["其他原因说明"]
    assert missing_explanation("red", "有可能", ["经费保障", "其他"], "审批延迟", "800", "加快进度") == []


def test_execution_rate() -> None:
    assert execution_rate(0, 5) is None
    assert execution_rate(500_000, 180_000) == Decimal("36.00")
    assert execution_rate(3, 1) == Decimal("33.33")


def _c(
    key: int,
    wan: int,
    light: str | None = "green",
    sector: str = "教育",
    key_sector: bool = False,
    department: bool = False,
) -> FocusCandidate:
    return FocusCandidate(key, wan * 1_000_000, light, sector, key_sector, department)


def test_select_focus_default_rule() -> None:
    candidates = [
        _c(1, 50, "red"),
        _c(2, 29, "red"),
        _c(3, 300, "green", "农林水", True),
        _c(4, 200, "yellow", "农林水", True),
        _c(5, 100, "green", "农林水", True),
        *[_c(10 + i, 5) for i in range(10)],
        _c(100, 900, "green", department=True),
        _c(101, 500, "red", department=True),
    ]
    rule = FocusRule(key_sector_top_n=2, sample_percent=Decimal(20), department_count=1)
    chosen = dict(select_focus(candidates, rule, seed=7))
    assert chosen[1] == "red" and chosen[3] == chosen[4] == "key_sector" and 5 not in chosen
    assert chosen[101] == "department" and 100 not in chosen  # a red department-overall item first
    sampled = [k for k, r in chosen.items() if r == "sample"]
    assert len(sampled) == 2 and set(sampled) <= {2, 5, *range(10, 20)}
    assert select_focus(candidates, rule, seed=7) == sorted(chosen.items())  # the seed replays the draw


def test_select_focus_small_and_empty() -> None:
    assert select_focus([], FocusRule(), seed=1) == []
    rule = FocusRule(sample_percent=Decimal(100), department_count=0)
    assert select_focus([_c(1, 1), _c(2, 1, department=True)], rule, seed=1) == [(1, "sample")]
