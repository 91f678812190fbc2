"""Treasury payment import: staged validation, all-or-nothing, row and column named, annotated workbook."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jixiao.monitoring.imports import run_import
from jixiao.monitoring.models import ExecutionImport, ExecutionRecord, MonitoringForm

pytestmark = pytest.mark.django_db


def run(content: bytes, name: str, year: int, user: Any) -> Any:
    """What the worker does with an uploaded file."""
    batch = ExecutionImport(year=year, file_name=name, uploaded_by=user)
    batch.store(content)
    batch.save()
    return run_import(batch)


def workbook(rows: list[list[Any]], headers: tuple[str, ...] = ("项目编码", "支付日期", "月份", "支付金额（元）")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_one_bad_row_writes_nothing_and_names_the_row(monitoring_round: Any, users: dict[str, Any]) -> None:
    content = workbook([["P-901001", "2021-03-15", "", 100000], ["P-999", "2021-04-01", "", 5],
                        ["P-902", "", "13", 10], ["901", "2020-12-01", "", "abc"]])
    result = run(content, "国库.xlsx", 2021, users["perf_section"])
    assert ExecutionRecord.objects.count() == 0
    messages = [str(e) for e in result.errors]
    assert "第3行「项目编码」列：「P-999」既不是2021年度的项目编码，也不是预算单位编码。" in messages
    assert "第4行「月份」列：「13」不是2021年度的有效月份（1-12）。" in messages
    assert any(m.startswith("第5行「支付日期」列") for m in messages)
    assert any(m.startswith("第5行「支付金额」列") for m in messages)
    assert result.batch.status == ExecutionImport.Status.REJECTED
    annotated = load_workbook(io.BytesIO(bytes(result.batch.annotated_workbook))).active
    assert annotated.cell(row=3, column=1).comment is not None


def test_good_file_replaces_the_year_and_updates_the_lights(monitoring_round: Any, users: dict[str, Any], org: Any) -> None:
    content = workbook([["P-901001", "2021-03-15", "", 100000], ["P-901001", "", "9", "200000.50"],
                        ["P-901001", "", "10", 999999], ["901", "", "2021-05", 3]])
    result = run(content, "国库.xlsx", 2021, users["perf_section"])
    assert not result.errors and ExecutionRecord.objects.count() == 4
    form = MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])
    assert form.executed_fen == 30_000_050  # October is after the 1–9月 period
    assert str(form.execution_rate) == "60.00" and form.execution_light == "green"
    department = MonitoringForm.objects.get(round=monitoring_round, kind="department")
    assert department.executed_basic_fen == 300
    run(workbook([["P-901001", "2021-01-02", "", 1]]), "again.xlsx", 2021, users["perf_section"])
    assert ExecutionRecord.objects.count() == 1  # the newest file is the year's snapshot


def test_csv_upload_page(monitoring_round: Any, users: dict[str, Any], login: Any) -> None:
    client = login(users["perf_section"])
    csv_bytes = "项目编码,月份,支付金额（元）\nP-901,3,500\nP-902,x,5\n".encode("gb18030")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker runs the queued import
        response = client.post(reverse("monitoring:execution_import"),
                               {"year": 2021, "file": SimpleUploadedFile("pay.csv", csv_bytes)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "未导入任何数据" in page and "第3行" in page
    assert ExecutionRecord.objects.count() == 0
    ok = "项目编码,月份,支付金额(元)\nP-901,3,500\n".encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("monitoring:execution_import"), {"year": 2021, "file": SimpleUploadedFile("pay.csv", ok)})
    assert "已导入1条支付记录" in client.get(response["Location"]).content.decode()
    assert ExecutionRecord.objects.get().amount_fen == 50_000
    assert client.get(reverse("monitoring:execution_template")).status_code == 200


def test_missing_columns_are_named(users: dict[str, Any], org: Any) -> None:
    result = run(workbook([["P-901", 5]], headers=("项目编码", "金额（元）")), "x.xlsx", 2021, users["perf_section"])
    assert [str(e) for e in result.errors] == ["第1行「支付日期或月份」列：缺少该列，请使用系统提供的导入模板。"]


def test_execution_list_exports_the_filtered_rows(monitoring_round: Any, users: dict[str, Any], login: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run(workbook([["P-901001", "", "3", 100], ["P-902", "", "4", 200], ["P-901", "", "4", 300]]), "x.xlsx", 2021,
               users["perf_section"])
    client = login(users["budget_desk"])  # 教育 only: 901 and 901001
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("monitoring:execution_list") + "?month=4").content.decode()
    assert "东湖局项目" in page and "西岭局项目" not in page and "南山所项目" not in page
    assert len(ctx.captured_queries) <= 12
    ws = load_workbook(io.BytesIO(client.get(reverse("monitoring:execution_list") + "?month=4&export=xlsx").content)).active
    assert [r[1] for r in ws.iter_rows(min_row=4, values_only=True)] == ["东湖局项目"]


def test_replacing_a_years_payments_shows_what_is_replaced_and_asks_first(monitoring_round: Any, users: dict[str, Any],
                                                                          login: Any) -> None:
    """Issue 17 item 9: a one-row file does not silently replace the year's payments."""
    client = login(users["perf_section"])
    first = "项目编码,月份,支付金额（元）\nP-901,3,500\nP-902,4,700\n".encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("monitoring:execution_import"), {"year": 2021, "file": SimpleUploadedFile("a.csv", first)})
    assert ExecutionRecord.objects.count() == 2
    one_row = "项目编码,月份,支付金额（元）\nP-901,5,100\n".encode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        refused = client.post(reverse("monitoring:execution_import"),
                              {"year": 2021, "file": SimpleUploadedFile("b.csv", one_row)})
    assert refused.status_code == 400
    assert "2021年度已导入2条国库支付数据（合计0.12万元）。本次文件校验通过后将全部替换这些数据" in refused.content.decode()
    assert ExecutionImport.objects.count() == 1 and ExecutionRecord.objects.count() == 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        confirmed = client.post(reverse("monitoring:execution_import"),
                                {"year": 2021, "replace": "on", "file": SimpleUploadedFile("b.csv", one_row)})
    assert confirmed.status_code == 302
    assert list(ExecutionRecord.objects.values_list("amount_fen", flat=True)) == [10_000]
