"""Files printed by LibreOffice (marker ``documents``; .ci/run installs LibreOffice and runs these in
their own step): the Word table printed to PDF, and the Excel sheet saved as .xls, read back exactly."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from jixiao.rules.tests.conftest import MEALS, RURAL
from jixiao.rules.tests.conftest import load_plain as plain
from jixiao.tablefiles import import_table
from jixiao.tablefiles.tests.builders import docx_bytes, libreoffice, pdf_from_docx, xlsx_bytes

pytestmark = pytest.mark.documents



@pytest.mark.parametrize("path", [RURAL, MEALS])
@pytest.mark.parametrize("options", [{}, {"unit_column": True, "weight_in_level1": True}])
def test_pdf_printed_from_word_reads_back_exactly(path: Path, options: dict[str, Any]) -> None:
    doc = plain(path)
    pdf = pdf_from_docx(docx_bytes(doc, **options))
    assert pdf.startswith(b"%PDF")
    result = import_table(pdf, "自评表.pdf")
    assert result.problems == ()
    assert result.document == doc


def test_pdf_without_text_layer_is_refused() -> None:
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "scan.pdf"
        pdf.save(str(target))
        result = import_table(target.read_bytes(), "扫描件.pdf")
    assert result.document is None
    assert result.problems[0].message == "PDF 没有文字层（可能是扫描件），无法读取；请上传 Word 或 Excel 原件"


def test_xls_saved_by_libreoffice_reads_back_exactly() -> None:
    doc = plain(MEALS)
    office = libreoffice()
    assert office
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "table.xlsx"
        source.write_bytes(xlsx_bytes(doc, weight_in_level1=True))
        subprocess.run([office, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "xls",
                        "--outdir", tmp, str(source)], check=True, capture_output=True, timeout=180)
        data = (Path(tmp) / "table.xls").read_bytes()
    result = import_table(data, "自评表.xls")
    assert result.problems == ()
    assert result.document == doc
