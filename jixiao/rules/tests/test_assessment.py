"""The assessment's computed items on a table of facts (domain.md §7.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.rules.assessment import (
    INTERVIEW,
    PRAISE,
    Document,
    Facts,
    Finding,
    GradeBands,
    ItemRule,
    Recheck,
    Rectification,
    ScopeChange,
    WorkCalendar,
    compute_item,
    default_sheet,
    rank,
    scope_as_of,
    total,
)

D = Decimal
AS_OF = date(2021, 12, 1)
DUE = date(2021, 4, 15)  # a Thursday
CAL = WorkCalendar(holidays=frozenset({date(2021, 4, 19)}), workdays=frozenset({date(2021, 4, 25)}))


def rule(measure: str, points: int = 4, per: str = "1", limit: str = "0") -> ItemRule:
    return ItemRule("x", "测试", D(points), "computed", measure, D(per), D(limit))


def doc(label: str = "项目A", due: date | None = DUE, done: date | None = DUE, **kw: object) -> Document:
    return Document(label, due, done, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("due", "done", "late"), [
    (DUE, DUE, 0),
    (DUE, date(2021, 4, 14), 0),
    (DUE, date(2021, 4, 16), 1),           # Friday
    (DUE, date(2021, 4, 18), 1),           # Sunday: no working day added
    (DUE, date(2021, 4, 19), 1),           # Monday, a holiday
    (DUE, date(2021, 4, 20), 2),
    (DUE, date(2021, 4, 25), 6),           # Sunday, a 调休 working day
    (date(2021, 4, 30), date(2021, 5, 6), 4),
])
def test_working_days_late(due: date, done: date, late: int) -> None:
    assert CAL.days_late(due, done) == late


@pytest.mark.parametrize(("measure", "facts", "score", "bad_lines"), [
    # late by n working days: −1 per working day, the latest document counts, never below 0
    ("targets_on_time", (doc(),), "4", 0),
    ("targets_on_time", (doc(done=date(2021, 4, 20)),), "2", 1),
    ("targets_on_time", (doc(done=date(2021, 4, 16)), doc("项目B", done=date(2021, 4, 20))), "2", 2),
    ("targets_on_time", (doc(done=date(2021, 5, 30)),), "0", 1),
    ("targets_on_time", (doc(done=None),), "0", 1),        # never submitted: late up to the assessment day
    ("targets_on_time", (doc(due=date(2021, 12, 15), done=None),), "4", 0),  # not yet due
    # partial coverage, pro rata
    ("targets_coverage", (doc(), doc("项目B", done=None), doc("部门整体", done=None)), "1.33", 2),
    ("targets_coverage", (), "4", 0),
    # review grade share of 优/良
    ("targets_grade", (doc(grade="优"), doc("项目B", grade="中"), doc("项目C")), "2", 1),
])
def test_targets_measures(measure: str, facts: tuple[Document, ...], score: str, bad_lines: int) -> None:
    result = compute_item(rule(measure), Facts("东湖局", AS_OF, targets=facts), CAL)
    assert result.score == D(score)
    assert sum(not f.ok for f in result.facts) == bad_lines
    assert result.summary


def test_late_fact_names_the_declaration_and_the_days() -> None:
    result = compute_item(rule("targets_on_time"), Facts("东湖局", AS_OF, targets=(doc(done=date(2021, 4, 20)),)), CAL)
    assert result.facts[0].text == "项目A：截止2021年4月15日，2021年4月20日报送，晚2个工作日"


@pytest.mark.parametrize(("quality", "score"), [
    ((), "12"), (("优",), "12"), (("良",), "9"), (("中",), "5"), (("差",), "0"), (("优", "差"), "6"),
])
def test_recheck_grades(quality: tuple[str, ...], score: str) -> None:
    facts = Facts("东湖局", AS_OF, rechecks=tuple(Recheck(f"自评{i}", q) for i, q in enumerate(quality)))
    assert compute_item(rule("recheck_quality", 12), facts).score == D(score)


@pytest.mark.parametrize(("items", "score", "open_lines"), [
    ((), "10", 0),
    ((Rectification("目标不细化", "重点评价", date(2021, 6, 30), date(2021, 6, 1)),), "10", 0),
    ((Rectification("目标不细化", "重点评价", date(2021, 6, 30), None),), "0", 1),               # still open
    ((Rectification("目标不细化", "重点评价", date(2021, 6, 30), date(2021, 7, 5)),
      Rectification("资金闲置", "审计", date(2021, 9, 30), date(2021, 9, 1))), "5", 1),         # one closed late
    ((Rectification("资金闲置", "审计", date(2022, 3, 31), None),), "10", 0),                    # not yet due
])
def test_open_rectification_items(items: tuple[Rectification, ...], score: str, open_lines: int) -> None:
    result = compute_item(rule("rectification_closed", 10), Facts("东湖局", AS_OF, rectifications=items))
    assert result.score == D(score)
    assert sum(not f.ok for f in result.facts) == open_lines


def test_monitoring_completeness_needs_paper_copies() -> None:
    forms = (doc("监控表A", due=date(2021, 11, 30), done=date(2021, 11, 20), needs_paper=True, paper_received=True),
             doc("监控表B", due=date(2021, 11, 30), done=date(2021, 11, 20), needs_paper=True),
             doc("监控表C", due=date(2021, 11, 30), done=date(2021, 11, 20)),
             doc("监控表D", due=date(2021, 11, 30), done=None))
    result = compute_item(rule("monitoring_complete"), Facts("东湖局", date(2021, 12, 20), monitoring=forms))
    assert result.score == D(2)
    assert [f.ok for f in result.facts] == [True, False, True, False]
    assert "纸质档未收到" in result.facts[1].text


def test_publication_on_time() -> None:
    reports = (doc("自评A", publish_due=date(2021, 7, 15), published=date(2021, 7, 10)),
               doc("自评B", publish_due=date(2021, 7, 15), published=date(2021, 7, 20)),
               doc("自评C", publish_due=date(2021, 7, 15)))
    result = compute_item(rule("publication_selfeval", 6), Facts("东湖局", AS_OF, selfevals=reports))
    assert result.score == D(2)


@pytest.mark.parametrize(
    ("measure", "kind"),
    [
        ("targets_on_time", "targets"),
        ("monitoring_on_time", "monitoring"),
        ("selfeval_on_time", "selfevals"),
        ("publication_targets", "targets"),
        ("publication_selfeval", "selfevals"),
    ],
)
def test_each_document_measure_reads_its_own_documents(measure: str, kind: str) -> None:
    late = (doc(done=date(2021, 4, 20), publish_due=date(2021, 7, 15), published=date(2021, 7, 20)),)
    on_time = (doc(publish_due=date(2021, 7, 15), published=date(2021, 7, 10)),)
    others = {other: late for other in ("targets", "monitoring", "selfevals") if other != kind}
    assert compute_item(rule(measure), Facts("东湖局", AS_OF, **{kind: on_time}, **others), CAL).score == D(4)
    assert compute_item(rule(measure), Facts("东湖局", AS_OF, **{kind: late}), CAL).score < D(4)


def test_result_application() -> None:
    reports = (doc("自评A", applies_results=True), doc("自评B"), doc("自评C", done=None))
    assert compute_item(rule("result_application", 5), Facts("东湖局", AS_OF, selfevals=reports)).score == D("2.5")


@pytest.mark.parametrize(("findings", "score"), [(0, "0"), (1, "-2"), (3, "-6"), (7, "-10")])
def test_audit_findings_deduct_with_a_cap(findings: int, score: str) -> None:
    facts = Facts("东湖局", AS_OF, findings=tuple(Finding(f"问题{i}") for i in range(findings)))
    assert compute_item(rule("audit_findings", 0, "2", "10"), facts).score == D(score)


def test_repeated_late_beyond_the_allowance() -> None:
    facts = Facts("东湖局", AS_OF, targets=(doc(done=date(2021, 4, 16)),),
                  selfevals=(doc("自评", due=date(2021, 6, 15), done=date(2021, 6, 17)),
                             doc("自评2", due=date(2021, 6, 15), done=None)))
    assert compute_item(rule("repeated_late", 0, "1", "1"), facts, CAL).score == D(-2)


def test_a_unit_that_joined_owes_only_what_fell_due_after() -> None:
    facts = Facts("新设局", AS_OF, joined=date(2021, 6, 1),
                  targets=(doc(done=None),), selfevals=(doc("自评", due=date(2021, 6, 15), done=date(2021, 6, 15)),))
    assert compute_item(rule("targets_coverage"), facts).score == D(4)
    assert "不计" in compute_item(rule("targets_coverage"), facts).facts[0].text
    assert compute_item(rule("selfeval_coverage"), facts).score == D(4)


@pytest.mark.parametrize(("score", "grade"), [
    ("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差"),
])
def test_grade_bands(score: str, grade: str) -> None:
    assert GradeBands().grade(D(score)) == grade


def test_total_floors_at_zero_and_caps_the_bonus() -> None:
    assert total([D(50), D(20)], [D(-4)], D(8), D(5)) == D(71)
    assert total([D(3)], [D(-10)], D(0), D(5)) == D(0)


def test_ranking_ties_and_marks() -> None:
    ranked = rank([("甲", D(95)), ("乙", D(92)), ("丙", D(92)), ("丁", D(70)), ("戊", D(55)), ("己", D(65))],
                  GradeBands(), praise_top=2, interview_bottom=1)
    assert [(r.unit, r.rank, r.grade, r.mark) for r in ranked] == [
        ("甲", 1, "优", PRAISE), ("丙", 2, "优", PRAISE), ("乙", 2, "优", PRAISE), ("丁", 4, "中", ""),
        ("己", 5, "中", ""), ("戊", 6, "差", INTERVIEW)]


def test_scope_as_of_a_date() -> None:
    changes = [ScopeChange("新设局", "joined", date(2021, 6, 1)),
               ScopeChange("旧局", "merged", date(2021, 8, 1), into="东湖局"),
               ScopeChange("后设局", "joined", date(2021, 12, 20)),
               ScopeChange("西岭局", "left", date(2022, 1, 5))]
    result = scope_as_of(["东湖局", "旧局", "西岭局"], changes, date(2021, 12, 1))
    assert [e.unit for e in result.entries] == ["东湖局", "西岭局", "新设局"]
    assert result.entries[0].absorbed == ("旧局",) and result.entries[2].joined == date(2021, 6, 1)
    assert result.excluded == (("旧局", "2021年8月1日并入东湖局"),)


def test_default_sheet_is_a_hundred_points() -> None:
    sheet = default_sheet()
    assert sum(r.points for r in sheet if r.kind in ("computed", "judged")) == 100
    assert {r.measure for r in sheet if r.measure} <= set(__import__("jixiao.rules.assessment").rules.assessment.MEASURES)


def test_a_unit_that_left_is_excluded_and_unknown_measures_are_refused() -> None:
    result = scope_as_of(["东湖局", "西岭局"], [ScopeChange("西岭局", "left", date(2021, 9, 1)),
                                              ScopeChange("东湖局", "renamed", date(2021, 10, 1)),
                                              ScopeChange("东湖局", "joined", date(2021, 2, 1))], date(2021, 12, 1))
    assert [e.unit for e in result.entries] == ["东湖局"]
    assert result.excluded == (("西岭局", "2021年9月1日撤销或移出考评范围"),)
    with pytest.raises(ValueError, match="unknown measure"):
        compute_item(rule("no_such_measure"), Facts("东湖局", AS_OF))


def test_repeated_late_counts_only_what_was_late() -> None:
    facts = Facts("东湖局", AS_OF, selfevals=(doc("自评", due=date(2021, 6, 15), done=date(2021, 6, 15)),
                                              doc("自评2", due=None, done=None)))
    assert compute_item(rule("repeated_late", 0, "1", "1"), facts, CAL).score == D(0)
