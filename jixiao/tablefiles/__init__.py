"""Self-evaluation tables as files arrive (issue 18): Word, Excel and PDF read into a ``Grid`` of
cell texts, then recognised by ``jixiao.rules.layout``. No Django: ``jixiao selfeval import`` uses it
on the command line and the evaluation app's upload page on the web.

- .docx: python-docx; merged cells (gridSpan / vMerge) repeat their text over the cells they cover;
  paragraphs above the first table are the title lines; a cell holding only a picture is unreadable.
- .xlsx: openpyxl; merged ranges repeat the top-left value; error values (#REF!, #DIV/0!) and formulas
  saved without a computed value are unreadable. .xls: python-calamine with its merged ranges.
- .pdf: pdfplumber's ruled-table extraction, page after page; glyphs without a text mapping
  ("(cid:…)") are unreadable; a PDF without a text layer (a scan) is refused.
"""

from __future__ import annotations

from jixiao.tablefiles.readers import MAX_BYTES, FileFormatError, import_table, read_grids

__all__ = ["MAX_BYTES", "FileFormatError", "import_table", "read_grids"]
