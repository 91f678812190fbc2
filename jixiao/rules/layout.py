"""Recognise a printed self-evaluation table in a grid of cell texts (no Django, no file formats).

The file readers (``jixiao/tablefiles``) turn a Word table, an Excel sheet or a PDF page into a
``Grid``: rows of cell texts with merged cells repeated over the cells they cover, and the cells
they could not read. ``recognise(grid)`` finds the layout by its printed labels and returns the
exchange document of shared/formats/selfeval-table.md (or of the department-overall score sheet,
``jixiao.rules.overall``) together with every cell it could not read, by row and column. Nothing
is guessed: an unreadable or non-numeric number cell is a problem, never a zero.

Layouts recognised (domain.md §2.7, §2.8 b): the national 项目支出绩效自评表 of 财预〔2020〕10号;
local variants with a 计量单位 / 度量单位 or 指标性质 column, weights printed in the level-1 cell
("产出指标(50分)"), funds rows 年度资金总额 / 其中：当年财政拨款 / 上年结转资金 / 其他资金, extra
投入 / 过程 blocks, the title in rows above the table; and the 部门整体支出绩效评价评分表.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Final

from jixiao.rules.numbers import MAX_MAGNITUDE
from jixiao.rules.table import GRADES, KIND
from jixiao.rules.values import json_number

SCORE_SHEET_KIND: Final = "department_overall_score_sheet"


@dataclass(frozen=True, slots=True)
class Grid:
    """Cell texts by row; ``rows[r][c]``. ``unreadable[(r, c)]`` says why a cell could not be read.
    ``row_numbers[r]`` is the row as the source numbers it (an Excel row, a Word table row); ``lead``
    holds texts printed above the table (a Word title paragraph)."""

    rows: tuple[tuple[str, ...], ...]
    unreadable: Mapping[tuple[int, int], str] = field(default_factory=dict)
    row_numbers: tuple[int, ...] = ()
    lead: tuple[str, ...] = ()
    source: str = "表格"
    page_starts: frozenset[int] = frozenset()  # rows that begin a new page of a PDF

    def number_of(self, r: int) -> int:
        return self.row_numbers[r] if r < len(self.row_numbers) else r + 1

    def cell(self, r: int, c: int) -> str:
        row = self.rows[r]
        return row[c] if 0 <= c < len(row) else ""


@dataclass(frozen=True, slots=True)
class CellProblem:
    row: int | None
    column: int | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class LayoutResult:
    """The document read from a grid and what could not be read; the document is usable only
    when ``problems`` is empty."""

    document: dict[str, object] | None
    problems: tuple[CellProblem, ...]

    @property
    def ok(self) -> bool:
        return self.document is not None and not self.problems


# --- text helpers ---------------------------------------------------------------------------------

_SPACE_RE: Final = re.compile(r"\s+")
_WEIGHT_IN_LABEL_RE: Final = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")
_YEAR_RE: Final = re.compile(r"((?:19|20)\d{2})\s*年度")
_AMOUNT_UNIT_RE: Final = re.compile(r"[（(](?:单位[:：])?\s*(万元|元)\s*[)）]|单位[:：]\s*(万元|元)")
_EMPTY_NUMBERS: Final = frozenset({"", "-", "—", "--", "——", "/", "／", "无"})


def label(text: str) -> str:
    """A printed label compared loosely: no whitespace, ASCII parentheses and colon."""
    return _SPACE_RE.sub("", text).replace("（", "(").replace("）", ")").replace("：", ":")


def clean(text: str) -> str:
    """A printed value: surrounding whitespace removed, wrapped lines joined."""
    return "".join(part.strip() for part in text.splitlines()) if "\n" in text else text.strip()


def split_weight(text: str) -> tuple[str, Decimal | None]:
    """ "产出指标(50分)" → ("产出指标", 50); a label without a printed weight → (label, None)."""
    match = _WEIGHT_IN_LABEL_RE.search(text)
    if match is None:
        return clean(text), None
    return clean(text[: match.start()]), Decimal(match.group(1))


def read_number(text: str) -> Decimal | None:
    """A printed number ("15", "1,200.50", "10分", "92%"); None when blank; raises ValueError."""
    s = label(text).replace(",", "").replace("，", "")
    if s in _EMPTY_NUMBERS:
        return None
    s = s.removesuffix("分").removesuffix("%").removesuffix("％")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or abs(value) >= MAX_MAGNITUDE:
        raise ValueError(text)
    return value


def _matches(cell: str, aliases: Sequence[str]) -> bool:
    key = label(cell)
    return any(key == a or key.startswith(a + "(") for a in aliases)


# --- the reader over one grid ---------------------------------------------------------------------


class _Reader:
    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.problems: list[CellProblem] = []

    def problem(self, r: int | None, c: int | None, message: str) -> None:
        row = None if r is None else self.grid.number_of(r)
        where = "" if row is None else (f"第{row}行" if c is None else f"第{row}行第{c + 1}列")
        self.problems.append(
            CellProblem(row, None if c is None else c + 1, f"{where}{'：' if where else ''}{message}")
        )

    def text(self, r: int, c: int | None, what: str) -> str | None:
        """A cell's text; None (and a problem) when the reader could not read it."""
        if c is None:
            return ""
        reason = self.grid.unreadable.get((r, c))
        if reason is not None:
            self.problem(r, c, f"{what}无法读取（{reason}），请核对原表")
            return None
        return clean(self.grid.cell(r, c))

    def number(self, r: int, c: int | None, what: str) -> Decimal | None:
        raw = self.text(r, c, what)
        if raw is None:
            return None
        try:
            return read_number(raw)
        except ValueError:
            self.problem(r, c, f"{what}「{raw}」不是数字，请核对原表")
            return None

    def find_row(
        self, start: int, predicate: Callable[[Sequence[str]], bool], stop: int | None = None
    ) -> int | None:
        end = len(self.grid.rows) if stop is None else stop
        for r in range(start, end):
            if predicate(self.grid.rows[r]):
                return r
        return None

    def value_after(self, aliases: Sequence[str], stop: int) -> tuple[int, int] | None:
        """The cell right of a label (the first non-empty cell with another text), above row ``stop``."""
        for r in range(stop):
            row = self.grid.rows[r]
            for c, cell in enumerate(row):
                if _matches(cell, aliases) or any(label(cell).startswith(a + ":") for a in aliases):
                    inline = label(cell).split(":", 1)
                    if len(inline) == 2 and inline[1]:
                        return r, c
                    for c2 in range(c + 1, len(row)):
                        if row[c2].strip() and label(row[c2]) != label(cell):
                            return r, c2
        return None


def _columns(row: Sequence[str], spec: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """First column of each header the row prints."""
    found: dict[str, int] = {}
    for c, cell in enumerate(row):
        for key, aliases in spec.items():
            if key not in found and _matches(cell, aliases):
                found[key] = c
    return found


def _value_of(reader: _Reader, cell: tuple[int, int] | None, what: str) -> str | None:
    if cell is None:
        return None
    r, c = cell
    text = reader.text(r, c, what)
    if text is not None and ":" in label(text):
        return clean(re.split(r"[:：]", text, maxsplit=1)[1])
    return text


def _year(reader: _Reader, stop: int) -> int | None:
    cell = reader.value_after(("自评年度", "评价年度", "年度"), stop)
    value = _value_of(reader, cell, "自评年度")
    if value and re.fullmatch(r"(?:19|20)\d{2}(?:年度?)?", value):
        return int(value[:4])
    texts = [*reader.grid.lead, *(c for row in reader.grid.rows[:stop] for c in row)]
    for text in texts:
        match = _YEAR_RE.search(text)
        if match:
            return int(match.group(1))
    reader.problem(None, None, "未找到自评年度（如标题中的“2021年度”）")
    return None


def _amount_unit(reader: _Reader, stop: int) -> str:
    texts = [*reader.grid.lead, *(c for row in reader.grid.rows[:stop] for c in row)]
    for text in texts:
        match = _AMOUNT_UNIT_RE.search(text)
        if match:
            return match.group(1) or match.group(2)
    return "万元"


def _required_text(reader: _Reader, aliases: Sequence[str], stop: int, what: str) -> str | None:
    cell = reader.value_after(aliases, stop)
    if cell is None:
        reader.problem(None, None, f"未找到“{aliases[0]}”及其内容")
        return None
    return _value_of(reader, cell, what)


def _grade(reader: _Reader, start: int) -> str | None:
    for r in range(start, len(reader.grid.rows)):
        for c, cell in enumerate(reader.grid.rows[r]):
            key = label(cell)
            for alias in ("自评等级", "评价等级", "等级"):
                if key.startswith(alias + ":") and key != alias + ":":
                    return _checked_grade(reader, r, c, key.split(":", 1)[1])
                if key == alias:
                    c2 = _next_value_column(reader.grid.rows[r], c)
                    if c2 is None:
                        return None
                    text = reader.text(r, c2, "自评等级")
                    return None if text is None else _checked_grade(reader, r, c2, text)
    return None


def _next_value_column(row: Sequence[str], c: int) -> int | None:
    for c2 in range(c + 1, len(row)):
        if row[c2].strip() and label(row[c2]) != label(row[c]):
            return c2
    return None


def _checked_grade(reader: _Reader, r: int, c: int, text: str) -> str | None:
    grade = label(text).removesuffix("等")
    if grade in GRADES:
        return grade
    reader.problem(r, c, f"自评等级「{clean(text)}」应为优、良、中、差之一")
    return None


def _num(value: Decimal | None) -> int | float | None:
    return None if value is None else json_number(value)


# --- project self-evaluation table (§2.7) ---------------------------------------------------------

FUNDS_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "annual_initial_budget": ("年初预算数", "年初预算"),
    "annual_budget": ("全年预算数", "调整后预算数", "全年预算"),
    "executed": ("全年执行数", "预算执行数", "全年执行"),
    "weight": ("分值", "权重"),
    "score": ("得分",),
}
INDICATOR_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标",),
    "nature": ("指标性质",),
    "target": ("年度指标值", "指标值", "年度目标值", "目标值"),
    "unit": ("计量单位", "度量单位"),
    "actual": ("实际完成值", "完成值", "全年实际值", "实际值"),
    "weight": ("分值", "权重"),
    "score": ("得分",),
    "note": ("偏差原因分析及改进措施", "偏差原因分析", "未完成原因分析", "偏差原因", "原因分析"),
    "standard": ("评分标准", "评分细则", "评分办法", "指标解释"),
}
FUNDS_LABELS: Final = ("年度资金总额", "资金总额", "项目资金总额")
NOTE_LABELS: Final = ("执行率偏低原因", "预算执行偏差原因", "资金执行偏差原因")
TOTAL_LABELS: Final = ("总分", "合计", "总计", "自评得分", "综合得分")
_FUNDS_NAMES: Final = {
    "annual_initial_budget": "年初预算数",
    "annual_budget": "全年预算数",
    "executed": "全年执行数",
    "weight": "资金分值",
    "score": "资金得分",
}


def _first_label(row: Sequence[str], skip: frozenset[int] = frozenset()) -> str:
    for c, cell in enumerate(row):
        if c not in skip and cell.strip():
            return label(cell)
    return ""


def _is_indicator_header(row: Sequence[str]) -> bool:
    cols = _columns(row, INDICATOR_COLUMNS)
    return "level1" in cols and "name" in cols


def recognise(grid: Grid) -> LayoutResult:
    """The exchange document printed in ``grid`` (project table or department-overall score sheet)."""
    reader = _Reader(grid)
    header = reader.find_row(0, _is_indicator_header)
    if header is None:
        reader.problem(
            None, None, f"{grid.source}中未找到“一级指标、二级指标、三级指标”表头，不是可识别的绩效自评表"
        )
        return LayoutResult(None, tuple(reader.problems))
    cols = _columns(grid.rows[header], INDICATOR_COLUMNS)
    if grid.page_starts:
        grid = join_split_rows(grid, header, cols)
        reader = _Reader(grid)
    if "standard" in cols:
        from jixiao.rules.overall import recognise_score_sheet

        return recognise_score_sheet(grid, reader, header, cols)
    return _project_table(reader, header, cols)


def join_split_rows(grid: Grid, header: int, cols: Mapping[str, int]) -> Grid:
    """A PDF row broken over a page comes back whole: a row that begins a page below the indicator
    header, with its 分值 and 得分 cells empty, continues the row before it when that one has them."""
    numbers = [c for c in (cols.get("weight"), cols.get("score")) if c is not None]
    rows: list[tuple[str, ...]] = []
    origin: list[int] = []
    skip = frozenset(range(cols["level1"]))
    for r, row in enumerate(grid.rows):
        previous = rows[-1] if rows else ()
        if (
            r > header + 1
            and not _is_total(previous, skip)
            and r in grid.page_starts
            and numbers
            and not _is_indicator_header(row)
            and all(not _at(row, c).strip() for c in numbers)
            and any(_at(previous, c).strip() for c in numbers)
        ):
            width = max(len(previous), len(row))
            rows[-1] = tuple(_at(previous, c) + _at(row, c) for c in range(width))
            continue
        rows.append(row)
        origin.append(r)
    position = {r: i for i, r in enumerate(origin)}
    unreadable = {(position[r], c): why for (r, c), why in grid.unreadable.items() if r in position}
    numbers_of = tuple(grid.number_of(r) for r in origin)
    return Grid(tuple(rows), unreadable, numbers_of, grid.lead, grid.source)


def _at(row: Sequence[str], c: int) -> str:
    return row[c] if c < len(row) else ""


def _project_table(reader: _Reader, header: int, cols: dict[str, int]) -> LayoutResult:
    missing = [name for key, name in (("target", "年度指标值"), ("actual", "实际完成值")) if key not in cols]
    if missing:
        reader.problem(header, None, f"指标表头缺少“{'、'.join(missing)}”列")
        return LayoutResult(None, tuple(reader.problems))
    year = _year(reader, header)
    title = _required_text(reader, ("项目名称",), header, "项目名称")
    unit = _required_text(reader, ("实施单位", "主管部门"), header, "实施单位")
    funds, execution_note = _funds(reader, header)
    indicators, end = _indicators(reader, header, cols)
    total = _total(reader, end, cols)
    grade = _grade(reader, end)
    doc: dict[str, object] = {
        "kind": KIND,
        "year": year,
        "unit": unit,
        "title": title,
        "amount_unit": _amount_unit(reader, header),
        "funds": funds,
        "indicators": indicators,
        "total": total,
        "grade": grade,
        "execution_note": execution_note,
    }
    return LayoutResult(doc, tuple(reader.problems))


def _funds(reader: _Reader, header: int) -> tuple[dict[str, object], str | None]:
    empty: dict[str, object] = dict.fromkeys(FUNDS_COLUMNS)
    funds_header = reader.find_row(0, lambda row: "annual_budget" in _columns(row, FUNDS_COLUMNS), header)
    if funds_header is None:
        reader.problem(None, None, "未找到预算执行表头（年初预算数、全年预算数、全年执行数）")
        return empty, None
    cols = _columns(reader.grid.rows[funds_header], FUNDS_COLUMNS)
    row = reader.find_row(
        funds_header + 1, lambda cells: any(_matches(c, FUNDS_LABELS) for c in cells), header
    )
    if row is None:
        reader.problem(funds_header, None, f"预算执行表头下未找到“{FUNDS_LABELS[0]}”行")
        return empty, None
    funds: dict[str, object] = {
        key: _num(reader.number(row, cols.get(key), name)) for key, name in _FUNDS_NAMES.items()
    }
    note_row = reader.find_row(
        funds_header + 1, lambda cells: _matches(_first_label(cells), NOTE_LABELS), header
    )
    note = None
    if note_row is not None:
        first = next(c for c, cell in enumerate(reader.grid.rows[note_row]) if cell.strip())
        c2 = _next_value_column(reader.grid.rows[note_row], first)
        note = None if c2 is None else reader.text(note_row, c2, "执行率偏低原因")
    return funds, note or None


def _is_total(row: Sequence[str], skip: frozenset[int]) -> bool:
    """The total row, whether its label sits in the indicator columns or spans from the first one."""
    return _matches(_first_label(row, skip), TOTAL_LABELS) or _matches(_first_label(row), TOTAL_LABELS)


def _indicators(reader: _Reader, header: int, cols: dict[str, int]) -> tuple[list[dict[str, object]], int]:
    """Indicator rows from below the header to the total row; returns them and the total row."""
    rows = reader.grid.rows
    # A column left of 一级指标 holds the merged "绩效指标" label; it is not part of any row.
    skip = frozenset(range(cols["level1"]))
    out: list[dict[str, object]] = []
    level1 = level2 = ""
    r = header + 1
    while r < len(rows) and not _is_total(rows[r], skip):
        row = rows[r]
        if _is_indicator_header(row) or not any(cell.strip() for c, cell in enumerate(row) if c not in skip):
            r += 1
            continue
        l1 = reader.text(r, cols["level1"], "一级指标")
        l2 = reader.text(r, cols.get("level2"), "二级指标")
        level1 = split_weight(l1)[0] if l1 else level1
        level2 = split_weight(l2)[0] if l2 else level2
        out.append(_indicator(reader, r, cols, level1, level2))
        r += 1
    return out, r


def _with_unit(value: str | None, unit: str | None, nature: str | None) -> str | None:
    if value is None or unit is None or nature is None:
        return None
    text = nature + value if nature and not value.startswith(nature) else value
    return text + unit if unit and value and not value.endswith(unit) else text


def _indicator(reader: _Reader, r: int, cols: dict[str, int], level1: str, level2: str) -> dict[str, object]:
    unit = reader.text(r, cols.get("unit"), "计量单位")
    nature = reader.text(r, cols.get("nature"), "指标性质")
    note = reader.text(r, cols.get("note"), "偏差原因分析")
    return {
        "level1": level1,
        "level2": level2,
        "name": reader.text(r, cols["name"], "三级指标"),
        "target": _with_unit(reader.text(r, cols["target"], "年度指标值"), unit, nature),
        "actual": _with_unit(reader.text(r, cols["actual"], "实际完成值"), unit, ""),
        "weight": _num(reader.number(r, cols.get("weight"), "分值")),
        "score": _num(reader.number(r, cols.get("score"), "得分")),
        "note": note or None,
    }


def _total(reader: _Reader, r: int, cols: dict[str, int]) -> int | float | None:
    if r >= len(reader.grid.rows):
        return None
    c = cols.get("score")
    if c is not None and reader.grid.cell(r, c).strip() and label(reader.grid.cell(r, c)) not in TOTAL_LABELS:
        return _num(reader.number(r, c, "总分"))
    return None
