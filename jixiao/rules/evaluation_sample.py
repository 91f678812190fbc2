"""Re-check sample selection (domain.md §4.12, §2.10): an editable rule picks the self-evaluations
that are always re-checked, then a seeded random draw adds a share of the rest. The same seed and
candidates always give the same sample, so the draw can be recorded and repeated."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from jixiao.rules.numbers import fmt_plain
from jixiao.rules.validation import Problems, Reader

DEFAULT_SAMPLE_RULE: Final[dict[str, object]] = {
    "always_from_wan": 100,
    "always_grades": ["优"],
    "random_share": 0.1,
    "random_minimum": 3,
}


@dataclass(frozen=True, slots=True)
class SampleCandidate:
    key: int
    budget_wan: Decimal
    grade: str | None
    sector: str = ""


@dataclass(frozen=True, slots=True)
class SampleRule:
    """Always re-check tables of at least ``always_from_wan`` 万元 or with a grade in
    ``always_grades`` (or in ``always_sectors``); draw ``random_share`` of the rest (at least
    ``random_minimum``)."""

    always_from_wan: Decimal | None = None
    always_grades: tuple[str, ...] = ()
    always_sectors: tuple[str, ...] = ()
    random_share: Decimal = Decimal("0.1")
    random_minimum: int = 0

    def always(self, c: SampleCandidate) -> bool:
        big = self.always_from_wan is not None and c.budget_wan >= self.always_from_wan
        return big or c.grade in self.always_grades or c.sector in self.always_sectors


@dataclass(frozen=True, slots=True)
class Sample:
    seed: int
    by_rule: tuple[int, ...]
    drawn: tuple[int, ...]
    reasons: Mapping[int, str] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[int, ...]:
        return self.by_rule + self.drawn


def read_sample_rule(data: Mapping[str, object]) -> tuple[SampleRule | None, tuple[str, ...]]:
    """Read a rule stored as JSON; returns (rule, Chinese problems naming the key)."""
    problems = Problems()
    r = Reader(problems, dict(data))
    r.reject_unknown(("always_from_wan", "always_grades", "always_sectors", "random_share", "random_minimum"))
    big = r.number("always_from_wan", required=False, nullable=True, minimum=Decimal(0))
    grades = _texts(r, "always_grades")
    sectors = _texts(r, "always_sectors")
    share = r.number("random_share", required=False, minimum=Decimal(0))
    minimum = r.integer("random_minimum", required=False, low=0, high=100000)
    if share is not None and share > 1:
        problems.add("random_share", '字段 "random_share"（随机抽取比例）应在 0 到 1 之间')
    if problems.errors:
        return None, tuple(e.message for e in problems.errors)
    rule = SampleRule(big, grades, sectors, Decimal("0.1") if share is None else share, minimum or 0)
    return rule, ()


def describe_sample_rule(rule: SampleRule) -> str:
    """The rule in words, as every page shows it: "100万元以上必抽；等级为优的必抽；随机抽取其余的10%（至少3项）"."""
    parts = []
    if rule.always_from_wan is not None:
        parts.append(f"{fmt_plain(rule.always_from_wan)}万元以上必抽")
    if rule.always_grades:
        parts.append(f"等级为{'、'.join(rule.always_grades)}的必抽")
    if rule.always_sectors:
        parts.append(f"{'、'.join(rule.always_sectors)}行业必抽")
    minimum = f"（至少{rule.random_minimum}项）" if rule.random_minimum else ""
    parts.append(f"随机抽取其余的{fmt_plain(rule.random_share * 100)}%{minimum}")
    return "；".join(parts)


def _texts(r: Reader, key: str) -> tuple[str, ...]:
    items = r.array(key, required=False) or []
    out = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            out.append(item)
        else:
            r.problems.add(f"{key}[{index}]", f'字段 "{key}[{index}]" 应为文本')
    return tuple(out)


def select_sample(candidates: Sequence[SampleCandidate], rule: SampleRule, seed: int) -> Sample:
    """By rule first (in candidate order), then a seeded draw of ⌈share × rest⌉ (≥ minimum) of the rest."""
    by_rule = tuple(c.key for c in candidates if rule.always(c))
    chosen = set(by_rule)
    rest = sorted(c.key for c in candidates if c.key not in chosen)
    wanted = max(math.ceil(rule.random_share * len(rest)), rule.random_minimum)
    drawn = tuple(sorted(random.Random(seed).sample(rest, min(wanted, len(rest)))))
    reasons = {k: "规则必抽" for k in by_rule} | {k: "随机抽取" for k in drawn}
    return Sample(seed, by_rule, drawn, reasons)
