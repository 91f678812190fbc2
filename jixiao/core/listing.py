"""Tables that sort, filter, paginate and export exactly what is on screen (stack.md F1)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jixiao.rules.money import fen_to_wan, format_wan


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: attribute path ("unit.name") or a callable(row) -> value
    value: str | Callable[[Any], Any] = ""
    sort: str = ""
    kind: str = "text"  # text | wan (分 shown as 万元) | bool | date | link
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
        if self.kind == "bool":
            return "是" if value else "否"
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        return str(value)

    def export_value(self, row: Any) -> Any:
        value = self.raw(row)
        if value is None:
            return None
        if self.kind == "wan":
            return float(fen_to_wan(value))
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
    """An .xlsx of the rows as listed: same columns, same order, amounts in 万元."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([note or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    header = [c.label + ("（万元）" if c.kind == "wan" else "") for c in columns]
    ws.append(header)
    for i, _ in enumerate(header, start=1):
        cell = ws.cell(row=3, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = columns[i - 1].width
    for row in rows:
        ws.append([c.export_value(row) for c in columns])
    for i, c in enumerate(columns, start=1):
        if c.kind == "wan":
            for (cell,) in ws.iter_rows(min_row=4, min_col=i, max_col=i):
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
