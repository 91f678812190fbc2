"""Result application rules (domain.md §7.2) on a table of cases: each grade × rectification status ×
idle or not × result source, with the default (placeholder) rule set; then the rule set as data."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from jixiao.rules.application import (
    CANCEL,
    CUT,
    KEEP,
    PRIORITY,
    RECOVER,
    RECT_CLOSED,
    RECT_NONE,
    RECT_OPEN,
    RECT_OVERDUE,
    RECTIFY_CUT,
    ApplicationRules,
    Evidence,
    GradeRule,
    RulesError,
    amount_after_cut,
    is_idle,
    propose,
    result,
)

BASE = 1_000_000  # 1万元 in 分
D = Decimal

# grade × rectification → (action, cut %) with the defaults 中 10 %, 差 30 %, overdue +10 %.
TABLE = {
    ("优", RECT_NONE): (PRIORITY, 0),
    ("优", RECT_OPEN): (PRIORITY, 0),
    ("优", RECT_CLOSED): (PRIORITY, 0),
    ("优", RECT_OVERDUE): (CUT, 10),
    ("良", RECT_NONE): (KEEP, 0),
    ("良", RECT_OPEN): (KEEP, 0),
    ("良", RECT_CLOSED): (KEEP, 0),
    ("良", RECT_OVERDUE): (CUT, 10),
    ("中", RECT_NONE): (RECTIFY_CUT, 10),
    ("中", RECT_OPEN): (RECTIFY_CUT, 10),
    ("中", RECT_CLOSED): (RECTIFY_CUT, 0),
    ("中", RECT_OVERDUE): (RECTIFY_CUT, 20),
    ("差", RECT_NONE): (CUT, 30),
    ("差", RECT_OPEN): (CUT, 30),
    ("差", RECT_CLOSED): (CUT, 30),
    ("差", RECT_OVERDUE): (CANCEL, 100),
    ("无效", RECT_NONE): (CANCEL, 100),
    ("无效", RECT_OPEN): (CANCEL, 100),
    ("无效", RECT_CLOSED): (CANCEL, 100),
    ("无效", RECT_OVERDUE): (CANCEL, 100),
    ("", RECT_NONE): (KEEP, 0),
    ("", RECT_OPEN): (KEEP, 0),
    ("", RECT_CLOSED): (KEEP, 0),
    ("", RECT_OVERDUE): (CUT, 10),
}
AMOUNTS = {0: BASE, 10: 900_000, 20: 800_000, 30: 700_000, 100: 0}
# Where the grade comes from: (evidence fields, source the rule must name; self not accepted counts as no result)
SOURCES = {
    "key": ({"key_grade"}, "key_evaluation"),
    "recheck": ({"recheck_grade"}, "recheck"),
    "self_accepted": ({"self_grade"}, "self_evaluation"),
    "self_not_accepted": ({"self_grade"}, ""),
}


def evidence(grade: str, rect: str, idle: bool, source: str) -> Evidence:
    fields, _ = SOURCES[source]
    grades = {f: grade for f in fields}
    return Evidence(
        base_fen=BASE,
        rectification=rect,
        self_accepted=source == "self_accepted",
        execution_rate=D("12.5") if idle else D("68"),
        unspent_prior_years=1,
        **grades,
    )


@pytest.mark.parametrize(
    ("grade", "rect", "idle", "source"),
    list(
        itertools.product(
            ("优", "良", "中", "差", "无效"),
            (RECT_NONE, RECT_OPEN, RECT_CLOSED, RECT_OVERDUE),
            (False, True),
            tuple(SOURCES),
        )
    ),
)
def test_table_of_cases(grade: str, rect: str, idle: bool, source: str) -> None:
    proposal = propose(ApplicationRules(), evidence(grade, rect, idle, source))
    if idle:
        assert (proposal.action, proposal.proposed_fen) == (RECOVER, 0)
        assert proposal.rule == "1-9月执行率12.5%低于30%且连续2年结余：收回统筹"
        return
    effective, named = (grade, SOURCES[source][1]) if SOURCES[source][1] else ("", "")
    action, cut = TABLE[(effective, rect)]
    assert (proposal.action, proposal.cut, proposal.proposed_fen) == (action, D(cut), AMOUNTS[cut])
    assert (proposal.grade, proposal.source) == (effective, named)


def test_rules_read_like_the_plan() -> None:
    rules = ApplicationRules()
    poor = propose(
        rules, Evidence(BASE, key_grade="差", self_grade="优", self_accepted=True, rectification=RECT_OVERDUE)
    )
    assert (
        poor.rule == "重点评价等级“差”：压减或取消30%；整改逾期未完成：取消" and poor.action_label == "取消"
    )
    mid = propose(rules, Evidence(BASE, recheck_grade="中", rectification=RECT_CLOSED))
    assert mid.rule == "复核等级“中”：整改并压减10%；整改已在预算评审前销号，不压减"
    good = propose(rules, Evidence(BASE, self_grade="良", self_accepted=True, rectification=RECT_OVERDUE))
    assert good.rule == "自评等级“良”：保持；整改逾期未完成：另压减10%"
    assert propose(rules, Evidence(BASE)).rule == "无评价结果：按预算评审安排"
    assert propose(rules, Evidence(BASE, key_grade="无效")).rule == "重点评价等级“无效”：取消"


def test_authority_order_is_data() -> None:
    ev = Evidence(BASE, key_grade="差", recheck_grade="良", self_grade="优", self_accepted=True)
    assert result(ApplicationRules(), ev) == ("差", "key_evaluation")
    recheck_first = ApplicationRules(authority=("recheck", "key_evaluation", "self_evaluation"))
    assert result(recheck_first, ev) == ("良", "recheck")


def test_idle_needs_low_execution_and_enough_years() -> None:
    rules = ApplicationRules()
    assert not is_idle(rules, Evidence(BASE, execution_rate=None, unspent_prior_years=3))
    assert not is_idle(rules, Evidence(BASE, execution_rate=D(30), unspent_prior_years=3))  # not below 30 %
    assert not is_idle(rules, Evidence(BASE, execution_rate=D(5), unspent_prior_years=0))  # one year only
    assert is_idle(rules, Evidence(BASE, execution_rate=D("29.99"), unspent_prior_years=1))
    assert is_idle(ApplicationRules(idle_years=1), Evidence(BASE, execution_rate=D(5)))


def test_options_change_the_outcome() -> None:
    no_extra = ApplicationRules(norect_extra=D(0))
    assert propose(no_extra, Evidence(BASE, key_grade="优", rectification=RECT_OVERDUE)).action == PRIORITY
    keep_poor = ApplicationRules(cancel_poor_overdue=False)
    cut = propose(keep_poor, Evidence(BASE, key_grade="差", rectification=RECT_OVERDUE))
    assert (cut.action, cut.cut, cut.proposed_fen) == (CUT, D(40), 600_000)
    heavy = ApplicationRules(grades={**ApplicationRules().grades, "差": GradeRule(CUT, D(95))})
    assert propose(heavy, Evidence(BASE, key_grade="差", rectification=RECT_OVERDUE)).action == CANCEL
    assert (
        propose(
            ApplicationRules(cancel_poor_overdue=False, grades=heavy.grades),
            Evidence(BASE, key_grade="差", rectification=RECT_OVERDUE),
        ).proposed_fen
        == 0
    )  # 105 % → 取消


def test_amounts_round_half_up_to_the_fen() -> None:
    assert amount_after_cut(15, D(10)) == 14  # 13.5 → 14
    assert amount_after_cut(1_234_567, D("12.5")) == 1_080_246  # 1080246.125
    assert amount_after_cut(BASE, D(0)) == BASE


def test_rule_set_round_trips_and_shows_placeholders() -> None:
    rules = ApplicationRules()
    assert ApplicationRules.from_dict(rules.to_dict()) == rules
    assert rules.placeholders() == {"中", "差", "norect_extra", "idle_below", "idle_years"}
    data = rules.to_dict() | {"norect_extra": "15", "idle_years": 3}
    data["grades"] = {**data["grades"], "中": {"action": "rectify_cut", "cut": "12"}}
    changed = ApplicationRules.from_dict(data)
    assert changed.placeholders() == {"差", "idle_below"}
    assert changed.grades["中"] == GradeRule(RECTIFY_CUT, D(12)) and changed.idle_years == 3


def test_bad_rule_sets_name_every_problem() -> None:
    data = ApplicationRules().to_dict()
    data["grades"] = {k: v for k, v in data["grades"].items() if k != "良"}
    data["grades"]["优"] = {"action": "recover", "cut": "0"}
    data["grades"]["中"] = {"action": "rectify_cut", "cut": "abc"}
    data["grades"]["差"] = {"action": "cut", "cut": "130"}
    data["grades"]["无效"] = "取消"
    data |= {"norect_extra": "NaN", "idle_years": True, "authority": ["key_evaluation", "recheck"]}
    with pytest.raises(RulesError) as exc:
        ApplicationRules.from_dict(data)
    assert exc.value.problems == [
        "等级“优”的处理方式“recover”不可用",
        "缺少等级“良”的处理规则",
        "等级“中”的压减比例“abc”不是数字",
        "等级“差”的压减比例“130”应在0至100之间",
        "缺少等级“无效”的处理规则",
        "逾期未整改另行压减比例“NaN”应在0至100之间",
        "连续结余年数“True”应为1至5的整数",
        "结果权威顺序须包含重点评价、复核、自评各一次",
    ]
    assert (
        ApplicationRules.from_dict(
            {**ApplicationRules().to_dict(), "cancel_poor_overdue": False}
        ).cancel_poor_overdue
        is False
    )
