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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape as xml_escape

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


def print_setup(ws: Any, title_rows: str = "", landscape: bool = True) -> None:
    """A4, one page wide (as many pages tall as needed), print titles repeated, centred."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
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


# --- a streaming writer for large plain sheets (annotated error workbooks) ---------------------------

#: cell styles of :class:`StreamSheet`: plain, header (bold, blue-grey), error (red fill), date, date-time
PLAIN, HEADER, ERROR, DATE, DATETIME = 0, 1, 2, 3, 4
#: … and for list exports: amounts (万元/元, two decimals), percentages, scores, the bold title
AMOUNT, PERCENT, DECIMAL2, TITLE = 5, 6, 7, 8
_FORMAT_STYLES = {WAN_FORMAT: AMOUNT, YUAN_FORMAT: AMOUNT, PERCENT_FORMAT: PERCENT, DECIMAL_FORMAT: DECIMAL2,
                  DATE_FORMAT: DATE, DATETIME_FORMAT: DATETIME}
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = datetime(1899, 12, 30)
_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [_column_letters(n) for n in range(1, 703)]


_INFINITIES = (float("inf"), float("-inf"))
#: a cell's style attribute by style number; the plain style is the default and is left out
_S = [""] + [f' s="{n}"' for n in range(1, TITLE + 1)]
_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(value: str) -> str:
    if not _XML_SPECIAL.search(value):
        return value
    return xml_escape(_ILLEGAL_XML.sub("", value))


class StreamSheet:
    """A sheet written as XML text in one pass: the same cell rules as :func:`append` (typed numbers
    and dates, neutralised text), a few fixed styles and cell comments. Thousands of rows a second
    where openpyxl's cell objects would take minutes."""

    def __init__(self, title: str) -> None:
        self.title = title[:31]
        self.rows: list[str] = []
        self.comments: list[tuple[int, int, str]] = []  # (row, column, text), 1-based
        self.width = 0

    def skip(self) -> None:
        """An empty row (keeps the following rows' numbers)."""
        self.rows.append("")

    def append(self, values: Iterable[Any], styles: dict[int, int] | None = None, row_style: int = PLAIN,
               comments: dict[int, str] | None = None) -> None:
        """One row; ``styles`` and ``comments`` by 0-based column."""
        number = len(self.rows) + 1
        self.rows.append(self.row_xml(number, values, styles, row_style))
        for col, text in (comments or {}).items():
            self.comments.append((number, col + 1, text))

    def row_xml(self, number: int, values: Iterable[Any], styles: dict[int, int] | None = None,
                row_style: int = PLAIN) -> str:
        """The cells of row ``number`` as XML (:class:`Typed` values keep their number format)."""
        parts = []
        column = -1
        values = values if isinstance(values, list | tuple) else list(values)
        # one search over the row's text: most rows need no escaping at all
        escape = _XML_SPECIAL.search("".join([v for v in values if v.__class__ is str])) is not None
        row = str(number)
        style = row_style
        for column, value in enumerate(values):
            if styles:
                style = styles.get(column, row_style)
            kind = value.__class__
            # the commonest cells first, written without _plain: text, whole numbers, amounts and rates
            if kind is str:
                if value:
                    if value[0] in _FORMULA_STARTS:
                        value = NEUTRALISER + value
                    parts.append(f'<c r="{_LETTERS[column]}{row}"{_S[style]} t="inlineStr"><is><t xml:space="preserve">'
                                 f"{_xml_text(value) if escape else value}</t></is></c>")
                elif style:
                    parts.append(f'<c r="{_LETTERS[column]}{row}"{_S[style]}/>')
                continue
            if kind is int:
                parts.append(f'<c r="{_LETTERS[column]}{row}"{_S[style]}><v>{value}</v></c>')
                continue
            if value is None:
                if style:
                    parts.append(f'<c r="{_LETTERS[column]}{row}"{_S[style]}/>')
                continue
            ref = _LETTERS[column] + row
            if kind is float:
                if value != value or value in _INFINITIES:
                    parts.append(f'<c r="{ref}"{_S[style]} t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    parts.append(f'<c r="{ref}"{_S[style]}><v>{value!r}</v></c>')
            elif kind is Typed and (value.value.__class__ is int or value.value.__class__ is float) and (
                    value.value == value.value and value.value not in _INFINITIES):
                parts.append(f'<c r="{ref}"{_S[_FORMAT_STYLES.get(value.number_format, PLAIN) if style == PLAIN else style]}>'
                             f"<v>{value.value!r}</v></c>")
            else:
                plain, fmt = _plain(value)
                if plain is None:  # e.g. "" of a str subclass
                    if style:
                        parts.append(f'<c r="{ref}"{_S[style]}/>')
                    continue
                cell = _FORMAT_STYLES.get(fmt, PLAIN) if fmt and style == PLAIN else style
                if isinstance(plain, datetime):
                    serial = (plain - _EPOCH).total_seconds() / 86400
                    parts.append(f'<c r="{ref}"{_S[DATETIME if cell == PLAIN else cell]}><v>{serial!r}</v></c>')
                elif isinstance(plain, date):
                    serial = (plain - _EPOCH.date()).days
                    parts.append(f'<c r="{ref}"{_S[DATE if cell == PLAIN else cell]}><v>{serial}</v></c>')
                elif isinstance(plain, int | float):
                    parts.append(f'<c r="{ref}"{_S[cell]}><v>{plain!r}</v></c>')
                else:
                    parts.append(f'<c r="{ref}"{_S[cell]} t="inlineStr"><is><t xml:space="preserve">'
                                 f"{_xml_text(str(plain))}</t></is></c>")
        self.width = max(self.width, column + 1)
        return "".join(parts)


_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="宋体"/></font><font><b/><sz val="11"/><name val="宋体"/></font>
<font><b/><sz val="14"/><name val="宋体"/></font></fonts>
<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDE6F0"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFF8CBAD"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="9"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def stream_workbook(sheets: list[StreamSheet]) -> bytes:
    """The .xlsx of ``sheets`` (first sheet active)."""
    import zipfile

    buf = io.BytesIO()
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/>',
                 '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.styles+xml"/>']
    selected = ' tabSelected="1"'
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, sheet in enumerate(sheets, start=1):
            overrides.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.'
                             'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
            rows = "".join(f'<row r="{i}">{cells}</row>' for i, cells in enumerate(sheet.rows, start=1) if cells)
            legacy = ""
            if sheet.comments:
                overrides.append(f'<Override PartName="/xl/comments{n}.xml" ContentType="application/vnd.'
                                 'openxmlformats-officedocument.spreadsheetml.comments+xml"/>')
                legacy = '<legacyDrawing r:id="rId2"/>'
                z.writestr(f"xl/worksheets/_rels/sheet{n}.xml.rels",
                           f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                           f'<Relationship Id="rId1" Type="{_REL}/comments" Target="../comments{n}.xml"/>'
                           f'<Relationship Id="rId2" Type="{_REL}/vmlDrawing" Target="../drawings/vmlDrawing{n}.vml"/>'
                           "</Relationships>")
                z.writestr(f"xl/comments{n}.xml", _comments_xml(sheet))
                z.writestr(f"xl/drawings/vmlDrawing{n}.vml", _vml(sheet))
            z.writestr(f"xl/worksheets/sheet{n}.xml",
                       f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}" '
                       f'xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0"{selected if n == 1 else ""}/>'
                       f"</sheetViews><sheetData>{rows}</sheetData>{legacy}</worksheet>")
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
                   + "".join(overrides) + "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                   f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        sheet_list = "".join(f'<sheet name="{_xml_text(s.title)}" sheetId="{n}" r:id="rId{n}"/>'
                             for n, s in enumerate(sheets, start=1))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" '
                   f'xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheet_list}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                       for n in range(1, len(sheets) + 1))
        rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">{rels}</Relationships>')
        z.writestr("xl/styles.xml", _STYLES)
    return buf.getvalue()


def _comments_xml(sheet: StreamSheet) -> str:
    items = "".join(f'<comment ref="{_LETTERS[col - 1]}{row}" authorId="0"><text><r><t xml:space="preserve">'
                    f"{_xml_text(text)}</t></r></text></comment>" for row, col, text in sheet.comments)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments xmlns="{_MAIN}"><authors>'
            f"<author>绩效系统</author></authors><commentList>{items}</commentList></comments>")


def _vml(sheet: StreamSheet) -> str:
    shapes = "".join(
        f'<v:shape id="_x0000_s{1025 + n}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        f'margin-top:1.5pt;width:200pt;height:60pt;z-index:{n + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
        f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
        f"<x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column></x:ClientData></v:shape>"
        for n, (row, col, _text) in enumerate(sheet.comments))
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>'
            '</o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/>'
            f"</v:shapetype>{shapes}</xml>")


def stream_table(out: Any, title: str, header: list[str], widths: list[float], rows: Iterable[Iterable[Any]],
                 note: str = "", progress: Any = None, every: int = 2000) -> int:
    """A list export as one sheet — title, note, header (frozen, repeated when printed), then ``rows`` —
    written into the binary file ``out`` row by row as the rows come (memory stays flat whatever their
    number), with the cell rules of :class:`StreamSheet`. ``progress(rows written)`` every ``every``
    rows; returns the number of rows. A4 landscape, one page wide, pages numbered."""
    import zipfile

    sheet = StreamSheet(title)
    cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>' for n, w in enumerate(widths, start=1))
    name = _xml_text(sheet.title)
    quoted = "'" + name.replace("'", "''") + "'"
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}" '
                        f'xmlns:r="{_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews>'
                        '<sheetView workbookViewId="0" tabSelected="1"><pane ySplit="3" topLeftCell="A4" '
                        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                        f"<cols>{cols}</cols><sheetData>").encode())
            head = [(title, TITLE), (note or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}", PLAIN)]
            for number, (text, style) in enumerate(head, start=1):
                part.write(f'<row r="{number}">{sheet.row_xml(number, [text], row_style=style)}</row>'.encode())
            part.write(f'<row r="3">{sheet.row_xml(3, header, row_style=HEADER)}</row>'.encode())
            row_xml = sheet.row_xml
            batch: list[str] = []  # rows written a few hundred at a time (one write each, not one a row)
            for number, values in enumerate(rows, start=4):
                batch.append(f'<row r="{number}">{row_xml(number, values)}</row>')
                count += 1
                if len(batch) == 500:
                    part.write("".join(batch).encode())
                    batch.clear()
                if progress is not None and count % every == 0:
                    progress(count)
            part.write("".join(batch).encode())
            part.write(('</sheetData><printOptions horizontalCentered="1"/><pageMargins left="0.7" right="0.7" '
                        'top="0.75" bottom="0.75" header="0.3" footer="0.3"/><pageSetup paperSize="9" '
                        'orientation="landscape" fitToWidth="1" fitToHeight="0"/><headerFooter><oddFooter>'
                        "&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>").encode())
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                   f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" '
                   f'xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews><sheets><sheet name="{name}" '
                   f'sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm.Print_Titles" '
                   f'localSheetId="0">{quoted}!$3:$3</definedName></definedNames></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
                   f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", _STYLES)
    return count
