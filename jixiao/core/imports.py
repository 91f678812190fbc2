"""Staged validation of uploaded workbooks (FAC ADR-0015 pattern, security.md §3.5).

Stages: file type → "is it a workbook" → header → each cell's type → cross-row and database
checks → write everything in one transaction, or nothing. Every problem names the row (as
Excel numbers it) and the column; the same list comes back as an annotated workbook.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from jixiao.core.filelimits import BUDGET_DATA, XLS_MAGIC, XLSX_MAGIC, FileRefused, Limits, guard, run_limited
from jixiao.core.spreadsheets import ERROR, HEADER, StreamSheet, restore_text, stream_workbook

__all__ = ["XLSX_MAGIC", "XLS_MAGIC", "ImportRejected", "RowError", "Sheet", "collector_paused", "open_workbook",
           "read_table"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while an import reads, checks and writes its rows.

    An import of tens of thousands of rows allocates hundreds of thousands of cells, dicts and lists
    that reference counting frees without help; each of them counts towards the collector's
    thresholds, and the full collections they trigger scan the whole process (a fifth of a
    20,000-row import's time, ``bench/bench_import.py``). The collector runs again on leaving."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class RowError:
    row: int  # Excel row number (header is row 1); 0 for a file-level problem
    column: str  # Chinese header, or "" for a whole-row / file problem
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        col = f"「{self.column}」列" if self.column else ""
        return f"{where}{col}：{self.message}"


@dataclass
class Sheet:
    headers: list[str]  # canonical column names (aliases resolved, unit suffix removed)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (excel row number, values)
    #: the header row exactly as the file had it, the rows above it (titles) and its Excel row number
    raw_headers: list[Any] = field(default_factory=list)
    preamble: list[list[Any]] = field(default_factory=list)
    header_row: int = 1
    #: 合计/小计 rows the reader skipped: (excel row number, raw values)
    skipped: list[tuple[int, list[Any]]] = field(default_factory=list)
    #: amount column → "元" or "万元" as its header (or a 单位 line above it) states
    units: dict[str, str] = field(default_factory=dict)
    #: the raw values of each data row, for the annotated workbook
    raw_rows: dict[int, list[Any]] = field(default_factory=dict)

    def notes(self) -> list[str]:
        """What the reader did on its own, to tell the user (total rows skipped)."""
        return [f"已跳过第{n}行（{_total_label(raw)}行），合计数由系统按明细计算。" for n, raw in self.skipped]


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError], sheet: Sheet | None = None) -> None:
        super().__init__("；".join(str(e) for e in errors[:5]))
        self.errors = errors
        self.sheet = sheet

    def __reduce__(self) -> tuple[Any, ...]:  # crosses the parser's process boundary (run_limited)
        return (ImportRejected, (self.errors, self.sheet))


#: how many rows at the top may be titles before the header row
HEADER_SEARCH_ROWS = 30
TOTAL_ROW = re.compile(r"^(合计|小计|总计|本页合计|累计)[:：]?")
TOTAL_START = frozenset("合小总本累")
TOTAL_CHAR = re.compile("[合小总本累]")  # any first character of a total label in a row's text
UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)[（(](?P<unit>万元|元)[）)]$")
UNIT_LINE = re.compile(r"(?:金额)?单位[:：]\s*(?P<unit>万元|元)")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def read_table(
    content: bytes,
    filename: str,
    required: Iterable[str],
    aliases: dict[str, str] | None = None,
    amounts: Iterable[str] = (),
    limits: Limits = BUDGET_DATA,
) -> Sheet:
    """The one reading entry point of every import: .xlsx, .xls or .csv (UTF-8, GBK/GB18030).

    The header row is found among the first rows by its column names (budget and treasury exports
    start with title rows); 合计/小计 rows are skipped and reported; an amount column must state
    its unit (元 or 万元) in its header or in a "单位：万元" line above it. Raises ImportRejected.

    The file is checked against ``limits`` before anything is read, and a workbook is parsed in a
    child process with memory and time limits (``core.filelimits``).
    """
    required = list(required)
    check_upload(content, filename, limits)
    data = _read_rows(content, filename)
    aliases = aliases or {}
    amounts = set(amounts)
    header_index, headers, units = _find_header(data, required, aliases, amounts)
    header_row = header_index + 1
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportRejected([RowError(header_row, h, "缺少该列，请使用系统提供的导入模板。") for h in missing])
    sheet = Sheet(headers=headers, raw_headers=list(data[header_index]), preamble=[list(r) for r in data[:header_index]],
                  header_row=header_row, units=units)
    stated = _unit_line(data[:header_index])
    errors = []
    for name in sorted(amounts & set(headers)):
        if name not in units:
            if stated:
                units[name] = stated
            else:
                errors.append(RowError(header_row, name, f"「{name}」列没有注明金额单位，请把列名改为「{name}（元）」"
                                                         f"或「{name}（万元）」后重新上传；系统不猜测金额单位。"))
    if errors:
        raise ImportRejected(errors)
    names = [h for h in headers if h]
    picks = [i for i, h in enumerate(headers) if h]
    width = max(picks) + 1 if picks else 0
    # the named columns' cells of a row (itemgetter returns a bare value for a single index)
    pick: Any = itemgetter(*picks) if len(picks) > 1 else lambda cells: tuple(cells[i] for i in picks)
    rows, raw_rows, skipped = sheet.rows, sheet.raw_rows, sheet.skipped
    for number, cells in enumerate(data[header_index + 1:], start=header_row + 1):
        # one C-level look at the row's text decides whether the per-cell checks are needed
        strings = [c for c in cells if c.__class__ is str]
        texts = "\0" + "\0".join(strings)
        if "\0'" in texts:
            cells = [restore_text(c) if c.__class__ is str else c for c in cells]
        if len(strings) + cells.count(None) == len(cells) and not "".join(strings).strip():
            continue  # empty: nothing but blanks
        if TOTAL_CHAR.search(texts) and any(
                c.__class__ is str and c.lstrip()[:1] in TOTAL_START and TOTAL_ROW.match(_clean(c)) for c in cells[:6]):
            skipped.append((number, cells))
            continue
        padded = cells if len(cells) >= width else [*cells, *[""] * (width - len(cells))]
        rows.append((number, dict(zip(names, pick(padded), strict=True))))
        raw_rows[number] = cells
    if not sheet.rows:
        raise ImportRejected([RowError(0, "", "文件中没有数据行。")])
    return sheet


def open_workbook(content: bytes, filename: str, limits: Limits) -> Any:
    """A workbook the product handed out (target and self-evaluation workbooks), opened with its
    cells addressable after the same checks as every import. Raises ImportRejected."""
    check_upload(content, filename, limits)
    if not content.startswith(XLSX_MAGIC):
        raise ImportRejected([RowError(0, "", "文件内容不是Excel工作簿（.xlsx），请上传从本系统下载的工作簿。")])
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), data_only=True)
    except Exception:
        raise ImportRejected([RowError(0, "", "无法读取该Excel工作簿，文件可能已损坏。")]) from None


def check_upload(content: bytes, filename: str, limits: Limits) -> None:
    """Checks before anything is parsed: type, then size, dimensions and compression (``filelimits``)."""
    name = filename.lower()
    if not name.endswith(".csv"):
        if not (name.endswith(".xlsx") or name.endswith(".xls")):
            raise ImportRejected([RowError(0, "", "只接受Excel文件（.xlsx 或 .xls）或CSV文件（.csv）。")])
        if not (content.startswith(XLSX_MAGIC) or content.startswith(XLS_MAGIC)):
            raise ImportRejected([RowError(0, "", "文件内容不是Excel工作簿，请用Excel另存为 .xlsx 后重新上传。")])
    try:
        guard(content, filename, limits)
    except FileRefused as exc:
        raise ImportRejected([RowError(0, "", str(exc))]) from None


def _read_rows(content: bytes, filename: str) -> list[list[Any]]:
    if filename.lower().endswith(".csv"):
        for encoding in CSV_ENCODINGS:
            try:
                decoded = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise ImportRejected([RowError(0, "", "无法识别CSV文件的编码，请另存为UTF-8编码。")])
        return [list(r) for r in csv.reader(io.StringIO(decoded))]
    try:
        return run_limited(_first_sheet, content)
    except FileRefused as exc:
        raise ImportRejected([RowError(0, "", str(exc))]) from None


def _first_sheet(content: bytes) -> list[list[Any]]:
    """The first sheet's cells (run in the limited child process)."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [list(r) for r in wb.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    except Exception:
        raise ImportRejected([RowError(0, "", "无法读取该Excel文件，文件可能已损坏或加密。")]) from None


def _canonical(raw: Any, aliases: dict[str, str], amounts: set[str]) -> tuple[str, str]:
    """(column name, unit stated in the header or "")."""
    name = _clean(raw)
    name = aliases.get(name, name)
    match = UNIT_SUFFIX.match(name)
    unit = ""
    if match:
        base = aliases.get(match["name"], match["name"])
        if base in amounts:
            name, unit = base, match["unit"]
    return name, unit


def _find_header(data: list[list[Any]], required: list[str], aliases: dict[str, str],
                 amounts: set[str]) -> tuple[int, list[str], dict[str, str]]:
    """The header row: the first of the top rows holding every required column name; otherwise the
    one holding most of them (its missing columns are then reported)."""
    best: tuple[int, int] | None = None
    for i, raw in enumerate(data[:HEADER_SEARCH_ROWS]):
        if not any(_filled(c) for c in raw):
            continue
        names = [_canonical(c, aliases, amounts)[0] for c in raw]
        hits = sum(1 for h in required if h in names)
        if hits == len(required) and (required or best is None):
            best = (i, hits)
            break
        if best is None or hits > best[1]:
            best = (i, hits)
    if best is None:
        raise ImportRejected([RowError(0, "", "工作簿第一个工作表是空的。")])
    parsed = [_canonical(c, aliases, amounts) for c in data[best[0]]]
    return best[0], [n for n, _u in parsed], {n: u for n, u in parsed if u}


def _unit_line(rows: list[list[Any]]) -> str:
    for raw in rows:
        for c in raw:
            match = UNIT_LINE.search(_clean(c))
            if match:
                return match["unit"]
    return ""


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _total_label(raw: list[Any]) -> str:
    return next((_clean(c) for c in raw if isinstance(c, str) and TOTAL_ROW.match(_clean(c))), "合计")


def _clean(value: Any) -> str:
    return str(value or "").replace("\n", "").replace(" ", "").replace("\u3000", "").strip()


def text(value: Any) -> str:
    """A cell as text: 101.0 read from Excel becomes "101" (codes are often typed as numbers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


def annotated_workbook(sheet: Sheet, errors: list[RowError], title: str) -> bytes:
    """The uploaded file back with each error marked on its cell and listed in a last column.

    Every row keeps its Excel row number and the header is kept exactly (with its unit), so the
    corrected file uploads as the original did. One linear pass, written as XML text
    (``spreadsheets.StreamSheet``)."""
    ws = StreamSheet(title)
    error_column = len(sheet.raw_headers) + 1
    by_row: dict[int, list[RowError]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(e)
    positions = {h: i for i, h in enumerate(sheet.headers) if h}
    rows: dict[int, list[Any]] = dict(sheet.raw_rows)
    rows.update(sheet.skipped)
    for raw in sheet.preamble:
        ws.append(raw)
    while len(ws.rows) + 1 < sheet.header_row:
        ws.skip()
    header = [*sheet.raw_headers, *[None] * (error_column - 1 - len(sheet.raw_headers)), "错误说明"]
    ws.append(header, {error_column - 1: ERROR}, row_style=HEADER)
    for number in sorted(rows):
        while len(ws.rows) + 1 < number:
            ws.skip()
        raw = rows[number]
        row_errors = by_row.get(number)
        if not row_errors:
            ws.append(raw)
            continue
        marked: dict[int, list[str]] = {}
        for e in row_errors:
            if e.column in positions:
                marked.setdefault(positions[e.column], []).append(e.message)
        cells = list(raw[:error_column - 1]) + [None] * (error_column - 1 - len(raw))
        cells.append("；".join(e.message for e in row_errors))
        ws.append(cells, dict.fromkeys(marked, ERROR), comments={i: "；".join(m) for i, m in marked.items()})
    sheets = [ws]
    file_errors = [e for e in errors if e.row not in rows]
    if file_errors:
        problems = StreamSheet("文件级问题")
        for e in file_errors:
            problems.append([str(e)])
        sheets.append(problems)
    return stream_workbook(sheets)
