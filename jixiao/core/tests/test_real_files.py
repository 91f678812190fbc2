"""Files as the bureaus' systems make them: title rows, 合计 rows, refunds, GBK CSV, .xls, float noise,
a workbook saved by LibreOffice. Each test checks the database before and after: a refused file
changes nothing, an accepted one stores exact 分."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.monitoring.imports import run_import as run_treasury
from jixiao.monitoring.models import ExecutionImport, ExecutionRecord
from jixiao.organisation.imports import run_import as run_budget
from jixiao.organisation.models import ImportBatch, Project

pytestmark = pytest.mark.django_db

BUDGET_HEADER = ["预算年度", "项目编码", "项目名称", "单位编码", "资金来源", "年初预算数", "调整后预算数", "项目属性"]


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def budget(content: bytes, name: str, user: Any) -> ImportBatch:
    batch = ImportBatch(kind="projects", file_name=name, uploaded_by=user)
    batch.store(content)
    batch.save()
    run_budget(batch)
    batch.refresh_from_db()
    return batch


def treasury(content: bytes, name: str, user: Any, year: int = 2021) -> ExecutionImport:
    batch = ExecutionImport(year=year, file_name=name, uploaded_by=user)
    batch.store(content)
    batch.save()
    run_treasury(batch)
    batch.refresh_from_db()
    return batch


def budget_export() -> list[list[Any]]:
    """The budget system's export: two title rows, the unit stated once, details, a 合计 row."""
    return [
        ["2022年度部门预算项目明细表"],
        ["编制单位：云溪区财政局", None, None, None, None, "单位：万元"],
        BUDGET_HEADER,
        [2022, "430603-2022-0001", "农村公路养护", "901", "一般公共预算", 527405.3300000001, 0.1 + 0.2, "延续"],
        [2022, "430603-2022-0002", "校舍维修", "901", "一般公共预算", "1,234.56", 1234.56, "新增"],
        ["合计", None, None, None, None, 528639.89, 1234.86, None],
    ]


def test_budget_export_with_title_unit_line_total_row_and_float_noise(org: Any, users: dict[str, Any]) -> None:
    batch = budget(xlsx(budget_export()), "预算项目.xlsx", users["perf_section"])
    assert batch.status == "imported", batch.errors
    a = Project.objects.get(code="430603-2022-0001")
    assert a.initial_budget_fen == 527_405_330_000 and a.adjusted_budget_fen == 300_000
    b = Project.objects.get(code="430603-2022-0002")
    assert b.initial_budget_fen == b.adjusted_budget_fen == 1_234_560_000
    assert batch.notes == ["已跳过第6行（合计行），合计数由系统按明细计算。"]
    assert Project.objects.filter(year=2022).count() == 2  # the 合计 row is no project


def test_an_amount_column_without_a_stated_unit_is_refused(org: Any, users: dict[str, Any]) -> None:
    rows = [BUDGET_HEADER, [2022, "X1", "无单位项目", "901", "一般公共预算", "1234.56", "1234.56", "新增"]]
    before = Project.objects.count()
    batch = budget(xlsx(rows), "b.xlsx", users["perf_section"])
    assert batch.status == "rejected" and Project.objects.count() == before
    assert {(e["row"], e["column"]) for e in batch.errors} == {(1, "年初预算数"), (1, "调整后预算数")}
    assert "系统不猜测金额单位" in batch.errors[0]["message"]


def test_sub_fen_amount_is_refused_and_nothing_is_written(org: Any, users: dict[str, Any]) -> None:
    rows = budget_export()
    rows[4][5] = 1234.5600005  # half a 分 in 万元: a real amount, not float noise
    batch = budget(xlsx(rows), "b.xlsx", users["perf_section"])
    assert batch.status == "rejected" and not Project.objects.filter(year=2022).exists()
    assert batch.errors[0]["row"] == 5 and "精确到分以下" in batch.errors[0]["message"]


def test_the_corrected_error_workbook_keeps_the_unit_and_imports_exactly(org: Any, users: dict[str, Any]) -> None:
    header = [*BUDGET_HEADER]
    header[5], header[6] = "年初预算数（万元）", "调整后预算数\n（万元）"
    rows = [header, [2022, "W-1", "万元项目", "901", "一般公共预算", 1234.56, 1234.56, "新增"],
            [2022, "W-2", "写错的项目", "999", "一般公共预算", 10, 10, "新增"]]
    batch = budget(xlsx(rows), "b.xlsx", users["perf_section"])
    assert batch.status == "rejected" and not Project.objects.filter(year=2022).exists()
    ws = load_workbook(io.BytesIO(bytes(batch.annotated_workbook))).active
    assert [c.value for c in ws[1]][:8] == header  # every header exactly, units included
    assert ws.cell(row=3, column=4).comment is not None and "不在系统中" in ws.cell(row=3, column=9).value
    ws.cell(row=3, column=4).value = "901"  # the user fixes the flagged cell and uploads the workbook again
    buf = io.BytesIO()
    ws.parent.save(buf)
    again = budget(buf.getvalue(), "b-改.xlsx", users["perf_section"])
    assert again.status == "imported", again.errors
    assert Project.objects.get(code="W-1").initial_budget_fen == 1_234_560_000  # 1,234.56 万元, not 元
    assert Project.objects.get(code="W-2").adjusted_budget_fen == 10_000_000


def test_gbk_csv_budget_export(org: Any, users: dict[str, Any]) -> None:
    lines = ["2022年度项目明细（单位：元）", ",".join(BUDGET_HEADER),
             "2022,G-1,城乡环卫保洁,901,一般公共预算,\"1,200.50\",1200.5,新增", "小计,,,,,1200.50,1200.50,"]
    batch = budget("\r\n".join(lines).encode("gbk"), "导出.csv", users["perf_section"])
    assert batch.status == "imported", batch.errors
    assert Project.objects.get(code="G-1").initial_budget_fen == 120_050
    assert batch.notes == ["已跳过第4行（小计行），合计数由系统按明细计算。"]


def treasury_rows() -> list[list[Any]]:
    return [
        ["国库集中支付明细表", None, None, None],
        ["查询条件：2021年1月-12月", None, None, None],
        ["项目编码", "支付日期", "摘要", "支付金额（元）"],
        ["P-901001", "2021-03-15", "第一笔", 100000.10000000001],
        ["P-901001", "2021-04-02", "红字冲销", -20000.1],
        ["901", "2021-05-06", "基本支出", 300],
        ["合计", None, None, 80300],
    ]


def test_treasury_export_nets_refunds_and_skips_totals(monitoring_round: Any, users: dict[str, Any]) -> None:
    batch = treasury(xlsx(treasury_rows()), "国库.xlsx", users["perf_section"])
    assert batch.status == "imported", batch.errors
    assert sorted(ExecutionRecord.objects.values_list("amount_fen", flat=True)) == [-2_000_010, 30_000, 10_000_010]
    assert batch.total_fen == 8_030_000 and batch.notes == ["已跳过第7行（合计行），合计数由系统按明细计算。"]


def test_a_refund_larger_than_the_payment_is_refused(monitoring_round: Any, users: dict[str, Any]) -> None:
    rows = treasury_rows()
    rows[4][3] = -100000.11
    batch = treasury(xlsx(rows), "国库.xlsx", users["perf_section"])
    assert batch.status == "rejected" and ExecutionRecord.objects.count() == 0
    assert [(e["row"], e["column"]) for e in batch.errors] == [(5, "支付金额")]
    assert "红字冲销100,000.11元大于截至4月已支付的100,000.10元" in batch.errors[0]["message"]


def test_treasury_gb18030_csv(monitoring_round: Any, users: dict[str, Any]) -> None:
    text = "国库支付数据\n项目编码,月份,支付金额(万元)\nP-901001,3,1.5\nP-901001,4,-0.25\n合计,,1.25\n"
    batch = treasury(text.encode("gb18030"), "支付.csv", users["perf_section"])
    assert batch.status == "imported", batch.errors
    assert sorted(ExecutionRecord.objects.values_list("amount_fen", flat=True)) == [-250_000, 1_500_000]


SOFFICE = shutil.which("soffice")


def convert(content: bytes, suffix: str, target: str, tmp_path: Path) -> bytes:
    """Save a file through LibreOffice (as an official who opens and re-saves it does)."""
    assert SOFFICE, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / f"in{suffix}"
    source.write_bytes(content)
    out = tmp_path / "out"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", target,
                    "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=120)
    return (out / f"in.{target.split(':')[0]}").read_bytes()


@pytest.mark.documents
def test_xls_and_libreoffice_saved_workbooks_import(org: Any, monitoring_round: Any, users: dict[str, Any],
                                                    tmp_path: Path) -> None:
    xls = convert(xlsx(budget_export()), ".xlsx", "xls", tmp_path)
    assert xls.startswith(b"\xd0\xcf\x11\xe0")
    batch = budget(xls, "预算项目.xls", users["perf_section"])
    assert batch.status == "imported", batch.errors
    assert Project.objects.get(code="430603-2022-0001").initial_budget_fen == 527_405_330_000
    resaved = convert(xlsx(treasury_rows()), ".xlsx", "xlsx", tmp_path / "2")
    batch = treasury(resaved, "国库-另存.xlsx", users["perf_section"])
    assert batch.status == "imported", batch.errors
    assert ExecutionRecord.objects.count() == 3 and batch.total_fen == 8_030_000
