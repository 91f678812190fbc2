"""Rule sets: every configurable number of domain.md §4 and §5.3 as data.

A rule set is a frozen dataclass read from JSON (``RuleSet.from_dict``) and written back with
``to_dict`` so the Django side can keep rule sets in the database. Shipped rule sets live in
``rulesets/*.json``; a file may ``"extends"`` another and override some keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Final, Literal, cast

from jixiao.rules.bands import Band, read_bands
from jixiao.rules.numbers import HUNDRED, ONE, ROUNDING_MODES, ZERO, fmt_plain, quantum
from jixiao.rules.validation import Problems, Reader, type_name
from jixiao.rules.values import json_number

DEFAULT_RULE_SET: Final = "national-default"
_NAME_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOP_KEYS: Final = (
    "name",
    "display_name",
    "convention",
    "budget_year",
    "weights",
    "grades",
    "reverse_variant",
    "rounding",
    "tolerance",
    "thresholds",
    "qualitative_bands",
    "execution",
    "lights",
    "recheck",
)

ReverseVariant = Literal["R1", "R2"]
ExecutionMethod = Literal["ratio", "bands"]


class UnknownRuleSetError(LookupError):
    """No rule set of that name; the message lists the available ones."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.available = available_rule_sets()
        super().__init__(f'未知规则集 "{name}"，可用的规则集：{"、".join(self.available)}')


@dataclass(frozen=True, slots=True)
class GradeBand:
    """Scores from ``minimum`` (inclusive) up to the next band's minimum earn ``grade``."""

    grade: str
    minimum: Decimal


@dataclass(frozen=True, slots=True)
class RuleSet:
    name: str
    display_name: str
    budget_year: int | None
    funds_weight: Decimal
    level1_weights: tuple[tuple[str, Decimal], ...]
    grade_bands: tuple[GradeBand, ...]
    reverse_variant: ReverseVariant
    rounding_places: int
    rounding_mode: str
    tolerance: Decimal
    overachievement_threshold: Decimal
    overachievement_zero_target: Decimal
    low_execution_threshold: Decimal
    consistency_threshold: Decimal
    unspent_share_threshold: Decimal
    qualitative_met_share: Decimal
    qualitative_partly_share: Decimal
    execution_method: ExecutionMethod
    execution_bands: tuple[Band, ...]
    execution_light_red_below: Decimal
    execution_light_yellow_below: Decimal
    execution_over_budget_red: bool
    progress_light_red_below: Decimal
    progress_light_yellow_below: Decimal
    progress_light_blue_from: Decimal
    recheck_excellent_max_delta: Decimal
    recheck_good_max_delta: Decimal
    recheck_fair_max_delta: Decimal
    recheck_replace_above: Decimal
    convention: str = ""  # how a checked table is told which convention it follows ("湖北省口径")

    # --- behaviour ---------------------------------------------------------------------------

    def round(self, value: Decimal) -> Decimal:
        """Round a score with the rule set's places and mode (domain.md §4: per indicator)."""
        return value.quantize(quantum(self.rounding_places), self.rounding_mode)  # round_to, one call less

    def grade(self, score: Decimal) -> str:
        """The grade of a score; bands are half-open [minimum, next minimum) (domain.md §4.6)."""
        for band in self.grade_bands:
            if score >= band.minimum:
                return band.grade
        return self.grade_bands[-1].grade

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(band.grade for band in self.grade_bands)

    @property
    def indicator_weight(self) -> Decimal:
        """Σ level-1 weights (90 by default)."""
        return sum((w for _, w in self.level1_weights), ZERO)

    def level1_weight(self, name: str) -> Decimal | None:
        return dict(self.level1_weights).get(name)

    # --- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """The JSON shape ``from_dict`` reads (always complete, never ``extends``)."""
        num = json_number
        return {
            "name": self.name,
            "display_name": self.display_name,
            "convention": self.convention,
            "budget_year": self.budget_year,
            "weights": {
                "funds": num(self.funds_weight),
                "level1": {k: num(v) for k, v in self.level1_weights},
            },
            "grades": [{"grade": b.grade, "min": num(b.minimum)} for b in self.grade_bands],
            "reverse_variant": self.reverse_variant,
            "rounding": {"places": self.rounding_places, "mode": self.rounding_mode},
            "tolerance": num(self.tolerance),
            "thresholds": {
                "overachievement": num(self.overachievement_threshold),
                "overachievement_zero_target": num(self.overachievement_zero_target),
                "low_execution": num(self.low_execution_threshold),
                "consistency": num(self.consistency_threshold),
                "unspent_share": num(self.unspent_share_threshold),
            },
            "qualitative_bands": {
                "met": num(self.qualitative_met_share),
                "partly": num(self.qualitative_partly_share),
            },
            "execution": {
                "method": self.execution_method,
                "bands": [b.to_dict() for b in self.execution_bands],
            },
            "lights": {
                "execution": {
                    "red_below": num(self.execution_light_red_below),
                    "yellow_below": num(self.execution_light_yellow_below),
                    "over_budget_red": self.execution_over_budget_red,
                },
                "progress": {
                    "red_below": num(self.progress_light_red_below),
                    "yellow_below": num(self.progress_light_yellow_below),
                    "blue_from": num(self.progress_light_blue_from),
                },
            },
            "recheck": {
                "excellent_max_delta": num(self.recheck_excellent_max_delta),
                "good_max_delta": num(self.recheck_good_max_delta),
                "fair_max_delta": num(self.recheck_fair_max_delta),
                "replace_above": num(self.recheck_replace_above),
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RuleSet:
        """Read and validate a rule set; raises DocumentError with every problem in Chinese.

        ``{"extends": "national-default", ...}`` starts from a shipped rule set and overrides keys.
        """
        problems = Problems("规则集")
        if not isinstance(data, Mapping):
            problems.add("", f"应为对象，实际为{type_name(data)}")
            problems.raise_if_any()
        merged = _resolve_extends(problems, dict(data))
        problems.raise_if_any()
        rule_set = _read_rule_set(problems, Reader(problems, merged))
        problems.raise_if_any()
        return cast(RuleSet, rule_set)


def _deep_merge(base: dict[str, object], override: Mapping[str, object]) -> dict[str, object]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _resolve_extends(problems: Problems, data: dict[str, object]) -> dict[str, object]:
    if "extends" not in data:
        return data
    parent = data.pop("extends")
    if not isinstance(parent, str) or parent not in available_rule_sets():
        problems.add("extends", f'字段 "extends" 应为已有规则集的名称（{"、".join(available_rule_sets())}）')
        return data
    return _deep_merge(get_rule_set(parent).to_dict(), data)


def _ordered(problems: Problems, key: str, values: list[Decimal | None], message: str) -> None:
    present = [v for v in values if v is not None]
    if len(present) == len(values) and any(a > b for a, b in pairwise(present)):
        problems.add(key, f'字段 "{key}" {message}')


def _read_rule_set(problems: Problems, r: Reader) -> RuleSet | None:
    r.reject_unknown(_TOP_KEYS)
    name = r.text("name")
    if name is not None and not _NAME_RE.match(name):
        problems.add("name", '字段 "name" 只能使用小写字母、数字和连字符，且以字母或数字开头')
    display_name = r.text("display_name")
    convention = r.text("convention", required=False)
    budget_year = r.integer("budget_year", nullable=True, low=1990, high=2100)
    funds, level1 = _read_weights(problems, r)
    grades = _read_grades(problems, r)
    reverse = r.choice("reverse_variant", ("R1", "R2"))
    places, mode = _read_rounding(r)
    tolerance = r.number("tolerance", minimum=ZERO)
    t = r.child("thresholds")
    q = r.child("qualitative_bands")
    e = r.child("execution")
    lights = r.child("lights")
    rc = r.child("recheck")
    if t is None or q is None or e is None or lights is None or rc is None:
        return None
    t.reject_unknown(
        ("overachievement", "overachievement_zero_target", "low_execution", "consistency", "unspent_share")
    )
    over = t.number("overachievement", minimum=ONE)
    over_zero = t.number("overachievement_zero_target", minimum=ZERO)
    low_exec = t.number("low_execution", minimum=ZERO, maximum=ONE)
    consistency = t.number("consistency", minimum=ZERO)
    unspent = t.number("unspent_share", minimum=ZERO, maximum=ONE)
    q.reject_unknown(("met", "partly"))
    met = q.number("met", minimum=ZERO, maximum=ONE)
    partly = q.number("partly", minimum=ZERO, maximum=ONE)
    _ordered(problems, "qualitative_bands", [partly, met], '中 "partly" 不能大于 "met"')
    e.reject_unknown(("method", "bands"))
    method = e.choice("method", ("ratio", "bands"))
    bands = read_bands(problems, e, "bands")
    if method == "bands" and not bands:
        problems.add("execution.bands", '字段 "execution.bands" 在 "method" 为 "bands" 时不能为空')
    el, pl = lights.child("execution"), lights.child("progress")
    lights.reject_unknown(("execution", "progress"))
    recheck = _read_recheck(problems, rc)
    if el is None or pl is None or recheck is None:
        return None
    el.reject_unknown(("red_below", "yellow_below", "over_budget_red"))
    pl.reject_unknown(("red_below", "yellow_below", "blue_from"))
    e_red, e_yellow = el.number("red_below", minimum=ZERO), el.number("yellow_below", minimum=ZERO)
    over_budget_red = el.boolean("over_budget_red")
    p_red, p_yellow = pl.number("red_below", minimum=ZERO), pl.number("yellow_below", minimum=ZERO)
    p_blue = pl.number("blue_from", minimum=ZERO)
    _ordered(problems, "lights.execution", [e_red, e_yellow], "中红灯阈值不能大于黄灯阈值")
    _ordered(problems, "lights.progress", [p_red, p_yellow, p_blue], "中阈值应满足 红 ≤ 黄 ≤ 蓝")
    if problems.errors:
        return None
    return RuleSet(
        name=cast(str, name),
        display_name=cast(str, display_name),
        budget_year=budget_year,
        funds_weight=cast(Decimal, funds),
        level1_weights=level1,
        grade_bands=grades,
        reverse_variant=cast(ReverseVariant, reverse),
        rounding_places=cast(int, places),
        rounding_mode=cast(str, mode),
        tolerance=cast(Decimal, tolerance),
        overachievement_threshold=cast(Decimal, over),
        overachievement_zero_target=cast(Decimal, over_zero),
        low_execution_threshold=cast(Decimal, low_exec),
        consistency_threshold=cast(Decimal, consistency),
        unspent_share_threshold=cast(Decimal, unspent),
        qualitative_met_share=cast(Decimal, met),
        qualitative_partly_share=cast(Decimal, partly),
        execution_method=cast(ExecutionMethod, method),
        execution_bands=bands,
        execution_light_red_below=cast(Decimal, e_red),
        execution_light_yellow_below=cast(Decimal, e_yellow),
        execution_over_budget_red=cast(bool, over_budget_red),
        progress_light_red_below=cast(Decimal, p_red),
        progress_light_yellow_below=cast(Decimal, p_yellow),
        progress_light_blue_from=cast(Decimal, p_blue),
        recheck_excellent_max_delta=recheck[0],
        recheck_good_max_delta=recheck[1],
        recheck_fair_max_delta=recheck[2],
        recheck_replace_above=recheck[3],
        convention=convention or cast(str, display_name),
    )


def _read_weights(problems: Problems, r: Reader) -> tuple[Decimal | None, tuple[tuple[str, Decimal], ...]]:
    w = r.child("weights")
    if w is None:
        return None, ()
    w.reject_unknown(("funds", "level1"))
    funds = w.number("funds", minimum=ZERO, maximum=HUNDRED)
    level1_reader = w.child("level1")
    level1: list[tuple[str, Decimal]] = []
    if level1_reader is not None:
        for key in level1_reader.obj:
            weight = level1_reader.number(key, minimum=ZERO, maximum=HUNDRED)
            if weight is not None:
                level1.append((key, weight))
        if not level1_reader.obj:
            problems.add("weights.level1", '字段 "weights.level1" 不能为空')
    total = sum((v for _, v in level1), funds or ZERO)
    if funds is not None and level1 and total != HUNDRED:
        problems.add(
            "weights", f'字段 "weights" 中资金分值与一级指标分值合计应为100，实际为{fmt_plain(total)}'
        )
    return funds, tuple(level1)


def _read_grades(problems: Problems, r: Reader) -> tuple[GradeBand, ...]:
    items = r.array("grades")
    bands: list[GradeBand] = []
    for index, raw in enumerate(items or []):
        item = r.item(index, raw, "grades")
        if item is None:
            continue
        item.reject_unknown(("grade", "min"))
        grade, minimum = item.text("grade"), item.number("min")
        if grade and minimum is not None:
            bands.append(GradeBand(grade, minimum))
        elif grade == "":
            problems.add(f"grades[{index}].grade", f'字段 "grades[{index}].grade" 不能为空')
    if items is not None and not items:
        problems.add("grades", '字段 "grades" 不能为空')
    mins = [b.minimum for b in bands]
    if any(a <= b for a, b in pairwise(mins)):
        problems.add("grades", '字段 "grades" 应按 "min" 从高到低排列且不重复')
    if len({b.grade for b in bands}) != len(bands):
        problems.add("grades", '字段 "grades" 中等级名称不能重复')
    return tuple(bands)


def _read_rounding(r: Reader) -> tuple[int | None, str | None]:
    rounding = r.child("rounding")
    if rounding is None:
        return None, None
    rounding.reject_unknown(("places", "mode"))
    return rounding.integer("places", low=0, high=6), rounding.choice("mode", ROUNDING_MODES)


def _read_recheck(problems: Problems, rc: Reader) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
    keys = ("excellent_max_delta", "good_max_delta", "fair_max_delta", "replace_above")
    rc.reject_unknown(keys)
    values = [rc.number(k, minimum=ZERO) for k in keys]
    _ordered(problems, "recheck", values[:3], "中阈值应满足 优 ≤ 良 ≤ 中")
    if any(v is None for v in values):
        return None
    a, b, c, d = (cast(Decimal, v) for v in values)
    return a, b, c, d


# --- registry --------------------------------------------------------------------------------------


def json_files(package: str) -> dict[str, str]:
    """The JSON files shipped in a package folder, by name without ".json" (rule sets, rubrics)."""
    folder = resources.files(package)
    return {
        entry.name.removesuffix(".json"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


@lru_cache(maxsize=1)
def _shipped() -> dict[str, str]:
    return _rule_set_files()


def _rule_set_files() -> dict[str, str]:
    return json_files("jixiao.rules.rulesets")


def available_rule_sets() -> tuple[str, ...]:
    """Names of the shipped rule sets, sorted."""
    return tuple(sorted(_shipped()))


def rule_set_label(name: str) -> str:
    """The Chinese name of a rule set shown to users; the stored name when it is not shipped."""
    try:
        return _load(name).display_name
    except UnknownRuleSetError:
        return name


def get_rule_set(name: str = DEFAULT_RULE_SET) -> RuleSet:
    """A shipped rule set by name; raises UnknownRuleSetError listing the available names."""
    return _load(name)


@lru_cache(maxsize=32)
def _load(name: str) -> RuleSet:
    text = _shipped().get(name)
    if text is None:
        raise UnknownRuleSetError(name)
    return RuleSet.from_dict(json.loads(text, parse_float=Decimal))
