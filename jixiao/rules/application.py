"""Result application (结果应用, domain.md §7.2): one project's (or department line's) evidence → the
proposed action and amount for the next budget year.

The rule set of each year is data (:class:`ApplicationRules`, read and written as a plain dict);
:func:`propose` applies it. Order of the rules, as the plan has them:

1. long-idle funds (1–9月 execution below ``idle_below`` % and unspent balances for ``idle_years``
   years, this year included) are recovered without exception (收回统筹);
2. otherwise the most authoritative result (key evaluation > re-check > accepted self-evaluation)
   gives the grade, and the grade's action and cut;
3. 中 is not cut when its rectification was accepted (closed) before budget review;
4. rectification not done by its deadline adds ``norect_extra`` %; a 差 with overdue rectification is
   cancelled; a cut of 100 % or more is a cancellation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PRIORITY, KEEP, RECTIFY_CUT, CUT, CANCEL, RECOVER = (
    "priority",
    "keep",
    "rectify_cut",
    "cut",
    "cancel",
    "recover",
)
ACTION_LABELS = {
    PRIORITY: "优先保障",
    KEEP: "保持",
    RECTIFY_CUT: "整改并压减",
    CUT: "压减或取消",
    CANCEL: "取消",
    RECOVER: "收回统筹",
}
GRADES = ("优", "良", "中", "差", "无效")
SOURCES = ("key_evaluation", "recheck", "self_evaluation")
SOURCE_LABELS = {"key_evaluation": "重点评价", "recheck": "复核", "self_evaluation": "自评"}
#: Rectification status of the line's findings.
RECT_NONE, RECT_OPEN, RECT_CLOSED, RECT_OVERDUE = "none", "open", "closed", "overdue"
RECT_LABELS = {
    RECT_NONE: "无整改事项",
    RECT_OPEN: "整改中",
    RECT_CLOSED: "已整改销号",
    RECT_OVERDUE: "逾期未整改",
}
HUNDRED = Decimal(100)


class RulesError(ValueError):
    """A rule set that cannot be used; ``problems`` names each field in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass(frozen=True)
class GradeRule:
    action: str
    cut: Decimal = Decimal(0)


DEFAULT_GRADE_RULES: dict[str, GradeRule] = {
    "优": GradeRule(PRIORITY),
    "良": GradeRule(KEEP),
    "中": GradeRule(RECTIFY_CUT, Decimal(10)),
    "差": GradeRule(CUT, Decimal(30)),
    "无效": GradeRule(CANCEL, HUNDRED),
}
#: The §7.2 numbers no source gives: shown as placeholders until the year's 预算编制指南 sets them.
PLACEHOLDERS = frozenset({"中", "差", "norect_extra", "idle_below", "idle_years"})


@dataclass(frozen=True)
class ApplicationRules:
    grades: Mapping[str, GradeRule] = field(default_factory=lambda: dict(DEFAULT_GRADE_RULES))
    norect_extra: Decimal = Decimal(10)
    cancel_poor_overdue: bool = True
    idle_below: Decimal = Decimal(30)
    idle_years: int = 2
    authority: tuple[str, ...] = SOURCES

    def placeholders(self) -> frozenset[str]:
        """The §7.2 placeholder values still unchanged (the form and the board show them as such)."""
        default = ApplicationRules()
        current = {
            "norect_extra": self.norect_extra,
            "idle_below": self.idle_below,
            "idle_years": self.idle_years,
        }
        before = {
            "norect_extra": default.norect_extra,
            "idle_below": default.idle_below,
            "idle_years": default.idle_years,
        }
        same = {name for name in current if current[name] == before[name]}
        same |= {g for g in ("中", "差") if self.grades.get(g) == default.grades[g]}
        return frozenset(same & PLACEHOLDERS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grades": {g: {"action": r.action, "cut": str(r.cut)} for g, r in self.grades.items()},
            "norect_extra": str(self.norect_extra),
            "cancel_poor_overdue": self.cancel_poor_overdue,
            "idle_below": str(self.idle_below),
            "idle_years": self.idle_years,
            "authority": list(self.authority),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ApplicationRules:
        """Read a stored rule set; every problem is named (field and value) in Chinese."""
        problems: list[str] = []
        grades: dict[str, GradeRule] = {}
        raw_grades = data.get("grades") or {}
        for grade in GRADES:
            raw = raw_grades.get(grade)
            if not isinstance(raw, Mapping):
                problems.append(f"缺少等级“{grade}”的处理规则")
                continue
            action = raw.get("action")
            if action not in ACTION_LABELS or action == RECOVER:
                problems.append(f"等级“{grade}”的处理方式“{action}”不可用")
                continue
            cut = _percent(raw.get("cut", 0), f"等级“{grade}”的压减比例", problems)
            grades[grade] = GradeRule(action, cut)
        extra = _percent(data.get("norect_extra", 0), "逾期未整改另行压减比例", problems)
        idle_below = _percent(data.get("idle_below", 0), "闲置资金执行率标准", problems)
        idle_years = data.get("idle_years")
        if not isinstance(idle_years, int) or isinstance(idle_years, bool) or not 1 <= idle_years <= 5:
            problems.append(f"连续结余年数“{idle_years}”应为1至5的整数")
            idle_years = 2
        authority = tuple(data.get("authority") or ())
        if sorted(authority) != sorted(SOURCES):
            problems.append("结果权威顺序须包含重点评价、复核、自评各一次")
        if problems:
            raise RulesError(problems)
        return cls(
            grades=grades,
            norect_extra=extra,
            cancel_poor_overdue=bool(data.get("cancel_poor_overdue", True)),
            idle_below=idle_below,
            idle_years=idle_years,
            authority=authority,
        )


def _percent(value: Any, label: str, problems: list[str]) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        problems.append(f"{label}“{value}”不是数字")
        return Decimal(0)
    if not number.is_finite() or not 0 <= number <= 100:
        problems.append(f"{label}“{value}”应在0至100之间")
        return Decimal(0)
    return number


@dataclass(frozen=True)
class Evidence:
    """What the board knows of one line (a project or a department's overall spending)."""

    base_fen: int
    key_grade: str = ""
    recheck_grade: str = ""
    self_grade: str = ""
    self_accepted: bool = False
    rectification: str = RECT_NONE
    execution_rate: Decimal | None = None  # 1–9月 monitoring, %
    unspent_prior_years: int = 0  # consecutive earlier years that ended with an unspent balance


@dataclass(frozen=True)
class Proposal:
    action: str
    cut: Decimal
    proposed_fen: int
    grade: str
    source: str
    rule: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


def result(rules: ApplicationRules, ev: Evidence) -> tuple[str, str]:
    """(grade, source) of the most authoritative result; ("", "") when there is none."""
    grades = {
        "key_evaluation": ev.key_grade,
        "recheck": ev.recheck_grade,
        "self_evaluation": ev.self_grade if ev.self_accepted else "",
    }
    for source in rules.authority:
        if grades[source]:
            return grades[source], source
    return "", ""


def is_idle(rules: ApplicationRules, ev: Evidence) -> bool:
    if ev.execution_rate is None or ev.execution_rate >= rules.idle_below:
        return False
    return ev.unspent_prior_years + 1 >= rules.idle_years


def amount_after_cut(base_fen: int, cut: Decimal) -> int:
    """base × (100 − cut) / 100, rounded half up to the 分."""
    return int((Decimal(base_fen) * (HUNDRED - cut) / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def propose(rules: ApplicationRules, ev: Evidence) -> Proposal:
    """The proposal for the next budget year and the rule that gave it (in Chinese)."""
    if is_idle(rules, ev):
        rate = f"{ev.execution_rate:.2f}".rstrip("0").rstrip(".")
        return Proposal(
            RECOVER,
            HUNDRED,
            0,
            "",
            "",
            f"1-9月执行率{rate}%低于{rules.idle_below.normalize():f}%且连续{ev.unspent_prior_years + 1}年结余：收回统筹",
        )
    grade, source = result(rules, ev)
    if not grade:
        reason = "无评价结果：按预算评审安排"
        action, cut = KEEP, Decimal(0)
    else:
        rule = rules.grades[grade]
        action, cut = rule.action, rule.cut
        reason = f"{SOURCE_LABELS[source]}等级“{grade}”：{ACTION_LABELS[action]}"
        if cut and action != CANCEL:
            reason += f"{cut.normalize():f}%"
    if grade == "中" and ev.rectification == RECT_CLOSED and action == RECTIFY_CUT:
        cut = Decimal(0)
        reason += "；整改已在预算评审前销号，不压减"
    if ev.rectification == RECT_OVERDUE:
        if grade == "差" and rules.cancel_poor_overdue:
            action, cut = CANCEL, HUNDRED
            reason += "；整改逾期未完成：取消"
        elif rules.norect_extra:
            cut = cut + rules.norect_extra
            action = action if action in (RECTIFY_CUT, CUT, CANCEL) else CUT
            reason += f"；整改逾期未完成：另压减{rules.norect_extra.normalize():f}%"
    if cut >= HUNDRED:
        action, cut = CANCEL, HUNDRED
    return Proposal(
        action, cut, 0 if action == CANCEL else amount_after_cut(ev.base_fen, cut), grade, source, reason
    )
