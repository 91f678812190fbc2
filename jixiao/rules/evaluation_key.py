"""Key-evaluation scoring (domain.md §4.11, §6.4): scores by the agency and experts per indicator,
the level sums, total and grade; and the agency conflict-of-interest window."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jixiao.rules.numbers import ZERO, fmt_plain
from jixiao.rules.ruleset import RuleSet
from jixiao.rules.scoring import LevelScore, aggregate


@dataclass(frozen=True, slots=True)
class FrameworkRow:
    """One level-3 indicator of an evaluation framework with the scores its raters gave."""

    level1: str
    level2: str
    name: str
    weight: Decimal
    scores: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyEvaluationScore:
    rows: tuple[Decimal | None, ...]
    levels: tuple[LevelScore, ...]
    total: Decimal | None
    grade: str | None
    errors: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.total is not None


def framework_weights(rows: Iterable[FrameworkRow]) -> dict[str, Decimal]:
    """Σ weight per level-1 name, in order of first appearance (for ``check_framework_weights``)."""
    weights: dict[str, Decimal] = {}
    for row in rows:
        weights[row.level1] = weights.get(row.level1, ZERO) + row.weight
    return weights


def combine_scores(row: FrameworkRow, rule_set: RuleSet) -> Decimal | None:
    """The indicator's score: the mean of its raters' scores, rounded per indicator; None unscored."""
    if not row.scores:
        return None
    return rule_set.round(sum(row.scores, ZERO) / len(row.scores))


def _row_errors(index: int, row: FrameworkRow) -> list[str]:
    bad = [s for s in row.scores if s < 0 or s > row.weight]
    if not bad:
        return []
    return [f"第{index + 1}行指标「{row.name}」的评分 {fmt_plain(bad[0])} 超出 0～{fmt_plain(row.weight)} 分"]


def score_framework(rows: Sequence[FrameworkRow], rule_set: RuleSet) -> KeyEvaluationScore:
    """Level sums of every indicator; the total and grade once every indicator is scored validly."""
    errors = [e for i, row in enumerate(rows) for e in _row_errors(i, row)]
    scores = tuple(combine_scores(row, rule_set) for row in rows)
    levels = aggregate((r.level1, r.level2, r.weight, s or ZERO) for r, s in zip(rows, scores, strict=True))
    if errors or not rows or any(s is None for s in scores):
        return KeyEvaluationScore(scores, levels, None, None, tuple(errors))
    total = sum((s for s in scores if s is not None), ZERO)
    return KeyEvaluationScore(scores, levels, total, rule_set.grade(total), ())


def agency_conflict(service_years: Iterable[int], evaluation_year: int, window_years: int) -> int | None:
    """The latest year within ``window_years`` before (or in) ``evaluation_year`` in which the agency
    served the unit; None when there is no conflict (domain.md §6.4)."""
    recent = [y for y in service_years if evaluation_year - window_years <= y <= evaluation_year]
    return max(recent) if recent else None
