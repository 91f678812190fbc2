"""Word and Excel tables built here, read back by ``jixiao selfeval import`` (issue 18 item 1)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook

from jixiao.rules.cli import main
from jixiao.rules.conventions import check_document
from jixiao.rules.tests.conftest import MEALS, RURAL
from jixiao.rules.tests.conftest import load_plain as plain
from jixiao.rules.tests.test_overall import s24_sheet
from jixiao.tablefiles import FileFormatError, import_table, read_grids
from jixiao.tablefiles.tests.builders import docx_bytes, sheet_xlsx_bytes, xlsx_bytes


@pytest.mark.parametrize("path", [RURAL, MEALS])
@pytest.mark.parametrize("options", [{}, {"unit_column": True, "weight_in_level1": True}])
def test_word_table_with_merged_cells_reads_back_exactly(path: Path, options: dict[str, Any]) -> None:
    doc = plain(path)
    result = import_table(docx_bytes(doc, **options), "自评表.docx")
    assert result.problems == ()
    assert result.document == doc


@pytest.mark.parametrize("path", [RURAL, MEALS])
@pytest.mark.parametrize("weight_in_level1", [False, True])
def test_excel_sheet_with_title_rows_reads_back_exactly(path: Path, weight_in_level1: bool) -> None:
    doc = plain(path)
    doc["execution_note"] = "部分资金年底拨付" if path == MEALS else None
    result = import_table(xlsx_bytes(doc, weight_in_level1=weight_in_level1), "自评表.xlsx")
    assert result.problems == ()
    assert result.document == doc


def test_excel_error_cell_is_reported_by_row_and_column() -> None:
    doc = plain(RURAL)
    result = import_table(xlsx_bytes(doc, error_cell=(2, "得分")), "自评表.xlsx")
    assert result.document is not None and not result.ok
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (14, 7, "第14行第7列：得分无法读取（错误值 #REF!），请核对原表")]


def test_excel_formula_without_value_is_reported() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    ws.append(["产出指标", "数量指标", "道路", "10公里", "10公里", 90, "=F2"])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_table(buf.getvalue(), "a.xlsx")
    assert "第2行第7列：得分无法读取（公式没有保存计算结果），请核对原表" in [p.message for p in result.problems]


def test_word_picture_cell_is_reported_by_row_and_column() -> None:
    doc = plain(MEALS)
    result = import_table(docx_bytes(doc, picture_cell=(1, "实际完成值")), "自评表.docx")
    assert [p.message for p in result.problems] == ["第12行第6列：实际完成值无法读取（单元格是图片或嵌入对象），请核对原表"]


def test_hubei_table_without_weights_checked_under_its_convention() -> None:
    doc = plain(RURAL)
    doc["funds"].update(weight=20, score=18.4)
    for row in doc["indicators"]:
        row["score"] = None
    doc["total"] = doc["grade"] = None
    result = import_table(xlsx_bytes(doc, hide_weights=True), "湖北.xlsx")
    assert result.ok and result.document is not None
    assert all(row["weight"] is None for row in result.document["indicators"])  # type: ignore[index, union-attr]
    checked = check_document(result.document, None)
    assert checked.convention == "本表资金执行率分值为20分，按湖北省口径检查"
    assert checked.total is None and checked.grade is None


def test_score_sheet_reads_back_exactly() -> None:
    sheet = s24_sheet()
    result = import_table(sheet_xlsx_bytes(sheet), "评分表.xlsx")
    assert result.ok and result.document == sheet


def test_files_that_are_not_tables() -> None:
    def message(data: bytes, name: str) -> str:
        result = import_table(data, name)
        assert result.document is None
        return result.problems[0].message

    assert message(b"x", "a.txt") == "只能读取 Word（.docx）、Excel（.xlsx、.xls）和带文字层的 PDF 文件"
    assert message(b"x", "a.docx") == "文件不是有效的 Word（.docx）文件"
    assert message(b"PK\x03\x04broken", "a.xlsx") == "无法打开文件「a.xlsx」：文件已损坏或不是XLSX格式"
    assert message(b"x", "a.pdf") == "文件不是有效的 PDF 文件"
    assert message(b"x" * (20 * 1024 * 1024 + 1), "a.xlsx") == "文件超过 20MB，请拆分后上传"
    empty = io.BytesIO()
    Document().save(empty)
    assert message(empty.getvalue(), "a.docx") == "文件中没有表格"
    with pytest.raises(FileFormatError):
        read_grids(b"x", "a.xls")


def test_word_paragraphs_between_tables_and_later_sheets() -> None:
    document = Document()
    document.add_paragraph("说明")
    document.add_table(rows=1, cols=2).cell(0, 0).text = "项目名称"
    document.add_paragraph("（续表）")
    buf = io.BytesIO()
    document.save(buf)
    grid = read_grids(buf.getvalue(), "a.docx")[0]
    assert grid.lead == ("说明",) and grid.rows[-1] == ("（续表）",)
    wb = Workbook()
    wb.active.append(["封面"])
    wb.create_sheet("自评表")
    data = io.BytesIO()
    wb.save(data)
    assert [g.source for g in read_grids(data.getvalue(), "b.xlsx")] == ["工作表「Sheet」"]
    result = import_table(data.getvalue(), "b.xlsx")
    assert result.problems[0].message.startswith("工作表「Sheet」中未找到")


def test_excel_values_as_printed() -> None:
    from datetime import date

    wb = Workbook()
    wb.active.append([True, 1.5, 2.0, date(2021, 9, 30)])
    buf = io.BytesIO()
    wb.save(buf)
    assert read_grids(buf.getvalue(), "c.xlsx")[0].rows[0] == ("是", "1.5", "2", "2021年9月30日")


# --- the command line ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_import_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = plain(MEALS)
    source = tmp_path / "营养餐.xlsx"
    source.write_bytes(xlsx_bytes(doc))
    out_file = tmp_path / "营养餐.json"
    status, out, _ = run(capsys, "import", str(source), "--out", str(out_file))
    assert status == 0 and json.loads(out_file.read_text(encoding="utf-8")) == doc
    assert out.startswith(f"已写入 {out_file}\n项目支出绩效自评表检查：农村义务教育学生营养餐补助")
    status, out, _ = run(capsys, "import", str(source), "--json")
    data = json.loads(out)
    assert data["document"] == doc and "EXEC_SCORE_MISMATCH" in [f["code"] for f in data["check"]["findings"]]
    sheet = tmp_path / "评分表.xlsx"
    sheet.write_bytes(sheet_xlsx_bytes(s24_sheet()))
    status, out, _ = run(capsys, "import", str(sheet), f"--out={tmp_path / 's.json'}")
    assert status == 0 and "部门整体支出绩效评价评分表检查" in out


def test_import_command_refuses_unreadable_cells(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "坏.xlsx"
    source.write_bytes(xlsx_bytes(plain(RURAL), error_cell=(0, "分值")))
    out_file = tmp_path / "坏.json"
    status, out, err = run(capsys, "import", str(source), "--out", str(out_file))
    assert status == 2 and out == "" and not out_file.exists()
    assert "第12行第6列：分值无法读取（错误值 #REF!），请核对原表" in err
    status, out, _ = run(capsys, "import", str(source), "--json")
    assert json.loads(out)["errors"][0] == {"row": 12, "column": 6,
                                            "message": "第12行第6列：分值无法读取（错误值 #REF!），请核对原表"}


@pytest.mark.parametrize(("args", "message"), [
    (["import"], "请指定且只指定一个要读取的文件"),
    (["import", "a.docx", "--out"], "选项 --out 需要一个文件名"),
    (["import", "a.docx", "--bogus"], "未知选项：--bogus"),
    (["import", "/nonexistent/a.docx"], "无法读取文件：/nonexistent/a.docx"),
])
def test_import_usage(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    status, _, err = run(capsys, *args)
    assert status == 2 and message in err


def test_import_help(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "import", "--help")
    assert status == 0 and out.startswith("用法：jixiao selfeval import")
