"""Assessment of each budget unit's performance-management work (考核, domain.md §7.6).

Pure functions over a facts table: each computed item of the year's 考核办法 (an :class:`ItemRule`
with a ``measure`` and its parameters) is scored from the unit's :class:`Facts` — the documents it
owed, when they were due and done, their grades, the rectification items it holds — and every
score carries the fact lines it was computed from (which declaration was how many working days
late, which item is still open), so a unit can check and dispute it. Judged items (evidence and a
reviewer's score) are not computed here; :func:`total` adds them, the deductions and the bonus.

Working days: Monday–Friday, minus the year's holidays, plus its 调休 working weekend days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
TWO_PLACES = Decimal("0.01")

#: The computed measures an item of the 考核办法 may use, with their names in Chinese.
MEASURES: dict[str, str] = {
    "targets_coverage": "绩效目标申报覆盖率（部门整体+每个项目，按比例）",
    "targets_grade": "绩效目标审核等级为优、良的比例",
    "targets_on_time": "绩效目标按时申报（每晚一个工作日扣分）",
    "monitoring_on_time": "监控表按时报送（每晚一个工作日扣分）",
    "monitoring_complete": "监控表报送完整（含须报纸质档）",
    "selfeval_coverage": "绩效自评覆盖率",
    "selfeval_on_time": "绩效自评按时报送（每晚一个工作日扣分）",
    "recheck_quality": "自评质量复核等级（优、良、中、差）",
    "rectification_closed": "整改事项按期销号比例",
    "publication_targets": "绩效目标随预算公开",
    "publication_selfeval": "自评报告按时公开",
    "result_application": "结果应用（自评报告写明改进措施及结果应用）",
    "audit_findings": "审计、检查发现的绩效问题（每项扣分）",
    "repeated_late": "多次逾期报送（超过允许次数后每次扣分）",
}
#: Measures whose result is a deduction (≤ 0), not an item score.
DEDUCTION_MEASURES = frozenset({"audit_findings", "repeated_late"})

JUDGED = "judged"
COMPUTED = "computed"
DEDUCTION = "deduction"
BONUS = "bonus"

DEFAULT_QUALITY_SHARE = {"优": Decimal(1), "良": Decimal("0.75"), "中": Decimal(5) / Decimal(12), "差": ZERO}


def q2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A score as officials write it: 12, 7.5, 2.67."""
    text = f"{q2(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- working days --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    #: 调休: weekend days that are working days.
    workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day.weekday() < 5 or day in self.workdays

    def days_late(self, due: date, done: date) -> int:
        """Working days after ``due`` up to and including ``done`` (0 when done on or before ``due``)."""
        if done <= due:
            return 0
        count, day = 0, due + timedelta(days=1)
        while day <= done:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count


# --- facts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One document the unit owed: a target declaration, a monitoring table, a self-evaluation."""

    label: str
    due: date | None = None
    #: When it was submitted (None: never).
    done: date | None = None
    #: The finance review grade (targets) — 优/良/中/差 or "" when not reviewed.
    grade: str = ""
    needs_paper: bool = False
    paper_received: bool = False
    #: Published (targets with the budget; self-evaluation reports by their date).
    published: date | None = None
    publish_due: date | None = None
    #: The self-evaluation report states its improvement measures and use of results.
    applies_results: bool = False


@dataclass(frozen=True)
class Recheck:
    label: str
    quality: str  # 优/良/中/差


@dataclass(frozen=True)
class Rectification:
    label: str
    source: str
    deadline: date
    closed: date | None = None


@dataclass(frozen=True)
class Finding:
    """An audit or inspection finding on the unit's performance management (a deduction)."""

    label: str
    source: str = "审计"


@dataclass(frozen=True)
class Facts:
    unit: str
    #: The day the assessment looks at (items not yet due on it are not counted against the unit).
    as_of: date
    #: A unit that joined the scope during the year owes only what fell due from this day on.
    joined: date | None = None
    targets: tuple[Document, ...] = ()
    monitoring: tuple[Document, ...] = ()
    selfevals: tuple[Document, ...] = ()
    rechecks: tuple[Recheck, ...] = ()
    rectifications: tuple[Rectification, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ItemRule:
    code: str
    name: str
    points: Decimal
    kind: str = COMPUTED  # computed | judged | deduction | bonus
    measure: str = ""
    #: Per working day (on-time measures) or per case (deductions).
    per_unit: Decimal = Decimal(1)
    #: Deductions: at most this much in total (0: no cap); repeated_late: late documents allowed.
    limit: Decimal = ZERO


@dataclass(frozen=True)
class Fact:
    """One line of a computed score's drill-down: what was found and what it did to the score."""

    text: str
    effect: str = ""
    ok: bool = True


@dataclass(frozen=True)
class ItemResult:
    code: str
    score: Decimal
    facts: tuple[Fact, ...]
    summary: str


# --- the measures ------------------------------------------------------------------------------------


def _owed(docs: Iterable[Document], facts: Facts, out: list[Fact]) -> list[Document]:
    """The documents counted: those due after a late joiner joined."""
    owed = []
    for d in docs:
        if facts.joined and d.due and d.due < facts.joined:
            out.append(Fact(f"{d.label}：{cn_date(d.due)}到期，早于本单位纳入考核范围之日"
                            f"（{cn_date(facts.joined)}），不计", "不计"))
            continue
        owed.append(d)
    return owed


def _pro_rata(points: Decimal, good: int, total: int) -> Decimal:
    return points if total == 0 else points * Decimal(good) / Decimal(total)


def _coverage(rule: ItemRule, docs: Sequence[Document], facts: Facts, what: str) -> ItemResult:
    lines: list[Fact] = []
    owed = _owed(docs, facts, lines)
    done = [d for d in owed if d.done]
    for d in owed:
        lines.append(Fact(f"{d.label}：已报送（{cn_date(d.done)}）" if d.done else f"{d.label}：未报送",
                          "" if d.done else "未覆盖", ok=bool(d.done)))
    score = _pro_rata(rule.points, len(done), len(owed))
    summary = (f"应{what}{len(owed)}项，已{what}{len(done)}项" if owed else f"本年度无应{what}事项，按满分计")
    return ItemResult(rule.code, q2(score), tuple(lines), summary)


def _on_time(rule: ItemRule, docs: Sequence[Document], facts: Facts, cal: WorkCalendar) -> ItemResult:
    """Points minus ``per_unit`` for each working day the latest document was late (never below 0);
    a document never submitted counts as late up to the assessment day."""
    lines: list[Fact] = []
    owed = [d for d in _owed(docs, facts, lines) if d.due and d.due < facts.as_of]
    worst = 0
    for d in owed:
        assert d.due is not None
        done = d.done or facts.as_of
        late = cal.days_late(d.due, done)
        worst = max(worst, late)
        if d.done is None:
            lines.append(Fact(f"{d.label}：截止{cn_date(d.due)}，至{cn_date(facts.as_of)}仍未报送，"
                              f"逾期{late}个工作日", f"逾期{late}个工作日", ok=False))
        elif late:
            lines.append(Fact(f"{d.label}：截止{cn_date(d.due)}，{cn_date(d.done)}报送，晚{late}个工作日",
                              f"晚{late}个工作日", ok=False))
        else:
            lines.append(Fact(f"{d.label}：截止{cn_date(d.due)}，{cn_date(d.done)}报送，按时", "按时"))
    score = max(ZERO, rule.points - rule.per_unit * worst)
    summary = (f"最晚一项晚{worst}个工作日，每个工作日扣{fmt(rule.per_unit)}分" if worst
               else ("全部按时报送" if owed else "本年度无已到期的报送事项，按满分计"))
    return ItemResult(rule.code, q2(score), tuple(lines), summary)


def _targets_grade(rule: ItemRule, facts: Facts) -> ItemResult:
    lines: list[Fact] = []
    reviewed = [d for d in _owed(facts.targets, facts, lines) if d.grade]
    good = [d for d in reviewed if d.grade in ("优", "良")]
    for d in reviewed:
        lines.append(Fact(f"{d.label}：审核等级{d.grade}", "计入" if d.grade in ("优", "良") else "不计入",
                          ok=d.grade in ("优", "良")))
    summary = f"已审核{len(reviewed)}项，优、良{len(good)}项" if reviewed else "尚无审核等级，按满分计"
    return ItemResult(rule.code, q2(_pro_rata(rule.points, len(good), len(reviewed))), tuple(lines), summary)


def _monitoring_complete(rule: ItemRule, facts: Facts) -> ItemResult:
    lines: list[Fact] = []
    owed = [d for d in _owed(facts.monitoring, facts, lines) if d.due is None or d.due < facts.as_of or d.done]
    complete = 0
    for d in owed:
        missing = []
        if not d.done:
            missing.append("电子版未报送")
        if d.needs_paper and not d.paper_received:
            missing.append("纸质档未收到")
        complete += not missing
        lines.append(Fact(f"{d.label}：" + ("、".join(missing) if missing else
                                           ("电子版及纸质档齐全" if d.needs_paper else "电子版已报送")),
                          "不完整" if missing else "完整", ok=not missing))
    summary = f"应报{len(owed)}张，完整{complete}张" if owed else "本年度无应报监控表，按满分计"
    return ItemResult(rule.code, q2(_pro_rata(rule.points, complete, len(owed))), tuple(lines), summary)


def _recheck_quality(rule: ItemRule, facts: Facts) -> ItemResult:
    if not facts.rechecks:
        return ItemResult(rule.code, q2(rule.points), (Fact("本单位自评表未被抽中复核", "按满分计"),),
                          "未被抽中复核，按满分计")
    lines, shares = [], []
    for r in facts.rechecks:
        share = DEFAULT_QUALITY_SHARE.get(r.quality, ZERO)
        shares.append(share)
        lines.append(Fact(f"{r.label}：复核质量等级{r.quality or '未定'}", f"得{fmt(rule.points * share)}分",
                          ok=r.quality in ("优", "良")))
    score = rule.points * sum(shares, ZERO) / Decimal(len(shares))
    return ItemResult(rule.code, q2(score), tuple(lines),
                      f"复核{len(shares)}份，按质量等级（优{fmt(rule.points)}、良{fmt(rule.points * Decimal('0.75'))}、"
                      f"中{fmt(rule.points * DEFAULT_QUALITY_SHARE['中'])}、差0）取平均")


def _rectification(rule: ItemRule, facts: Facts) -> ItemResult:
    lines: list[Fact] = []
    counted = 0
    on_time = 0
    for r in facts.rectifications:
        if r.closed and r.closed <= r.deadline:
            lines.append(Fact(f"{r.label}（{r.source}）：期限{cn_date(r.deadline)}，{cn_date(r.closed)}销号", "按期销号"))
            counted += 1
            on_time += 1
        elif r.closed:
            lines.append(Fact(f"{r.label}（{r.source}）：期限{cn_date(r.deadline)}，{cn_date(r.closed)}才销号",
                              "逾期销号", ok=False))
            counted += 1
        elif r.deadline < facts.as_of:
            lines.append(Fact(f"{r.label}（{r.source}）：期限{cn_date(r.deadline)}，至今未销号", "仍未整改到位", ok=False))
            counted += 1
        else:
            lines.append(Fact(f"{r.label}（{r.source}）：期限{cn_date(r.deadline)}，尚未到期", "不计"))
    summary = f"已到期整改事项{counted}项，按期销号{on_time}项" if counted else "无已到期的整改事项，按满分计"
    return ItemResult(rule.code, q2(_pro_rata(rule.points, on_time, counted)), tuple(lines), summary)


def _publication(rule: ItemRule, docs: Sequence[Document], facts: Facts, what: str) -> ItemResult:
    lines: list[Fact] = []
    owed = [d for d in _owed(docs, facts, lines) if d.publish_due is None or d.publish_due < facts.as_of]
    good = 0
    for d in owed:
        if d.published and (d.publish_due is None or d.published <= d.publish_due):
            good += 1
            lines.append(Fact(f"{d.label}：{cn_date(d.published)}公开", "按时公开"))
        elif d.published:
            lines.append(Fact(f"{d.label}：{cn_date(d.published)}公开，晚于{cn_date(d.publish_due)}"  # type: ignore[arg-type]
                              , "逾期公开", ok=False))
        else:
            lines.append(Fact(f"{d.label}：未公开", "未公开", ok=False))
    summary = f"应公开{what}{len(owed)}项，按时公开{good}项" if owed else f"无应公开的{what}，按满分计"
    return ItemResult(rule.code, q2(_pro_rata(rule.points, good, len(owed))), tuple(lines), summary)


def _result_application(rule: ItemRule, facts: Facts) -> ItemResult:
    lines: list[Fact] = []
    owed = [d for d in _owed(facts.selfevals, facts, lines) if d.done]
    good = sum(d.applies_results for d in owed)
    for d in owed:
        lines.append(Fact(f"{d.label}：" + ("自评报告写明改进措施及结果应用" if d.applies_results
                                          else "自评报告未写改进措施及结果应用"),
                          "已应用" if d.applies_results else "未写明", ok=d.applies_results))
    summary = f"已报送自评{len(owed)}份，写明结果应用{good}份" if owed else "无已报送的自评，按满分计"
    return ItemResult(rule.code, q2(_pro_rata(rule.points, good, len(owed))), tuple(lines), summary)


def _capped(rule: ItemRule, amount: Decimal) -> Decimal:
    if rule.limit and amount > rule.limit:
        amount = rule.limit
    return -amount if amount else ZERO


def _audit_findings(rule: ItemRule, facts: Facts) -> ItemResult:
    lines = tuple(Fact(f"{f.label}（{f.source}）", f"扣{fmt(rule.per_unit)}分", ok=False) for f in facts.findings)
    score = _capped(rule, rule.per_unit * len(facts.findings))
    summary = (f"{len(facts.findings)}项，每项扣{fmt(rule.per_unit)}分" + (f"，最多扣{fmt(rule.limit)}分" if rule.limit else "")
               if facts.findings else "无审计或检查发现的绩效问题")
    return ItemResult(rule.code, q2(score), lines, summary)


def _repeated_late(rule: ItemRule, facts: Facts, cal: WorkCalendar) -> ItemResult:
    lines: list[Fact] = []
    late = []
    for d in _owed((*facts.targets, *facts.monitoring, *facts.selfevals), facts, lines):
        if d.due and d.due < facts.as_of and cal.days_late(d.due, d.done or facts.as_of):
            late.append(d)
            lines.append(Fact(f"{d.label}：逾期报送" if d.done else f"{d.label}：逾期未报送", "逾期", ok=False))
    allowed = int(rule.limit)
    over = max(0, len(late) - allowed)
    score = -(rule.per_unit * over)
    summary = (f"逾期{len(late)}次，允许{allowed}次，超出{over}次，每次扣{fmt(rule.per_unit)}分" if late
               else "无逾期报送")
    return ItemResult(rule.code, q2(score), tuple(lines), summary)


def compute_item(rule: ItemRule, facts: Facts, cal: WorkCalendar | None = None) -> ItemResult:
    """The score of one computed item (or deduction) with the facts it was computed from."""
    cal = cal or WorkCalendar()
    m = rule.measure
    if m == "targets_coverage":
        return _coverage(rule, facts.targets, facts, "申报")
    if m == "targets_grade":
        return _targets_grade(rule, facts)
    if m == "targets_on_time":
        return _on_time(rule, facts.targets, facts, cal)
    if m == "monitoring_on_time":
        return _on_time(rule, facts.monitoring, facts, cal)
    if m == "monitoring_complete":
        return _monitoring_complete(rule, facts)
    if m == "selfeval_coverage":
        return _coverage(rule, facts.selfevals, facts, "自评")
    if m == "selfeval_on_time":
        return _on_time(rule, facts.selfevals, facts, cal)
    if m == "recheck_quality":
        return _recheck_quality(rule, facts)
    if m == "rectification_closed":
        return _rectification(rule, facts)
    if m == "publication_targets":
        return _publication(rule, facts.targets, facts, "绩效目标")
    if m == "publication_selfeval":
        return _publication(rule, facts.selfevals, facts, "自评报告")
    if m == "result_application":
        return _result_application(rule, facts)
    if m == "audit_findings":
        return _audit_findings(rule, facts)
    if m == "repeated_late":
        return _repeated_late(rule, facts, cal)
    raise ValueError(f"unknown measure {m!r}")


# --- total, grade, ranking ------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeBands:
    """Half-open bands (domain.md §4.6): 优 ≥ excellent, 良 ≥ good, 中 ≥ passing, else 差."""

    excellent: Decimal = Decimal(90)
    good: Decimal = Decimal(80)
    passing: Decimal = Decimal(60)

    def grade(self, score: Decimal) -> str:
        if score >= self.excellent:
            return "优"
        if score >= self.good:
            return "良"
        if score >= self.passing:
            return "中"
        return "差"


def total(item_scores: Iterable[Decimal], deductions: Iterable[Decimal], bonus: Decimal,
          bonus_max: Decimal) -> Decimal:
    """Items + deductions (never below 0) + bonus (at most ``bonus_max``)."""
    base = max(ZERO, sum(item_scores, ZERO) + sum(deductions, ZERO))
    return q2(base + min(max(bonus, ZERO), bonus_max))


@dataclass(frozen=True)
class Ranked:
    unit: str
    score: Decimal
    rank: int
    grade: str
    mark: str = ""  # 通报表扬 | 约谈 | ""


PRAISE = "通报表扬"
INTERVIEW = "约谈"


def rank(scores: Sequence[tuple[str, Decimal]], bands: GradeBands, praise_top: int = 0,
         interview_bottom: int = 0) -> list[Ranked]:
    """Competition ranking (ties share a rank: 1, 2, 2, 4); the top ``praise_top`` ranks with grade
    优 are marked 通报表扬; the bottom ``interview_bottom`` ranks and every 差 are marked 约谈."""
    ordered = sorted(scores, key=lambda s: (-s[1], s[0]))
    out: list[Ranked] = []
    for i, (unit, score) in enumerate(ordered):
        position = out[-1].rank if out and out[-1].score == score else i + 1
        out.append(Ranked(unit, score, position, bands.grade(score)))
    marked = []
    for r in out:
        below = sum(1 for o in out if o.score < r.score)  # units strictly below: ties share the mark
        mark = ""
        if praise_top and r.rank <= praise_top and r.grade == "优":
            mark = PRAISE
        elif r.grade == "差" or (interview_bottom and below < interview_bottom):
            mark = INTERVIEW
        marked.append(Ranked(r.unit, r.score, r.rank, r.grade, mark))
    return marked


# --- scope as of a date -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeChange:
    unit: str
    kind: str  # "joined" | "merged" | "left"
    on: date
    into: str = ""


@dataclass(frozen=True)
class ScopeEntry:
    unit: str
    joined: date | None = None
    #: Units merged into this one by the scope date: their documents are assessed with this unit's.
    absorbed: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ScopeResult:
    entries: tuple[ScopeEntry, ...]
    excluded: tuple[tuple[str, str], ...] = field(default=())


def scope_as_of(units: Sequence[str], changes: Sequence[ScopeChange], on: date) -> ScopeResult:
    """The units assessed as of ``on``: the year's 综合绩效考评 scope, with units that joined by
    ``on`` (owing only what fell due after they joined), without units that left or were merged
    by ``on`` (a merged unit's documents go with the unit it was merged into); changes after
    ``on`` are ignored."""
    joined: dict[str, date] = {}
    gone: dict[str, str] = {}
    absorbed: dict[str, list[str]] = {}
    members = list(dict.fromkeys(units))
    for c in sorted(changes, key=lambda c: (c.on, c.unit)):
        if c.on > on:
            continue
        if c.kind == "joined":
            joined[c.unit] = c.on
            if c.unit not in members:
                members.append(c.unit)
        elif c.kind == "merged":
            gone[c.unit] = f"{cn_date(c.on)}并入{c.into}"
            absorbed.setdefault(c.into, []).append(c.unit)
        elif c.kind == "left":
            gone[c.unit] = f"{cn_date(c.on)}撤销或移出考评范围"
    entries = []
    for unit in members:
        if unit in gone:
            continue
        note = []
        if unit in joined:
            note.append(f"{cn_date(joined[unit])}纳入考核范围")
        if absorbed.get(unit):
            note.append("含并入单位：" + "、".join(absorbed[unit]))
        entries.append(ScopeEntry(unit, joined.get(unit), tuple(absorbed.get(unit, ())), "；".join(note)))
    return ScopeResult(tuple(entries), tuple((u, why) for u, why in gone.items() if u in members))


# --- the default score sheet (domain.md §7.6, illustrative) ----------------------------------------------


def default_sheet() -> list[ItemRule]:
    """The illustrative 100-point sheet of domain.md §7.6 [INFERRED], to be replaced by the
    district's own 《云溪区区级部门预算绩效管理工作考核办法》."""
    d = Decimal
    return [
        ItemRule("1", "组织管理：明确专人、内部制度、参加培训、及时联络", d(10), JUDGED),
        ItemRule("2.1", "绩效目标：部门整体及每个项目申报覆盖", d(8), COMPUTED, "targets_coverage"),
        ItemRule("2.2", "绩效目标：审核等级优、良比例", d(8), COMPUTED, "targets_grade"),
        ItemRule("2.3", "绩效目标：按时申报（每晚一个工作日扣1分）", d(4), COMPUTED, "targets_on_time", d(1)),
        ItemRule("3.1", "运行监控：按时报送（每晚一个工作日扣1分）", d(5), COMPUTED, "monitoring_on_time", d(1)),
        ItemRule("3.2", "运行监控：报送完整（含须报纸质档）", d(4), COMPUTED, "monitoring_complete"),
        ItemRule("3.3", "运行监控：偏差分析及纠偏措施质量", d(6), JUDGED),
        ItemRule("4.1", "绩效自评：覆盖率", d(8), COMPUTED, "selfeval_coverage"),
        ItemRule("4.2", "绩效自评：6月15日前按时报送（每晚一个工作日扣1分）", d(5), COMPUTED, "selfeval_on_time", d(1)),
        ItemRule("4.3", "绩效自评：复核质量（优12、良9、中5、差0）", d(12), COMPUTED, "recheck_quality"),
        ItemRule("5.1", "重点评价：配合程度", d(5), JUDGED),
        ItemRule("5.2", "整改：按期销号（按比例）", d(10), COMPUTED, "rectification_closed"),
        ItemRule("6.1", "信息公开：绩效目标随预算公开", d(5), COMPUTED, "publication_targets"),
        ItemRule("6.2", "信息公开：7月15日前公开自评报告", d(5), COMPUTED, "publication_selfeval"),
        ItemRule("7", "结果应用：内部资金分配中应用评价结果", d(5), COMPUTED, "result_application"),
        ItemRule("D1", "扣分：数据不实（每例扣5至10分）", d(0), DEDUCTION),
        ItemRule("D2", "扣分：审计或检查发现的绩效问题（每项扣2分，最多扣10分）", d(0), DEDUCTION, "audit_findings",
                 d(2), d(10)),
        ItemRule("D3", "扣分：多次逾期报送（允许1次，超出每次扣1分）", d(0), DEDUCTION, "repeated_late", d(1), d(1)),
        ItemRule("B", "加分：工作创新或经验做法被上级采用（最多加5分）", d(5), BONUS),
    ]
