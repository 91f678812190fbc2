"""Hostile workbooks are refused before they are parsed; a parser that explodes dies alone (issue 17 item 1)."""

from __future__ import annotations

import io
import os
import time
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from jixiao.core.filelimits import FileRefused, run_limited
from jixiao.monitoring.models import ExecutionImport, ExecutionRecord
from jixiao.organisation.imports import PROJECT_HEADER
from jixiao.organisation.models import ImportBatch, Project

pytestmark = pytest.mark.django_db


def saved(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def corner_cells() -> bytes:
    """The 1.6 KB attack: A1 and XFD1048576, a declared 1,048,576 × 16,384 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    ws["XFD1048576"] = "x"
    return saved(wb)


def zip_bomb(padding: int = 20_000_000) -> bytes:
    """A valid-looking workbook whose sheet XML inflates to ``padding`` bytes of blanks."""
    wb = Workbook()
    wb.active.append(PROJECT_HEADER)
    source = zipfile.ZipFile(io.BytesIO(saved(wb)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * padding + b"</sheetData>")
            out.writestr(item, data)
    return buf.getvalue()


def far_row(row: int = 200_000) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    ws.cell(row=row, column=1, value="x")
    return saved(wb)


def upload_budget(client: Any, content: bytes) -> ImportBatch:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("organisation:import"),
                               {"kind": "projects", "file": SimpleUploadedFile("budget.xlsx", content)})
    assert response.status_code == 302
    return ImportBatch.objects.get()


def test_corner_cells_are_refused_from_the_declared_dimension(org: Any, users: Any, login: Any) -> None:
    content = corner_cells()
    assert len(content) < 6_000
    batch = upload_budget(login(users["perf_section"]), content)
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.errors[0]["message"].startswith("工作表「Sheet」声明的范围为1048576行×16384列，超过预算数据导入允许的700000行×60列")
    assert "文件未读取" in batch.errors[0]["message"]
    page = login(users["perf_section"]).get(reverse("organisation:import_batch", kwargs={"pk": batch.pk})).content.decode()
    assert "声明的范围为1048576行×16384列" in page
    assert not Project.objects.filter(year=2022).exists()


def test_a_zip_bomb_is_refused_by_its_compression_ratio(org: Any, users: Any, login: Any) -> None:
    content = zip_bomb()
    assert len(content) < 60_000
    batch = upload_budget(login(users["perf_section"]), content)
    assert batch.status == ImportBatch.Status.REJECTED
    assert "疑似压缩炸弹，文件未读取" in batch.errors[0]["message"]


def test_a_treasury_workbook_with_corner_cells_is_refused(monitoring_round: Any, users: Any, login: Any) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        login(users["perf_section"]).post(reverse("monitoring:execution_import"),
                                          {"year": 2021, "file": SimpleUploadedFile("国库.xlsx", corner_cells())})
    batch = ExecutionImport.objects.get()
    assert batch.status == ExecutionImport.Status.REJECTED
    assert "超过国库支付数据导入允许的1500000行×30列" in batch.errors[0]["message"]
    assert not ExecutionRecord.objects.exists()


def test_a_treasury_csv_over_its_row_limit_is_refused(monitoring_round: Any, users: Any, login: Any,
                                                       monkeypatch: Any) -> None:
    from jixiao.core import filelimits
    from jixiao.monitoring import imports

    monkeypatch.setattr(imports, "TREASURY", filelimits.Limits("国库支付数据", max_rows=100))
    content = "项目编码,月份,支付金额\n" + "P-901,3,1\n" * 150
    with TestCase.captureOnCommitCallbacks(execute=True):
        login(users["perf_section"]).post(reverse("monitoring:execution_import"),
                                          {"year": 2021, "file": SimpleUploadedFile("国库.csv", content.encode())})
    batch = ExecutionImport.objects.get()
    assert batch.errors[0]["message"].startswith("文件有151行，超过国库支付数据导入允许的100行")


def test_a_target_workbook_with_a_cell_at_row_200000_is_refused_at_once(declaration: Any, users: Any, login: Any) -> None:
    response = login(users["unit_filler"]).post(reverse("targets:workbook_upload"),
                                                {"file": SimpleUploadedFile("targets.xlsx", far_row())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "声明的范围为200000行×8列，超过绩效目标工作簿导入允许的500行×30列" in html, html[html.find("声明"):][:200]


def test_a_self_evaluation_zip_bomb_is_refused(selfevals: Any, users: Any, login: Any) -> None:
    response = login(users["unit_filler"]).post(reverse("evaluation:selfeval_upload"),
                                                {"file": SimpleUploadedFile("自评.xlsx", zip_bomb())})
    assert response.status_code == 400
    assert "疑似压缩炸弹，文件未读取" in response.content.decode()


def test_real_rows_beyond_the_limit_are_counted_even_without_a_dimension(org: Any, users: Any, login: Any) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    for i in range(600):
        ws.append([2022, f"C{i}"])
    content = saved(wb)
    source = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:  # drop the <dimension> element
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b"<dimension")
                data = data[:start] + data[data.index(b"/>", start) + 2:]
            out.writestr(item, data)
    response = login(users["unit_filler"]).post(reverse("targets:workbook_upload"),
                                                {"file": SimpleUploadedFile("targets.xlsx", buf.getvalue())})
    assert "实际使用的范围为601行" in response.content.decode()


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def test_a_parser_over_its_memory_limit_dies_alone() -> None:
    with pytest.raises(FileRefused, match="超过64MB内存"):
        run_limited(allocate, 1024, memory_bytes=64 * 1024 * 1024, seconds=30)
    assert run_limited(allocate, 8, memory_bytes=256 * 1024 * 1024, seconds=30) == 8 * 1024 * 1024


def test_a_parser_over_its_time_limit_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(FileRefused, match="超过1秒"):
        run_limited(time.sleep, 30, memory_bytes=64 * 1024 * 1024, seconds=1)
    assert time.monotonic() - started < 25  # stopped long before the 30 s sleep ends


def test_a_parser_killed_outright_is_refused_not_fatal() -> None:
    with pytest.raises(FileRefused, match="内存或时间限制"):
        run_limited(os.abort, memory_bytes=64 * 1024 * 1024, seconds=10)

