"""Every generated .docx follows the official format (GB/T 9704-2012) as declared (python-docx) and as
LibreOffice lays it out (PDF: A4 pages, fonts embedded, the page number "— 1 —")."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

pytestmark = pytest.mark.django_db


def declared(content: bytes) -> Any:
    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}
    assert round(section.top_margin.mm) == 37 and round(section.bottom_margin.mm) == 35
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title = doc.paragraphs[0]
    assert title.style.name == "Title" and title.style.font.size == Pt(22)
    assert title.style.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert doc.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —") and "PAGE" in footer._p.xml
    for table in doc.tables:
        assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        following = table._tbl.getnext()
        assert following is None or following.tag == qn("w:p")  # never two tables back to back
    return doc


def pdf_facts(path: Path, *, layout: bool = False) -> tuple[int, str, str, str]:
    """A PDF as poppler reads it: page count, the pdffonts table, the text and the pdfinfo output."""
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    text = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1]), fonts, text, info  # type: ignore[index]


def pdf(content: bytes, tmp_path: Path) -> tuple[int, str, str]:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required: apt-get install libreoffice-writer-nogui"
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "report.docx").write_bytes(content)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "report.docx")], check=True, capture_output=True, timeout=180)
    pages, fonts, text, info = pdf_facts(tmp_path / "report.pdf", layout=True)
    assert re.search(r"Page size:\s+(595\.\d+ x 841\.\d+|841\.\d+ x 595\.\d+) pts \(A4", info), info
    return pages, fonts, text


@pytest.mark.documents
def test_reports_follow_the_official_format_through_libreoffice(
        targets: dict[str, Any], selfevals: dict[str, Any], monitoring_round: Any, tmp_path: Path) -> None:
    from jixiao.evaluation.reports import selfeval_report
    from jixiao.monitoring.report import build_report
    from jixiao.rules.money import format_wan
    from jixiao.targets.exchange import declaration_docx

    report, totals = build_report(monitoring_round)
    documents = {"target": declaration_docx(targets["a"]), "monitoring": report,
                 "selfeval": selfeval_report(selfevals["a"])}
    for name, content in documents.items():
        doc = declared(content)
        pages, fonts, text = pdf(content, tmp_path / name)
        assert pages >= 1 and "—1—" in text.replace(" ", ""), name  # the page number, as printed
        embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
        assert embedded and all(" yes " in line for line in embedded), fonts  # every font embedded
        assert any(re.search(r"WenQuanYi|Noto|CJK|Source Han", line) for line in embedded), fonts
        if name == "monitoring":
            flat = text.replace(" ", "").replace("\n", "")
            assert pages >= 2 and doc.tables and "预算绩效运行监控情况报告" in flat
            assert f"项目资金调整后预算{format_wan(totals['project_budget_fen'])}万元" in flat


def test_table_columns_are_sized_to_their_content() -> None:
    from jixiao.core import official

    doc = official.new_document("测试")
    t = official.table(doc, ("序号", "项目名称及主要内容说明"), [("1", "农村公路养护工程及其附属设施维修改造")])
    first, second = (cell.width for cell in t.rows[1].cells)
    assert second > first * 4 and abs((first + second) - Mm(156)) < Mm(1)
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
