"""File readers: bytes of a .docx / .xlsx / .xls / .pdf → ``Grid``s (see the package docstring)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from jixiao.rules.layout import CellProblem, Grid, LayoutResult, recognise

MAX_BYTES: Final = 20 * 1024 * 1024
SUFFIXES: Final = (".docx", ".xlsx", ".xls", ".pdf")
_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class FileFormatError(ValueError):
    """A file that is not a readable table of a supported kind; the message is Chinese."""


def _suffix(filename: str) -> str:
    name = filename.lower()
    return next((s for s in SUFFIXES if name.endswith(s)), "")


def read_grids(data: bytes, filename: str) -> list[Grid]:
    """Every table of the file as a grid; raises FileFormatError."""
    if len(data) > MAX_BYTES:
        raise FileFormatError("文件超过 20MB，请拆分后上传")
    suffix = _suffix(filename)
    try:
        if suffix == ".docx":
            return read_docx(data)
        if suffix == ".xlsx":
            return read_xlsx(data)
        if suffix == ".xls":
            return read_xls(data)
        if suffix == ".pdf":
            return read_pdf(data)
    except FileFormatError:
        raise
    except Exception as exc:  # a damaged file of the right name: say so, never crash
        raise FileFormatError(f"无法打开文件「{filename}」：文件已损坏或不是{suffix[1:].upper()}格式") from exc
    raise FileFormatError("只能读取 Word（.docx）、Excel（.xlsx、.xls）和带文字层的 PDF 文件")


def import_table(data: bytes, filename: str) -> LayoutResult:
    """The exchange document of the first recognisable table in the file, with its unreadable cells."""
    try:
        grids = read_grids(data, filename)
    except FileFormatError as exc:
        return LayoutResult(None, (CellProblem(None, None, str(exc)),))
    if not grids:
        return LayoutResult(None, (CellProblem(None, None, "文件中没有表格"),))
    results = [recognise(grid) for grid in grids]
    return next((r for r in results if r.document is not None), results[0])


# --- Word -------------------------------------------------------------------------------------------


def read_docx(data: bytes) -> list[Grid]:
    """All tables of the document as one grid (tables split over pages are one table); paragraphs
    above the first table are its title lines, paragraphs between tables become one-cell rows."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileFormatError("文件不是有效的 Word（.docx）文件")
    document = Document(io.BytesIO(data))
    lead: list[str] = []
    rows: list[tuple[str, ...]] = []
    unreadable: dict[tuple[int, int], str] = {}
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            text = Paragraph(child, document).text.strip()
            if text and not rows:
                lead.append(text)
            elif text:
                rows.append((text,))
        elif child.tag == f"{_W}tbl":
            table = Table(child, document)
            for row in table.rows:
                texts = []
                for c, cell in enumerate(row.cells):
                    text = cell.text
                    if not text.strip() and _has_picture(cell._tc):
                        unreadable[(len(rows), c)] = "单元格是图片或嵌入对象"
                    texts.append(text)
                rows.append(tuple(texts))
    if not rows:
        return []
    return [Grid(tuple(rows), unreadable, tuple(range(1, len(rows) + 1)), tuple(lead), "Word 表格")]


def _has_picture(element: Any) -> bool:
    return any(el.tag in (f"{_W}drawing", f"{_W}object", f"{_W}pict") for el in element.iter())


# --- Excel ------------------------------------------------------------------------------------------


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def read_xlsx(data: bytes) -> list[Grid]:
    from openpyxl import load_workbook

    values = load_workbook(io.BytesIO(data), data_only=True)
    formulas = load_workbook(io.BytesIO(data), data_only=False)
    grids = []
    for ws in values.worksheets:
        raw = formulas[ws.title]
        cells: list[list[str]] = []
        unreadable: dict[tuple[int, int], str] = {}
        for r, row in enumerate(ws.iter_rows(), start=0):
            texts = []
            for c, cell in enumerate(row):
                if cell.data_type == "e":
                    unreadable[(r, c)] = f"错误值 {cell.value}"
                formula = raw.cell(row=cell.row, column=cell.column).value
                if cell.value is None and isinstance(formula, str) and formula.startswith("="):
                    unreadable[(r, c)] = "公式没有保存计算结果"
                texts.append(_excel_text(cell.value))
            cells.append(texts)
        for merged in ws.merged_cells.ranges:
            top = cells[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(cells) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(cells))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(cells[r]))):
                    cells[r][c] = top
        if cells:
            grids.append(_grid(cells, unreadable, f"工作表「{ws.title}」"))
    return grids


def read_xls(data: bytes) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for index, name in enumerate(book.sheet_names):
        sheet = book.get_sheet_by_index(index)
        cells = [[_excel_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
            if r0 < len(cells) and c0 < len(cells[r0]):
                top = cells[r0][c0]
                for r in range(r0, min(r1 + 1, len(cells))):
                    for c in range(c0, min(c1 + 1, len(cells[r]))):
                        cells[r][c] = top
        if cells:
            grids.append(_grid(cells, {}, f"工作表「{name}」"))
    return grids


def _grid(cells: Sequence[Sequence[str]], unreadable: dict[tuple[int, int], str], source: str) -> Grid:
    return Grid(tuple(tuple(row) for row in cells), unreadable, tuple(range(1, len(cells) + 1)), (), source)


# --- PDF --------------------------------------------------------------------------------------------


def read_pdf(data: bytes) -> list[Grid]:
    import pdfplumber

    if not data.startswith(b"%PDF"):
        raise FileFormatError("文件不是有效的 PDF 文件")
    rows: list[tuple[str, ...]] = []
    lead: list[str] = []
    unreadable: dict[tuple[int, int], str] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if not any(page.chars for page in pdf.pages):
            raise FileFormatError("PDF 没有文字层（可能是扫描件），无法读取；请上传 Word 或 Excel 原件")
        page_starts: set[int] = set()
        for page in pdf.pages:
            tables = page.find_tables()
            if rows and tables:
                page_starts.add(len(rows))
            if tables and not rows:
                top = tables[0].bbox[1]
                above = page.crop((0, 0, page.width, top)).extract_text() if top > 1 else ""
                lead += [line.strip() for line in (above or "").splitlines() if line.strip()]
            for table in tables:
                for row in table.extract():
                    texts = []
                    for c, cell in enumerate(row):
                        text = cell or ""
                        if "(cid:" in text:
                            unreadable[(len(rows), c)] = "字体无法转换为文字"
                        texts.append(text)
                    rows.append(tuple(texts))
    if not rows:
        return []
    numbers = tuple(range(1, len(rows) + 1))
    return [Grid(tuple(rows), unreadable, numbers, tuple(lead), "PDF 表格", frozenset(page_starts))]
