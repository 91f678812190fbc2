"""Tables written the way units publish them, from an exchange document: Word with merged level-1 /
level-2 cells, Excel with title rows, and a PDF printed from the Word file by LibreOffice."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx import Document
from docx.table import Table
from openpyxl import Workbook

Doc = dict[str, Any]


def printed(value: Any) -> str:
    """A number as a table prints it ("15", "14.4"); blank for null."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f") if not isinstance(value, str) else value


def split_unit(target: str, actual: str) -> tuple[str, str, str]:
    """"≥50个", "52个" → ("≥50", "52", "个") for layouts with a 计量单位 column."""
    match = re.match(r"^(.*\d)([^\d%％]+)$", target)
    if match and actual.endswith(match.group(2)):
        unit = match.group(2)
        return match.group(1), actual.removesuffix(unit), unit
    return target, actual, ""


def level1_weights(doc: Doc) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for row in doc["indicators"]:
        sums[row["level1"]] = sums.get(row["level1"], Decimal(0)) + Decimal(str(row["weight"] or 0))
    return sums


def _runs(rows: list[dict[str, Any]], key: str, start: int) -> list[tuple[int, int]]:
    """(first, last) table rows of each run of equal values in ``key`` (level-1, or level-1+level-2)."""
    runs: list[tuple[int, int]] = []
    previous = None
    for i, row in enumerate(rows):
        value = (row["level1"], row["level2"]) if key == "level2" else row["level1"]
        if value != previous:
            runs.append((start + i, start + i))
        else:
            runs[-1] = (runs[-1][0], start + i)
        previous = value
    return runs


def _merge_set(table: Table, r0: int, c0: int, r1: int, c1: int, text: str) -> None:
    cell = table.cell(r0, c0).merge(table.cell(r1, c1)) if (r0, c0) != (r1, c1) else table.cell(r0, c0)
    cell.text = text


def indicator_columns(unit_column: bool) -> list[str]:
    cols = ["一级指标", "二级指标", "三级指标", "年度指标值"]
    cols += ["计量单位"] if unit_column else []
    return [*cols, "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def docx_bytes(doc: Doc, *, unit_column: bool = False, weight_in_level1: bool = False,
               picture_cell: tuple[int, str] | None = None) -> bytes:
    """The national layout (财预〔2020〕10号) as a Word table: title paragraphs above it, "绩效指标"
    merged down the first column, level-1 and level-2 cells merged over their rows. ``picture_cell``
    (indicator index, column name) replaces that cell's text by a picture."""
    document = Document()
    document.add_paragraph("项目支出绩效自评表")
    document.add_paragraph(f"（{doc['year']}年度）")
    cols = indicator_columns(unit_column)
    width = len(cols) + 1
    indicators = doc["indicators"]
    first = 9
    n_rows = first + 1 + len(indicators) + 2
    table = document.add_table(rows=n_rows, cols=width)
    table.style = "Table Grid"
    _merge_set(table, 0, 0, 0, 0, "项目名称")
    _merge_set(table, 0, 1, 0, width - 1, doc["title"])
    _merge_set(table, 1, 0, 1, 0, "主管部门")
    _merge_set(table, 1, 1, 1, 3, doc["unit"])
    _merge_set(table, 1, 4, 1, 4, "实施单位")
    _merge_set(table, 1, 5, 1, width - 1, doc["unit"])
    funds = doc["funds"]
    unit = doc.get("amount_unit", "万元")
    header = [f"项目资金（{unit}）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    rate = ""
    if funds["annual_budget"] and funds["executed"] is not None:
        rate = f"{Decimal(str(funds['executed'])) / Decimal(str(funds['annual_budget'])) * 100:.2f}%"
    values = ["年度资金总额", printed(funds["annual_initial_budget"]), printed(funds["annual_budget"]),
              printed(funds["executed"]), printed(funds["weight"]), rate, printed(funds["score"])]
    for r, cells in ((2, header), (3, values)):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    for r, name in ((4, "其中：当年财政拨款"), (5, "上年结转资金"), (6, "其他资金")):
        table.cell(r, 0).text = name
        table.cell(r, 2).text = printed(funds["annual_budget"]) if r == 4 else "0"
    _merge_set(table, 7, 0, 7, 0, "年度总体目标")
    _merge_set(table, 7, 1, 7, 4, "预期目标")
    _merge_set(table, 7, 5, 7, width - 1, "实际完成情况")
    _merge_set(table, 8, 1, 8, 4, "按计划完成年度任务")
    _merge_set(table, 8, 5, 8, width - 1, "已完成")
    _merge_set(table, 8, 0, 8, 0, "")
    for c, text in enumerate(cols, start=1):
        table.cell(first, c).text = text
    weights = level1_weights(doc)
    for i, row in enumerate(indicators):
        r = first + 1 + i
        target, actual, unit_text = split_unit(row["target"], row["actual"]) if unit_column else (
            row["target"], row["actual"], "")
        texts = {"三级指标": row["name"], "年度指标值": target, "计量单位": unit_text, "实际完成值": actual,
                 "分值": printed(row["weight"]), "得分": printed(row["score"]),
                 "偏差原因分析及改进措施": row["note"] or ""}
        for name, text in texts.items():
            if name in cols:
                table.cell(r, cols.index(name) + 1).text = text
        if picture_cell and picture_cell[0] == i:
            cell = table.cell(r, cols.index(picture_cell[1]) + 1)
            cell.text = ""
            cell.paragraphs[0].add_run().add_picture(io.BytesIO(_PNG))
    for r0, r1 in _runs(indicators, "level1", first + 1):
        name = indicators[r0 - first - 1]["level1"]
        text = f"{name}({printed(weights[name])}分)" if weight_in_level1 else name
        _merge_set(table, r0, 1, r1, 1, text)
    for r0, r1 in _runs(indicators, "level2", first + 1):
        _merge_set(table, r0, 2, r1, 2, indicators[r0 - first - 1]["level2"])
    _merge_set(table, first, 0, first + len(indicators), 0, "绩效指标")
    total_row = first + 1 + len(indicators)
    _merge_set(table, total_row, 0, total_row, cols.index("分值"), "总分")
    table.cell(total_row, cols.index("分值") + 1).text = "100"
    table.cell(total_row, cols.index("得分") + 1).text = printed(doc.get("total"))
    _merge_set(table, total_row + 1, 0, total_row + 1, 1, "自评等级")
    _merge_set(table, total_row + 1, 2, total_row + 1, width - 1, doc.get("grade") or "")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def xlsx_bytes(doc: Doc, *, weight_in_level1: bool = False, error_cell: tuple[int, str] | None = None,
               hide_weights: bool = False) -> bytes:
    """The table as an Excel sheet with title rows above it (a merged title, the year, the units)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    cols = indicator_columns(False)
    ws.append(["项目支出绩效自评表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols))
    ws.append([f"（{doc['year']}年度）"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(cols))
    ws.append([f"填报单位：{doc['unit']}", None, None, None, None, None, f"单位：{doc.get('amount_unit', '万元')}"])
    ws.append(["项目名称", doc["title"]])
    ws.merge_cells(start_row=4, start_column=2, end_row=4, end_column=len(cols))
    ws.append(["主管部门", doc["unit"], None, None, "实施单位", doc["unit"]])
    ws.merge_cells(start_row=5, start_column=2, end_row=5, end_column=4)
    ws.merge_cells(start_row=5, start_column=6, end_row=5, end_column=len(cols))
    funds = doc["funds"]
    ws.append(["项目资金", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["年度资金总额", funds["annual_initial_budget"], funds["annual_budget"], funds["executed"],
               funds["weight"], None, funds["score"]])
    for name in ("其中：当年财政拨款", "上年结转资金", "其他资金"):
        ws.append([name, None, 0])
    if doc.get("execution_note"):
        ws.append(["执行率偏低原因", doc["execution_note"]])
    ws.append(cols)
    header_row = ws.max_row
    weights = level1_weights(doc)
    indicators = doc["indicators"]
    for i, row in enumerate(indicators):
        ws.append([row["level1"], row["level2"], row["name"], row["target"], row["actual"],
                   None if hide_weights else row["weight"], row["score"], row["note"]])
        if error_cell and error_cell[0] == i:
            cell = ws.cell(row=ws.max_row, column=cols.index(error_cell[1]) + 1)
            cell.value, cell.data_type = "#REF!", "e"
    for r0, r1 in _runs(indicators, "level1", header_row + 1):
        name = indicators[r0 - header_row - 1]["level1"]
        ws.cell(row=r0, column=1).value = f"{name}（{printed(weights[name])}分）" if weight_in_level1 else name
        if r1 > r0:
            ws.merge_cells(start_row=r0, start_column=1, end_row=r1, end_column=1)
    for r0, r1 in _runs(indicators, "level2", header_row + 1):
        if r1 > r0:
            ws.merge_cells(start_row=r0, start_column=2, end_row=r1, end_column=2)
    ws.append(["总分", None, None, None, None, 100, doc.get("total")])
    ws.append(["自评等级", doc.get("grade")])
    _texts_as_text(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _texts_as_text(ws: Any) -> None:
    """"=100%" typed as a target is text, not a formula."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def sheet_xlsx_bytes(sheet: Doc) -> bytes:
    """A 部门整体支出绩效评价评分表 as Excel: title row, unit row, the rubric rows, total and grade."""
    wb = Workbook()
    ws = wb.active
    ws.append([sheet["title"]])
    ws.merge_cells("A1:H1")
    ws.append([f"单位名称：{sheet['unit']}", None, None, None, None, f"{sheet['year']}年度"])
    ws.append(["一级指标", "二级指标", "三级指标", "分值", "评分标准", "指标值", "得分", "扣分原因"])
    header_row = ws.max_row
    items = sheet["items"]
    for item in items:
        ws.append([item["level1"], item["level2"], item["name"], item["weight"], item["standard"],
                   item["value"], item["score"], item["note"]])
    for r0, r1 in _runs(items, "level1", header_row + 1):
        if r1 > r0:
            ws.merge_cells(start_row=r0, start_column=1, end_row=r1, end_column=1)
    ws.append(["合计", None, None, 100, None, None, sheet["total"]])
    ws.append(["评价等级", sheet["grade"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_from_docx(data: bytes) -> bytes:
    """The Word file printed to PDF by LibreOffice (headless)."""
    office = libreoffice()
    assert office, "LibreOffice is required for the documents tests (apt-get install libreoffice-writer-nogui)"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "table.docx"
        source.write_bytes(data)
        subprocess.run(
            [office, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
             "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=180,
        )
        return (Path(tmp) / "table.pdf").read_bytes()


def without(doc: Doc, **changes: Any) -> Doc:
    out = copy.deepcopy(doc)
    out.update(changes)
    return out


# A 1×1 white PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff"
    "3f0005fe02fea7d6a4a50000000049454e44ae426082"
)
