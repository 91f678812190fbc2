"""Key evaluation (domain.md §4.11) and the re-check of self-evaluation quality (§4.12)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from jixiao.rules.numbers import HUNDRED, ZERO, fmt_plain
from jixiao.rules.ruleset import RuleSet

OUTPUT_AND_BENEFIT_MINIMUM: Final = Decimal(60)
OUTPUT_PREFIX: Final = "产出"
BENEFIT_PREFIX: Final = "效益"

QualityGrade = Literal["优", "良", "中", "差"]


def check_framework_weights(weights: Mapping[str, Decimal]) -> tuple[str, ...]:
    """Level-1 weights of a key-evaluation framework (决策/过程/产出/效益); Chinese errors, empty if fine.

    They must total 100, and 产出 + 效益 ≥ 60 (财预〔2020〕10号, domain.md §3.4 / §4.11).
    """
    errors: list[str] = []
    total = sum(weights.values(), ZERO)
    if total != HUNDRED:
        errors.append(f"一级指标权重合计应为100，当前为{fmt_plain(total)}")
    results = sum(
        (w for name, w in weights.items() if name.startswith((OUTPUT_PREFIX, BENEFIT_PREFIX))), ZERO
    )
    if results < OUTPUT_AND_BENEFIT_MINIMUM:
        errors.append(f"产出和效益指标权重合计应不低于60（财预〔2020〕10号），当前为{fmt_plain(results)}")
    return tuple(errors)


@dataclass(frozen=True, slots=True)
class RecheckResult:
    """Δ = S_self − S_re, the quality grade of the self-evaluation, and which score counts."""

    rule_set: str
    self_score: Decimal
    recheck_score: Decimal
    delta: Decimal
    self_grade: str
    recheck_grade: str
    grade_steps: int
    quality: QualityGrade
    replaces_self_score: bool

    @property
    def effective_score(self) -> Decimal:
        """The score result application uses: the re-check score when it replaces the self score."""
        return self.recheck_score if self.replaces_self_score else self.self_score


def recheck_quality(
    self_score: Decimal,
    recheck_score: Decimal,
    rule_set: RuleSet,
    *,
    documentation_complete: bool = True,
    evidence_false: bool = False,
) -> RecheckResult:
    """domain.md §4.12: 优 |Δ| ≤ 5, grade unchanged, documents complete; 良 |Δ| ≤ 10, grade unchanged;
    中 |Δ| ≤ 15 or the grade moved one step; 差 otherwise or false evidence. The re-check score
    replaces the self score when |Δ| exceeds the rule set's threshold (10)."""
    delta = self_score - recheck_score
    size = abs(delta)
    self_grade, recheck_grade = rule_set.grade(self_score), rule_set.grade(recheck_score)
    steps = abs(rule_set.grades.index(self_grade) - rule_set.grades.index(recheck_grade))
    quality: QualityGrade
    if evidence_false:
        quality = "差"
    elif size <= rule_set.recheck_excellent_max_delta and steps == 0 and documentation_complete:
        quality = "优"
    elif size <= rule_set.recheck_good_max_delta and steps == 0:
        quality = "良"
    elif size <= rule_set.recheck_fair_max_delta or steps == 1:
        quality = "中"
    else:
        quality = "差"
    return RecheckResult(
        rule_set=rule_set.name,
        self_score=self_score,
        recheck_score=recheck_score,
        delta=delta,
        self_grade=self_grade,
        recheck_grade=recheck_grade,
        grade_steps=steps,
        quality=quality,
        replaces_self_score=size > rule_set.recheck_replace_above,
    )
