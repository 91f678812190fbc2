"""The department-overall self-evaluation score sheet (部门整体支出绩效评价评分表, domain.md §2.8 b).

The 共性指标 framework of 财预〔2013〕53号 (投入 / 过程 / 产出 / 效果, §3.5) as a sheet a unit fills
in: each item's weight, scoring standard, the value found and the score it gives itself, and the
total and grade. Document (JSON, beside the project table of shared/formats/selfeval-table.md):

    {"kind": "department_overall_score_sheet", "year": 2021, "unit": "…", "title": "…",
     "items": [{"level1": "投入", "level2": "预算配置", "name": "在职人员控制率", "weight": 8,
                "standard": "…", "value": "95.10%", "score": 8, "note": null}, …],
     "total": 97, "grade": "优"}

``check_score_sheet(doc)`` recomputes what the rubric's formulas allow (rubrics as data in
``rubrics/*.json``: 在职人员控制率, "三公"经费变动率, 预算完成率, 预算调整率 …) with the sheet's printed
weights, and checks weights, scores, total and grade. Local rubrics differ in their deductions; the
checker takes the rubric the sheet's scores follow and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Final, cast

from jixiao.rules.numbers import HUNDRED, ZERO, fmt, fmt_plain
from jixiao.rules.rubric import RubricItem, rubric_item_from_dict, score_rubric_item
from jixiao.rules.ruleset import DEFAULT_RULE_SET, RuleSet, get_rule_set, json_files
from jixiao.rules.table import GRADES
from jixiao.rules.validation import DocumentError, FieldError, Problems, Reader
from jixiao.rules.values import json_number

if TYPE_CHECKING:  # pragma: no cover - typing only
    from jixiao.rules.layout import Grid, LayoutResult, _Reader

SCORE_SHEET_KIND: Final = "department_overall_score_sheet"
DEFAULT_RUBRIC: Final = "overall-s24"
LEVEL1: Final = ("目标设定", "投入", "过程", "产出", "效果")

SHEET_SEVERITIES: Final[dict[str, str]] = {
    "WEIGHTS_TOTAL": "error",
    "SCORE_EXCEEDS_WEIGHT": "error",
    "RUBRIC_SCORE_MISMATCH": "error",
    "TOTAL_MISMATCH": "error",
    "GRADE_MISMATCH": "error",
    "WEIGHT_MISSING": "warning",
    "SCORE_MISSING": "warning",
    "VALUE_UNPARSED": "warning",
}


@dataclass(frozen=True, slots=True)
class SheetItem:
    index: int
    level1: str
    level2: str
    name: str
    weight: Decimal | None
    standard: str
    value: str | None
    score: Decimal | None
    note: str | None

    @property
    def label(self) -> str:
        return f"第{self.index + 1}项「{self.name}」"


@dataclass(frozen=True, slots=True)
class ScoreSheet:
    year: int
    unit: str
    title: str
    items: tuple[SheetItem, ...]
    total: Decimal | None
    grade: str | None


@dataclass(frozen=True, slots=True)
class Rubric:
    name: str
    display_name: str
    items: tuple[RubricItem, ...]

    def item(self, name: str) -> RubricItem | None:
        key = _key(name)
        return next((i for i in self.items if _key(i.name) == key), None)


def _key(name: str) -> str:
    return name.replace("“", '"').replace("”", '"').replace(" ", "")


# --- the document ---------------------------------------------------------------------------------


def parse_score_sheet(doc: object) -> ScoreSheet:
    """Validate a decoded document; raises DocumentError listing every problem."""
    problems = Problems()
    if not isinstance(doc, dict):
        problems.add("", "文档应为 JSON 对象")
        problems.raise_if_any()
    r = Reader(problems, cast(dict[str, object], doc))
    r.choice("kind", (SCORE_SHEET_KIND,))
    year = r.integer("year", low=1000, high=9999)
    unit, title = r.text("unit"), r.text("title")
    items: list[SheetItem] = []
    for index, raw in enumerate(r.array("items") or []):
        item = r.item(index, raw, "items")
        if item is None:
            continue
        texts = [item.text(k) for k in ("level1", "level2", "name", "standard")]
        weight = item.number("weight", nullable=True, minimum=ZERO)
        value = item.text("value", nullable=True)
        score = item.number("score", nullable=True)
        note = item.text("note", nullable=True)
        if all(t is not None for t in texts):
            level1, level2, name, standard = (cast(str, t) for t in texts)
            items.append(SheetItem(index, level1, level2, name, weight, standard, value, score, note))
    total = r.number("total", required=False, nullable=True)
    grade = r.choice("grade", GRADES, required=False, nullable=True)
    problems.raise_if_any()
    return ScoreSheet(cast(int, year), cast(str, unit), cast(str, title), tuple(items), total, grade)


def sheet_to_dict(sheet: ScoreSheet) -> dict[str, object]:
    num = _num
    return {
        "kind": SCORE_SHEET_KIND,
        "year": sheet.year,
        "unit": sheet.unit,
        "title": sheet.title,
        "items": [
            {
                "level1": i.level1,
                "level2": i.level2,
                "name": i.name,
                "weight": num(i.weight),
                "standard": i.standard,
                "value": i.value,
                "score": num(i.score),
                "note": i.note,
            }
            for i in sheet.items
        ],
        "total": num(sheet.total),
        "grade": sheet.grade,
    }


def _num(value: Decimal | None) -> int | float | None:
    return None if value is None else json_number(value)


# --- rubrics ---------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def get_rubric(name: str = DEFAULT_RUBRIC) -> Rubric:
    """A shipped rubric by name; raises KeyError for an unknown one."""
    text = _rubric_files()[name]
    data = json.loads(text, parse_float=Decimal)
    items = tuple(rubric_item_from_dict(item) for item in data["items"])
    return Rubric(data["name"], data["display_name"], items)


@lru_cache(maxsize=1)
def _rubric_files() -> dict[str, str]:
    return json_files("jixiao.rules.rubrics")


def available_rubrics() -> tuple[str, ...]:
    return tuple(sorted(_rubric_files()))


# --- the checker -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetFinding:
    code: str
    severity: str
    item: int | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "indicator": self.item, "message": self.message}


@dataclass(frozen=True, slots=True)
class ItemCheck:
    item: SheetItem
    value: Decimal | None
    score: Decimal | None  # the rubric's score; None when no formula applies

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.item.index,
            "name": self.item.name,
            "level1": self.item.level1,
            "level2": self.item.level2,
            "weight": _num(self.item.weight),
            "value": None if self.value is None else float(self.value),
            "score": None if self.score is None else float(self.score),
            "claimed_score": _num(self.item.score),
        }


@dataclass(frozen=True, slots=True)
class SheetResult:
    rubric: str
    convention: str | None = None
    sheet: ScoreSheet | None = None
    items: tuple[ItemCheck, ...] = ()
    total: Decimal | None = None
    grade: str | None = None
    findings: tuple[SheetFinding, ...] = ()
    errors: tuple[FieldError, ...] = field(default=())

    @property
    def exit_status(self) -> int:
        if self.errors:
            return 2
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        if self.sheet is None:
            return {
                "rubric": self.rubric,
                "errors": [e.to_dict() for e in self.errors],
                "exit_status": self.exit_status,
            }
        return {
            "kind": SCORE_SHEET_KIND,
            "rubric": self.rubric,
            "convention": self.convention,
            "title": self.sheet.title,
            "unit": self.sheet.unit,
            "year": self.sheet.year,
            "items": [i.to_dict() for i in self.items],
            "total": None if self.total is None else float(self.total),
            "claimed_total": _num(self.sheet.total),
            "grade": self.grade,
            "claimed_grade": self.sheet.grade,
            "findings": [f.to_dict() for f in self.findings],
            "exit_status": self.exit_status,
        }


def _value(text: str | None) -> Decimal | None:
    from jixiao.rules.layout import read_number

    if text is None:
        return None
    try:
        return read_number(text)
    except ValueError:
        return None


def _rubric_score(
    item: SheetItem, rubric: Rubric, rule_set: RuleSet
) -> tuple[Decimal | None, Decimal | None]:
    value = _value(item.value)
    formula = rubric.item(item.name)
    if formula is None or value is None or item.weight is None:
        return value, None
    scored = RubricItem(formula.name, item.weight, formula.rule)
    return value, score_rubric_item(scored, value, rule_set).score


def _fit(sheet: ScoreSheet, rubric: Rubric, rule_set: RuleSet) -> int:
    """Items whose claimed score the rubric's formula gives, less those it contradicts."""
    fit = 0
    for item in sheet.items:
        score = _rubric_score(item, rubric, rule_set)[1]
        if score is not None and item.score is not None:
            fit += 1 if abs(score - item.score) <= rule_set.tolerance else -1
    return fit


def detect_rubric(sheet: ScoreSheet, rule_set: RuleSet) -> tuple[Rubric, str | None]:
    """The shipped rubric the sheet's scores follow best (the default on a tie), and why."""
    default = get_rubric(DEFAULT_RUBRIC)
    best, best_fit = default, _fit(sheet, default, rule_set)
    for name in available_rubrics():
        rubric = get_rubric(name)
        fit = _fit(sheet, rubric, rule_set)
        if fit > best_fit:
            best, best_fit = rubric, fit
    if best is default:
        return default, None
    return best, f"本表各项得分符合「{best.display_name}」的扣分标准，按该口径检查"


def check_score_sheet(doc: object, rubric: str | None = None, rule_set: RuleSet | None = None) -> SheetResult:
    """Check a decoded score sheet; never raises for any document."""
    rules = rule_set or get_rule_set(DEFAULT_RULE_SET)
    try:
        sheet = parse_score_sheet(doc)
    except DocumentError as exc:
        return SheetResult(rubric or DEFAULT_RUBRIC, errors=exc.errors)
    chosen, convention = (get_rubric(rubric), None) if rubric else detect_rubric(sheet, rules)
    out = _SheetFindings()
    add = out.add
    checks = tuple(_check_item(item, chosen, rules, out) for item in sheet.items)
    weights = [i.weight for i in sheet.items]
    complete = all(w is not None for w in weights) and all(i.score is not None for i in sheet.items)
    weight_total = _sum(weights)
    if all(w is not None for w in weights) and weight_total != HUNDRED:
        add("WEIGHTS_TOTAL", f"各项分值合计为 {fmt_plain(weight_total)}，应为 100")
    claimed_sum = _sum(i.score for i in sheet.items)
    total = claimed_sum if complete else None
    if sheet.total is not None and total is not None and abs(sheet.total - total) > rules.tolerance:
        add("TOTAL_MISMATCH", f"填报总分 {fmt_plain(sheet.total)} 与各项得分合计 {fmt(total)} 不一致")
    grade = None if total is None else rules.grade(total)
    basis = sheet.total if sheet.total is not None else total
    if sheet.grade is not None and basis is not None and rules.grade(basis) != sheet.grade:
        add(
            "GRADE_MISMATCH",
            f"填报等级「{sheet.grade}」与总分 {fmt_plain(basis)} 对应的等级「{rules.grade(basis)}」不一致",
        )
    return SheetResult(chosen.name, convention, sheet, checks, total, grade, tuple(out.items))


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def _check_item(item: SheetItem, rubric: Rubric, rules: RuleSet, out: _SheetFindings) -> ItemCheck:
    add = out.add
    value, score = _rubric_score(item, rubric, rules)
    if item.weight is None:
        add("WEIGHT_MISSING", f"{item.label}未印分值，无法计分，不计算总分和等级", item.index)
    if item.score is None:
        add("SCORE_MISSING", f"{item.label}未填写得分，不计算总分和等级", item.index)
    elif item.score < 0 or (item.weight is not None and item.score > item.weight):
        add(
            "SCORE_EXCEEDS_WEIGHT",
            f"{item.label}得分 {fmt_plain(item.score)} 不在 0 到分值 {fmt_plain(item.weight or ZERO)} 之间",
            item.index,
        )
    elif score is not None and abs(score - item.score) > rules.tolerance:
        add(
            "RUBRIC_SCORE_MISMATCH",
            f"{item.label}指标值「{item.value}」按评分标准应得 {fmt(score)} 分，填报 {fmt_plain(item.score)}",
            item.index,
        )
    if rubric.item(item.name) is not None and item.value and value is None:
        add("VALUE_UNPARSED", f"{item.label}的指标值「{item.value}」不是数字，无法按公式计分", item.index)
    return ItemCheck(item, value, score)


class _SheetFindings:
    def __init__(self) -> None:
        self.items: list[SheetFinding] = []

    def add(self, code: str, message: str, item: int | None = None) -> None:
        self.items.append(SheetFinding(code, SHEET_SEVERITIES[code], item, message))


# --- recognising the printed sheet ---------------------------------------------------------------


def recognise_score_sheet(grid: Grid, reader: _Reader, header: int, cols: dict[str, int]) -> LayoutResult:
    """Read a 部门整体支出绩效评价评分表 below its header row (layout.recognise calls this)."""
    from jixiao.rules import layout

    year = layout._year(reader, header)
    unit = layout._required_text(
        reader, ("部门(单位)名称", "单位名称", "部门名称", "评价单位", "填报单位"), header, "单位名称"
    )
    title = next(
        (
            layout.clean(t)
            for t in [*grid.lead, *(c for row in grid.rows[:header] for c in row)]
            if "评分表" in t or "评价表" in t
        ),
        "部门整体支出绩效评价评分表",
    )
    items: list[dict[str, object]] = []
    skip = frozenset(range(cols["level1"]))
    level1 = level2 = ""
    value_col = cols.get("actual", cols.get("target"))
    r = header + 1
    rows = grid.rows
    while r < len(rows) and not layout._is_total(rows[r], skip):
        row = rows[r]
        if not any(cell.strip() for c, cell in enumerate(row) if c not in skip):
            r += 1
            continue
        l1 = reader.text(r, cols["level1"], "一级指标")
        l2 = reader.text(r, cols.get("level2"), "二级指标")
        level1 = layout.split_weight(l1)[0] if l1 else level1
        level2 = layout.split_weight(l2)[0] if l2 else level2
        value = reader.text(r, value_col, "指标值")
        note = reader.text(r, cols.get("note"), "扣分原因")
        items.append(
            {
                "level1": level1,
                "level2": level2,
                "name": reader.text(r, cols["name"], "三级指标"),
                "weight": _num(reader.number(r, cols.get("weight"), "分值")),
                "standard": reader.text(r, cols["standard"], "评分标准"),
                "value": value or None,
                "score": _num(reader.number(r, cols.get("score"), "得分")),
                "note": note or None,
            }
        )
        r += 1
    doc: dict[str, object] = {
        "kind": SCORE_SHEET_KIND,
        "year": year,
        "unit": unit,
        "title": title,
        "items": items,
        "total": layout._total(reader, r, cols),
        "grade": layout._grade(reader, r),
    }
    return layout.LayoutResult(doc, tuple(reader.problems))
