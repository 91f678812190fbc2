"""Tables that sort, filter, paginate and export exactly what is on screen (stack.md F1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from jixiao.core import spreadsheets
from jixiao.rules.money import format_wan


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: attribute path ("unit.name") or a callable(row) -> value
    value: str | Callable[[Any], Any] = ""
    sort: str = ""
    #: text | wan (分 shown as 万元) | percent (82.34 shown as 82.34%) | decimal (score, 2 places) | bool | date | link | code
    #: (an identifier shown as typed, e.g. a login name: marked translate="no")
    kind: str = "text"
    width: int = 16

    def raw(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        obj = row
        for part in (self.value or self.key).split("."):
            obj = getattr(obj, part, None)
            if callable(obj) and not isinstance(obj, Model):
                obj = obj()
            if obj is None:
                return None
        return obj

    def display(self, row: Any) -> str:
        value = self.raw(row)
        if value is None:
            return ""
        if self.kind == "wan":
            return format_wan(value)
        if self.kind == "percent":
            return f"{value:.2f}%"
        if self.kind == "decimal":
            return f"{value:.2f}"
        if self.kind == "bool":
            return "是" if value else "否"
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        return str(value)

    def export_value(self, row: Any) -> Any:
        """The cell: amounts with full 分 precision shown as 万元, typed numbers, dates and
        percentages; everything else as the text on the page."""
        value = self.raw(row)
        if value is None:
            return None
        if self.kind == "wan":
            return spreadsheets.wan(value)
        if self.kind == "percent":
            return spreadsheets.percent(value)
        if self.kind == "decimal":
            return spreadsheets.decimal(value)
        if self.kind == "bool":
            return bool(value)
        if isinstance(value, date | int | float | Decimal) and not isinstance(value, bool):
            return value
        return self.display(row)


@dataclass
class Table:
    columns: list[Column]
    rows: list[Any]
    sort: str = ""
    page: Any = None
    sortable: dict[str, str] = field(default_factory=dict)

    def cells(self) -> list[tuple[Any, list[tuple[Column, str]]]]:
        return [(row, [(c, c.display(row)) for c in self.columns]) for row in self.rows]


def apply_sort(qs: QuerySet[Any], columns: list[Column], sort: str, default: str) -> tuple[QuerySet[Any], str]:
    allowed = {c.key: c.sort for c in columns if c.sort}
    key = sort.lstrip("-")
    if key in allowed:
        field_name = allowed[key]
        return qs.order_by(("-" if sort.startswith("-") else "") + field_name, "pk"), sort
    return qs.order_by(default, "pk") if default else qs, ""


def to_workbook(title: str, columns: list[Column], rows: Any, note: str = "") -> bytes:
    """An .xlsx of the rows as listed: same columns, same order, typed cells (amounts in 万元)."""
    wb = spreadsheets.new_workbook()
    ws = wb.create_sheet(title[:31])
    spreadsheets.append(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    spreadsheets.append(ws, [note or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    header = [c.label + ("（万元）" if c.kind == "wan" and "万元" not in c.label else "") for c in columns]
    spreadsheets.append(ws, header)
    for i, _ in enumerate(header, start=1):
        cell = ws.cell(row=3, column=i)
        cell.font = Font(bold=True)
        cell.fill = spreadsheets.HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = columns[i - 1].width
    for row in rows:
        spreadsheets.append(ws, [c.export_value(row) for c in columns])
    ws.freeze_panes = "A4"
    spreadsheets.print_setup(ws, "3:3")
    return spreadsheets.to_bytes(wb)


def stream_workbook(title: str, columns: list[Column], rows: Any, out: Any, note: str = "",
                    progress: Callable[[int], None] | None = None, every: int = 2000) -> int:
    """The same workbook as :func:`to_workbook`, written row by row in openpyxl's write-only mode into
    the file ``out`` (memory stays flat whatever the number of rows); ``progress(rows written)`` is
    called every ``every`` rows. Returns the number of rows."""
    wb = spreadsheets.new_workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A4"
    spreadsheets.print_setup(ws, "3:3")
    spreadsheets.append(ws, [spreadsheets.styled(ws, title, bold=True, size=14)])
    spreadsheets.append(ws, [note or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    header = [c.label + ("（万元）" if c.kind == "wan" and "万元" not in c.label else "") for c in columns]
    spreadsheets.append(ws, [spreadsheets.styled(ws, h, bold=True, fill=spreadsheets.HEADER_FILL, wrap=True, center=True)
                             for h in header])
    count = 0
    for row in rows:
        spreadsheets.append(ws, [c.export_value(row) for c in columns])
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    wb.save(out)
    return count
