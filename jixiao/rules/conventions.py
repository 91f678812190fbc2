"""Which local convention a self-evaluation table follows (issue 18 item 2).

Tables from other localities follow their own rule sets: a funds block worth 20, scores rounded to
whole numbers, banded execution scores, other grade bands. ``detect_convention(table)`` compares the
table with every shipped rule set:

1. what the table prints: a funds weight, or level-1 weight sums, that a local rule set declares and
   the national default does not ("本表资金执行率分值为20分，按湖北省口径检查");
2. otherwise its claimed scores: a local rule set under which strictly fewer of the table's numbers
   are wrong than under the default, and fewer than under any other local rule set.

``check_detected(doc)`` checks the table under the convention found and says which one it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from jixiao.rules.checker import CheckResult, check_parsed, check_table, resolve_rule_set
from jixiao.rules.numbers import ZERO, fmt_plain
from jixiao.rules.overall import SCORE_SHEET_KIND, SheetResult, check_score_sheet
from jixiao.rules.ruleset import DEFAULT_RULE_SET, RuleSet, available_rule_sets, get_rule_set
from jixiao.rules.table import SelfEvalTable, parse_table
from jixiao.rules.validation import DocumentError


@dataclass(frozen=True, slots=True)
class Convention:
    rule_set: RuleSet
    message: str | None  # None: the table fits the default


def _variants(default: RuleSet) -> list[RuleSet]:
    return [get_rule_set(n) for n in available_rule_sets() if n != default.name]


def level1_sums(table: SelfEvalTable) -> dict[str, Decimal] | None:
    """Σ weight per level-1 block when every row prints its weight; None otherwise."""
    sums: dict[str, Decimal] = {}
    for row in table.indicators:
        if row.weight is None:
            return None
        sums[row.level1] = sums.get(row.level1, ZERO) + row.weight
    return sums


def _printed(table: SelfEvalTable, default: RuleSet, variants: Iterable[RuleSet]) -> Convention | None:
    weight = table.funds.weight
    if weight is not None and weight != default.funds_weight:
        for rules in variants:
            if rules.funds_weight == weight:
                return Convention(
                    rules, f"本表资金执行率分值为{fmt_plain(weight)}分，按{rules.convention}检查"
                )
    sums = level1_sums(table)
    if sums and sums != dict(default.level1_weights):
        for rules in variants:
            if sums == dict(rules.level1_weights):
                blocks = "、".join(f"{k}{fmt_plain(v)}分" for k, v in sums.items())
                return Convention(rules, f"本表一级指标分值为{blocks}，按{rules.convention}检查")
    return None


def _errors(table: SelfEvalTable, rules: RuleSet) -> int:
    return sum(1 for f in check_parsed(table, rules).findings if f.severity == "error")


def detect_convention(table: SelfEvalTable, default: RuleSet | str | None = None) -> Convention:
    """The rule set the table follows; the default when nothing points elsewhere."""
    base = resolve_rule_set(default)
    variants = _variants(base)
    printed = _printed(table, base, variants)
    if printed is not None:
        return printed
    base_errors = _errors(table, base)
    if base_errors == 0:
        return Convention(base, None)
    scored = sorted(((_errors(table, rules), rules.name, rules) for rules in variants), key=lambda t: t[:2])
    best_errors, _, best = scored[0]
    runner_up = next((errors for errors, _, _ in scored[1:]), None)
    if best_errors < base_errors and best_errors != runner_up:
        return Convention(
            best,
            f"本表填报得分按{best.convention}计算时不一致之处最少（{best_errors}处，"
            f"按{base.convention}有{base_errors}处），按{best.convention}检查",
        )
    return Convention(base, None)


def check_detected(doc: object, default: RuleSet | str | None = None) -> CheckResult:
    """Check a decoded document under the convention it follows; never raises."""
    base = resolve_rule_set(default or DEFAULT_RULE_SET)
    try:
        table = parse_table(doc)
    except DocumentError as exc:
        return CheckResult(base.name, errors=exc.errors)
    convention = detect_convention(table, base)
    return replace(check_parsed(table, convention.rule_set), convention=convention.message)


def check_document(doc: object, rule_set: RuleSet | None) -> CheckResult | SheetResult:
    """A decoded document (or the DocumentError decoding it raised) checked by the checker of its
    kind: the project table under the given rule set or the convention it follows, the
    department-overall score sheet under its rubric."""
    if isinstance(doc, DocumentError):
        return CheckResult(rule_set.name if rule_set else DEFAULT_RULE_SET, errors=doc.errors)
    if isinstance(doc, dict) and doc.get("kind") == SCORE_SHEET_KIND:
        return check_score_sheet(doc, rule_set=rule_set)
    return check_detected(doc) if rule_set is None else check_table(doc, rule_set)
