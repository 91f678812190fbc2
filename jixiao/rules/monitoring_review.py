"""Monitoring review rules (domain.md §5.4, §5.5): when a row needs a deviation analysis, the
execution rate, and the focused-monitoring selection rule.

- ``explanation_required``: a red or yellow light, or a completion possibility other than
  "确定能", requires reasons, a forecast, the possibility and a corrective plan.
- ``execution_rate``: 执行率 = 执行数 / 调整后预算数 × 100, two decimals.
- ``select_focus``: red items at or above a budget threshold, the N largest of each key
  sector, a seeded random sample of a share of the rest, and department-overall items.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from jixiao.rules.numbers import HUNDRED, round_to

CERTAIN: Final = "确定能"
POSSIBILITIES: Final = ("确定能", "有可能", "完全不可能")
REASONS: Final = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
WARNING_LIGHTS: Final = frozenset({"red", "yellow"})

FocusReason = Literal["red", "key_sector", "sample", "department"]
FOCUS_REASON_LABELS: Final[dict[str, str]] = {
    "red": "红灯且达到金额标准",
    "key_sector": "重点行业金额较大",
    "sample": "随机抽取",
    "department": "部门整体支出",
    "manual": "人工选取",
}


def explanation_required(light: str | None, possibility: str | None) -> bool:
    """§5.4: red or yellow rows, and rows whose possibility is not "确定能", need an analysis."""
    if light in WARNING_LIGHTS:
        return True
    return bool(possibility) and possibility != CERTAIN


def missing_explanation(
    light: str | None,
    possibility: str | None,
    reasons: Sequence[str],
    other_reason: str,
    forecast: str,
    plan: str,
) -> list[str]:
    """The names of the required analysis fields left empty (empty when none is required)."""
    if not explanation_required(light, possibility):
        return []
    missing = []
    if not reasons:
        missing.append("偏差原因")
    elif "其他" in reasons and not other_reason.strip():
        missing.append("其他原因说明")
    if not forecast.strip():
        missing.append("全年预计完成值")
    if not possibility:
        missing.append("完成可能性")
    if not plan.strip():
        missing.append("纠偏措施")
    return missing


def execution_rate(budget_fen: int, executed_fen: int) -> Decimal | None:
    """执行率 in percent, two decimals; None when there is no budget."""
    if budget_fen <= 0:
        return None
    return round_to(Decimal(executed_fen) / Decimal(budget_fen) * HUNDRED, 2, "ROUND_HALF_UP")


@dataclass(frozen=True, slots=True)
class FocusCandidate:
    """One monitored item: a project (``is_department`` False) or a department-overall form."""

    key: int
    budget_fen: int
    light: str | None
    sector: str
    is_key_sector: bool
    is_department: bool = False


@dataclass(frozen=True, slots=True)
class FocusRule:
    red_min_budget_fen: int = 30_000_000
    key_sector_top_n: int = 3
    sample_percent: Decimal = Decimal(10)
    department_count: int = 1


def select_focus(
    candidates: Iterable[FocusCandidate], rule: FocusRule, seed: int
) -> list[tuple[int, FocusReason]]:
    """The focused-monitoring list: each chosen key once, with the first reason that chose it."""
    items = sorted(candidates, key=lambda c: (-c.budget_fen, c.key))
    chosen: dict[int, FocusReason] = {}
    projects = [c for c in items if not c.is_department]
    for c in projects:
        if c.light == "red" and c.budget_fen >= rule.red_min_budget_fen:
            chosen[c.key] = "red"
    per_sector: dict[str, int] = {}
    for c in projects:
        if c.is_key_sector and c.key not in chosen and per_sector.get(c.sector, 0) < rule.key_sector_top_n:
            per_sector[c.sector] = per_sector.get(c.sector, 0) + 1
            chosen[c.key] = "key_sector"
    rest = sorted(c.key for c in projects if c.key not in chosen)
    size = int(round_to(Decimal(len(rest)) * rule.sample_percent / HUNDRED, 0, "ROUND_HALF_UP"))
    for key in random.Random(seed).sample(rest, min(size, len(rest))):
        chosen[key] = "sample"
    departments = [c for c in items if c.is_department]
    departments.sort(key=lambda c: (c.light != "red", -c.budget_fen, c.key))
    for c in departments[: rule.department_count]:
        chosen[c.key] = "department"
    return sorted(chosen.items())
