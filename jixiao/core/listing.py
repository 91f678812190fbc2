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

_PK_MARK = 918273645  # a pk no row has, reversed into a list's detail URL and replaced by each row's


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
        return self.text(self.raw(row))

    def text(self, value: Any) -> str:
        """A raw value as the page shows it."""
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
        return self.text(value)


@dataclass
class Table:
    columns: list[Column]
    rows: list[Any]
    sort: str = ""
    page: Any = None
    sortable: dict[str, str] = field(default_factory=dict)

    def cells(self) -> list[tuple[Any, list[tuple[Column, str]]]]:
        return [(row, [(c, c.display(row)) for c in self.columns]) for row in self.rows]

    def body_html(self, selectable: bool = False, detail_url_name: str = "") -> str:
        """The body rows exactly as ``core/_table.html`` writes them, built in Python (a list page's
        cells through the template engine cost more than its SQL); "" when there are no rows."""
        from django.urls import reverse
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        opens = [f'<td class="{escape(c.kind)}"' + (' translate="no">' if c.kind == "code" else ">") for c in self.columns]
        # the detail URL reversed once, each row's pk put in its place (not 50 reverse() calls a page)
        url = escape(reverse(detail_url_name, args=[_PK_MARK])) if detail_url_name else ""
        before, _, after = url.rpartition(str(_PK_MARK))
        lines = []
        for row in self.rows:
            parts = ["<tr>"]
            if selectable:
                parts.append(f'<td class="no-print"><input type="checkbox" class="row-select" value="{escape(row.pk)}"></td>')
            for n, (column, start) in enumerate(zip(self.columns, opens, strict=True)):
                text: str = escape(column.display(row))
                if n == 0 and detail_url_name:
                    text = f'<a href="{before}{escape(row.pk)}{after}">{text}</a>'
                parts.append(f"{start}{text}</td>")
            parts.append("</tr>\n")
            lines.append("".join(parts))
        return mark_safe("".join(lines))


def apply_sort(qs: QuerySet[Any], columns: list[Column], sort: str, default: str) -> tuple[QuerySet[Any], str]:
    allowed = {c.key: c.sort for c in columns if c.sort}
    key = sort.lstrip("-")
    if key in allowed:
        # The tie-breaker follows the direction, so an index on (field, id) serves both directions.
        direction = "-" if sort.startswith("-") else ""
        return qs.order_by(direction + allowed[key], direction + "pk"), sort
    return qs.order_by(default, "pk") if default else qs, ""


def to_workbook(title: str, columns: list[Column], rows: Any, note: str = "") -> bytes:
    """An .xlsx of the rows as listed: same columns, same order, typed cells (amounts in 万元)."""
    return cells_workbook(title, columns, ([c.export_value(row) for c in columns] for row in rows), note)


def cells_workbook(title: str, columns: list[Column], cells: Any, note: str = "") -> bytes:
    """:func:`to_workbook` of rows given as their cells (each row the columns' :meth:`Column.export_value`)."""
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
    for row in cells:
        spreadsheets.append(ws, row)
    ws.freeze_panes = "A4"
    spreadsheets.print_setup(ws, "3:3")
    return spreadsheets.to_bytes(wb)


def stream_workbook(title: str, columns: list[Column], rows: Any, out: Any, note: str = "",
                    progress: Callable[[int], None] | None = None, every: int = 2000) -> int:
    """The same table as :func:`to_workbook` (columns, typed cells, frozen header, print setup), written
    row by row into the file ``out`` by ``spreadsheets.stream_table`` — memory stays flat whatever the
    number of rows; ``progress(rows written)`` every ``every`` rows. Returns the number of rows."""
    return stream_cells(title, columns, ([c.export_value(row) for c in columns] for row in rows), out, note=note,
                        progress=progress, every=every)


def stream_cells(title: str, columns: list[Column], cells: Any, out: Any, note: str = "",
                 progress: Callable[[int], None] | None = None, every: int = 2000) -> int:
    """:func:`stream_workbook` of rows given as their cells already (each row a list of the columns'
    :meth:`Column.export_value`), e.g. read from the database as values without model instances."""
    header = [c.label + ("（万元）" if c.kind == "wan" and "万元" not in c.label else "") for c in columns]
    return spreadsheets.stream_table(out, title, header, [c.width for c in columns], cells, note=note,
                                     progress=progress, every=every)
