"""Staged validation of uploaded workbooks (FAC ADR-0015 pattern, security.md §3.5).

Stages: file type → "is it a workbook" → header → each cell's type → cross-row and database
checks → write everything in one transaction, or nothing. Every problem names the row (as
Excel numbers it) and the column; the same list comes back as an annotated workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from jixiao.core.filelimits import BUDGET_DATA, XLS_MAGIC, XLSX_MAGIC, FileRefused, Limits, guard, run_limited

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (excel row number, values)


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError], sheet: Sheet | None = None) -> None:
        super().__init__("；".join(str(e) for e in errors[:5]))
        self.errors = errors
        self.sheet = sheet

    def __reduce__(self) -> tuple[Any, ...]:  # crosses the parser's process boundary (run_limited)
        return (ImportRejected, (self.errors, self.sheet))


def read_sheet(content: bytes, filename: str, required: Iterable[str], aliases: dict[str, str] | None = None,
               limits: Limits = BUDGET_DATA) -> Sheet:
    """Read the first sheet; header row is the first non-empty row. Raises ImportRejected.

    The file is checked against ``limits`` before anything is read, and parsed in a child process
    with memory and time limits (``core.filelimits``)."""
    name = filename.lower()
    if not (name.endswith(".xlsx") or name.endswith(".xls")):
        raise ImportRejected([RowError(0, "", "只接受Excel文件（.xlsx 或 .xls）。")])
    if not (content.startswith(XLSX_MAGIC) or content.startswith(XLS_MAGIC)):
        raise ImportRejected([RowError(0, "", "文件内容不是Excel工作簿，请用Excel另存为 .xlsx 后重新上传。")])
    try:
        guard(content, filename, limits)
        data = run_limited(_first_sheet, content)
    except FileRefused as exc:
        raise ImportRejected([RowError(0, "", str(exc))]) from None
    aliases = aliases or {}
    header_index = next((i for i, r in enumerate(data) if any(str(c).strip() for c in r)), None)
    if header_index is None:
        raise ImportRejected([RowError(0, "", "工作簿第一个工作表是空的。")])
    headers = [aliases.get(_clean(h), _clean(h)) for h in data[header_index]]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportRejected([RowError(header_index + 1, h, "缺少该列，请使用系统提供的导入模板。") for h in missing])
    sheet = Sheet(headers=headers)
    for offset, raw in enumerate(data[header_index + 1:], start=header_index + 2):
        values = {h: raw[i] if i < len(raw) else "" for i, h in enumerate(headers) if h}
        if any(str(v).strip() for v in values.values()):
            sheet.rows.append((offset, values))
    if not sheet.rows:
        raise ImportRejected([RowError(0, "", "文件中没有数据行。")])
    return sheet


def _first_sheet(content: bytes) -> list[list[Any]]:
    """The first sheet's cells (run in the limited child process)."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)  # type: ignore[no-any-return]
    except Exception:
        raise ImportRejected([RowError(0, "", "无法读取该Excel文件，文件可能已损坏或加密。")]) from None


def _clean(value: Any) -> str:
    return str(value or "").replace("\n", "").replace(" ", "").replace("\u3000", "").strip()


def text(value: Any) -> str:
    """A cell as text: 101.0 read from Excel becomes "101" (codes are often typed as numbers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


def annotated_workbook(sheet: Sheet, errors: list[RowError], title: str) -> bytes:
    """The uploaded rows with each error marked on its cell and listed in a last column."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    headers = [*sheet.headers, "错误说明"]
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    by_row: dict[int, list[RowError]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(e)
    for excel_row, values in sheet.rows:
        ws.append([values.get(h, "") for h in sheet.headers] + ["；".join(e.message for e in by_row.get(excel_row, []))])
        out_row = ws.max_row
        for e in by_row.get(excel_row, []):
            if e.column in sheet.headers:
                cell = ws.cell(row=out_row, column=sheet.headers.index(e.column) + 1)
                cell.fill = red
                cell.comment = Comment(e.message, "绩效系统")
    file_errors = [e for e in errors if e.row not in {r for r, _ in sheet.rows}]
    if file_errors:
        ws2 = wb.create_sheet("文件级问题")
        for e in file_errors:
            ws2.append([str(e)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


