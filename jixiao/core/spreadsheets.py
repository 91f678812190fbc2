"""The one writer of every workbook the product hands out (stack.md D6, issue 17 item 7).

* Text is always a string cell, and text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is neutralised the way OWASP recommends for spreadsheet exports (a leading
  apostrophe), so a username such as ``=HYPERLINK(...)`` is never a live formula. Readers of our
  own workbooks call :func:`restore_text` to get the typed text back.
* Numbers, dates and percentages are typed cells with number formats; amounts keep their full 分
  precision in the cell and show two decimals by format, so sums in Excel equal the page's.
* A formula the product means to write is a :class:`Formula`; nothing else becomes one.
* Workbook sheets can be protected with only the input cells unlocked, and set up to print one
  page wide with print titles.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
WAN_FORMAT = "#,##0.00"
YUAN_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
DECIMAL_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Formula:
    """A formula the product writes on purpose (e.g. an execution rate from two cells)."""

    text: str


@dataclass(frozen=True)
class Typed:
    """A value with its number format (amounts, percentages, scores)."""

    value: Any
    number_format: str


def safe_text(value: str) -> str:
    """Text as it may be written into a cell: never read as a formula by any spreadsheet."""
    return NEUTRALISER + value if value.startswith(FORMULA_PREFIXES) else value


def restore_text(value: Any) -> Any:
    """What :func:`safe_text` wrote, back as the text the product stored (reading our own workbooks)."""
    if isinstance(value, str) and value.startswith(NEUTRALISER) and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def wan(fen: int | None) -> Typed | None:
    """An amount in 分 as a 万元 cell with full precision, shown with two decimals."""
    return None if fen is None else Typed(fen / 1_000_000, WAN_FORMAT)


def yuan(fen: int | None) -> Typed | None:
    return None if fen is None else Typed(fen / 100, YUAN_FORMAT)


def percent(value: Decimal | float | None) -> Typed | None:
    """A percentage given as 82.34 (meaning 82.34 %) as a percent cell."""
    return None if value is None else Typed(float(value) / 100, PERCENT_FORMAT)


def decimal(value: Decimal | float | None, number_format: str = DECIMAL_FORMAT) -> Typed | None:
    return None if value is None else Typed(float(value), number_format)


def _plain(value: Any) -> tuple[Any, str | None]:
    """A Python value as (cell value, number format)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, Typed):
        inner, fmt = _plain(value.value)
        return inner, value.number_format if inner is not None else fmt
    if isinstance(value, Formula):
        return "=" + value.text.lstrip("="), None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, Decimal):
        return (int(value) if value == value.to_integral_value() else float(value)), None
    if isinstance(value, int | float):
        return value, None
    return safe_text(str(value)), None


def set_cell(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one cell of a normal worksheet through the same rules as :func:`append`."""
    plain, fmt = _plain(value)
    cell = ws.cell(row=row, column=column)
    cell.value = plain
    if isinstance(plain, str) and not isinstance(value, Formula):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    return cell


def append(ws: Any, values: Iterable[Any]) -> None:
    """Append one row to a normal or write-only worksheet: typed cells, neutralised text."""
    if type(ws).__name__ == "WriteOnlyWorksheet":
        cells = []
        for value in values:
            if isinstance(value, Cell):  # already built (styled, with a comment)
                cells.append(value)
                continue
            plain, fmt = _plain(value)
            cell = WriteOnlyCell(ws, value=plain)
            if isinstance(plain, str) and not isinstance(value, Formula):
                cell.data_type = "s"
            if fmt:
                cell.number_format = fmt
            cells.append(cell)
        ws.append(cells)
        return
    items = list(values)
    plains = [_plain(v) for v in items]
    ws.append([p for p, _ in plains])
    row = ws._current_row
    for column, ((plain, fmt), value) in enumerate(zip(plains, items, strict=True), start=1):
        if plain is None:
            continue
        cell = ws.cell(row=row, column=column)
        if isinstance(plain, str) and not isinstance(value, Formula):
            cell.data_type = "s"
        if fmt:
            cell.number_format = fmt


def styled(ws: Any, value: Any, *, bold: bool = False, fill: PatternFill | None = None,
           size: float | None = None, wrap: bool = False, center: bool = False) -> WriteOnlyCell:
    """A write-only cell with a style (header rows of streamed workbooks)."""
    plain, fmt = _plain(value)
    cell = WriteOnlyCell(ws, value=plain)
    if isinstance(plain, str):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    if bold or size:
        cell.font = Font(bold=bold, size=size or 11)
    if fill is not None:
        cell.fill = fill
    if wrap or center:
        cell.alignment = Alignment(wrap_text=wrap, horizontal="center" if center else None)
    return cell


def new_workbook(write_only: bool = False) -> Workbook:
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def print_setup(ws: Worksheet, title_rows: str = "", landscape: bool = True) -> None:
    """A4, one page wide (as many pages tall as needed), print titles repeated, centred."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def protect(ws: Worksheet, input_cells: Iterable[Any]) -> None:
    """Lock the sheet: only ``input_cells`` (cells or ranges of cells) stay editable, marked yellow."""
    for item in input_cells:
        for cell in _cells(item):
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def protect_structure(wb: Workbook) -> None:
    """Sheets cannot be added, removed, renamed or unhidden."""
    from openpyxl.workbook.protection import WorkbookProtection

    wb.security = WorkbookProtection(lockStructure=True)


def _cells(item: Any) -> Iterable[Any]:
    if isinstance(item, tuple):
        for row in item:
            yield from (row if isinstance(row, tuple) else (row,))
    else:
        yield item
