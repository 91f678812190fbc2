"""Helpers for writing a built-in template with python-docx in the official layout (``core.official``).

A built-in template is a document made by ``official.new_document`` whose text carries docxtpl tags:
``{{ field }}`` for a value, ``{%p if … %}`` / ``{%p for … %}`` paragraphs for blocks, and tables
whose data row repeats with ``{%tr for r in rows %}``. ``python -m jixiao.reports.build`` writes every
registered type's built-in .docx; the files are committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm

from jixiao.core import official


def paragraph(doc: Any, text: str, indent: bool = True) -> Any:
    return official.paragraph(doc, text, indent)


def tag(doc: Any, statement: str) -> Any:
    """A paragraph that is only a block tag (``if x``, ``endif``, ``for x in y``, ``endfor``): removed on rendering."""
    return doc.add_paragraph(f"{{%p {statement} %}}")


def lines(doc: Any, items: str, indent: bool = True) -> None:
    """One paragraph per text in the list ``items``."""
    tag(doc, f"for line in {items}")
    paragraph(doc, "{{ line }}", indent)
    tag(doc, "endfor")


def chart(doc: Any, name: str) -> None:
    """The picture ``name`` (a Chart, or empty for none), centred on its own paragraph."""
    tag(doc, f"if {name}")
    p = doc.add_paragraph(f"{{{{ {name} }}}}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    tag(doc, "endif")


def loop_table(doc: Any, header: Sequence[str], rows: str) -> Any:
    """A table with ``header`` and one row per item of the list ``rows`` (each a list of cell texts
    in the header's order, written ``{{ r[0] }}`` …), followed by an empty paragraph."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = True
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        official._cell_text(cell, text, bold=True)
    cells = [f"{{{{ r[{n}] }}}}" for n in range(len(header))]
    for texts in ([f"{{%tr for r in {rows} %}}"] + [""] * (len(header) - 1), cells, ["{%tr endfor %}"] + [""] * (len(header) - 1)):
        for cell, text in zip(t.add_row().cells, texts, strict=True):
            official._cell_text(cell, text)
            cell.paragraphs[0].alignment = None  # sized and aligned to the rendered text (rendering.finish)
    official.keep_rows_together(t)
    section = doc.sections[-1]
    official._widths(t, [list(header)] * 2, (section.page_width - section.left_margin - section.right_margin) / Mm(1))
    doc.add_paragraph()
    return t
