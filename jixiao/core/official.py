"""Word documents in the official format (GB/T 9704-2012 党政机关公文格式), used by every report.

A4; 天头 37 mm, 订口 28 mm (版心 156 × 225 mm); title 小标宋 (宋体 where it is missing) 二号 22 pt
centred; body 仿宋 三号 16 pt with a two-character first-line indent and fixed 28.9 pt lines (22
lines a page); heading levels 黑体 (一、) and 楷体 (（一）); page numbers "— 1 —" 宋体 四号 at the
foot, outside edge alternating; tables in 仿宋 四号 whose rows never split across pages, whose
header repeats on each page, whose columns are sized to their content, and which are separated
from each other by a paragraph. Users print with their own 仿宋/小标宋 fonts (they cannot be shipped).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
TITLE_FALLBACK = "宋体"
TITLE_SIZE, BODY_SIZE, TABLE_SIZE, NUMBER_SIZE = Pt(22), Pt(16), Pt(12), Pt(14)
LINE = Pt(28.9)
TEXT_WIDTH_MM = 156


def _fonts(target: Any, name: str, size: Any = None, bold: bool | None = None) -> None:
    """Set Latin and East-Asian font of a style or run."""
    font = target.font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    element = target.element if hasattr(target, "element") else target._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def new_document(title: str, landscape: bool = False) -> Any:
    """A document with the official page, styles, page numbers and its title."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    for level, font in ((1, HEADING1_FONT), (2, HEADING2_FONT), (3, BODY_FONT)):
        style = doc.styles[f"Heading {level}"]
        _fonts(style, font, BODY_SIZE, bold=level == 3)
        style.font.color.rgb = None
        style.paragraph_format.first_line_indent = Pt(32)
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = LINE
        style.paragraph_format.keep_with_next = True
    title_style = doc.styles["Title"]
    _fonts(title_style, TITLE_FONT, TITLE_SIZE, bold=False)
    title_style.element.get_or_add_rPr().find(qn("w:rFonts")).set(qn("w:hint"), "eastAsia")
    title_style.font.color.rgb = None
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_style.paragraph_format.space_after = Pt(16)
    title_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title_style.paragraph_format.line_spacing = Pt(36)
    _no_border(title_style)
    _page_numbers(doc, section)
    doc.add_paragraph(title, style="Title")
    return doc


def _no_border(style: Any) -> None:
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _field(run: Any, instruction: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _page_numbers(doc: Any, section: Any) -> None:
    """"— 1 —" in 宋体 四号 at the foot: right on odd pages, left on even pages (GB/T 9704 §7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        for text in ("— ", None, " —"):
            run = paragraph.add_run(text or "")
            _fonts(run, NUMBER_FONT, NUMBER_SIZE)
            if text is None:
                _field(run, "PAGE")


def heading(doc: Any, text: str, level: int = 1) -> Any:
    return doc.add_heading(text, level=level)


def paragraph(doc: Any, text: str, indent: bool = True) -> Any:
    p = doc.add_paragraph(text)
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)
    return p


def table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    """A table in 仿宋 四号: rows never split, the header repeats, columns sized to their content,
    followed by an empty paragraph so two tables never run together."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = True
    cells = [list(header), *[["" if v is None else str(v) for v in row] for row in rows]]
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    for row in cells[1:]:
        for cell, text in zip(t.add_row().cells, row, strict=True):
            _cell_text(cell, text)
    keep_rows_together(t)
    section = doc.sections[-1]
    _widths(t, cells, (section.page_width - section.left_margin - section.right_margin) / Mm(1))
    doc.add_paragraph()
    return t


def _cell_text(cell: Any, text: str, bold: bool = False) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if bold or len(text) <= 8 else WD_ALIGN_PARAGRAPH.LEFT
    run = p.add_run(text)
    _fonts(run, BODY_FONT, TABLE_SIZE, bold=bold)


def _widths(t: Any, cells: list[list[str]], text_width_mm: float = TEXT_WIDTH_MM) -> None:
    """Each column's width in proportion to its longest text (header words count), within the text width."""
    weights = []
    for column in range(len(cells[0])):
        longest = max(len(row[column]) for row in cells)
        weights.append(min(max(longest, 2), 30))
    total = sum(weights)
    for column, weight in enumerate(weights):
        width = Mm(text_width_mm * weight / total)
        for row in t.rows:
            row.cells[column].width = width


def picture(doc: Any, png: bytes, width_mm: int = 150) -> None:
    doc.add_picture(io.BytesIO(png), width=Mm(width_mm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def to_bytes(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def keep_rows_together(t: Any) -> None:
    """A table built elsewhere: its rows never split across pages and its first row repeats."""
    for n, row in enumerate(t.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if n == 0:
            trpr.append(OxmlElement("w:tblHeader"))
