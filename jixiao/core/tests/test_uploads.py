"""Uploads are limited while they stream in and stored as hashed files, never in the database (issue 17 item 3)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from jixiao.core.filelimits import Limits
from jixiao.core.uploads import QueuedUpload
from jixiao.monitoring.models import ExecutionImport
from jixiao.organisation.imports import PROJECT_HEADER
from jixiao.organisation.models import ImportBatch, Project
from jixiao.organisation.views import ImportView

pytestmark = pytest.mark.django_db


def budget_workbook(rows: int = 2) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    for i in range(1, rows + 1):
        ws.append([2022, f"430603-2022-{i:04d}", f"测试项目{i}", "901", "一般公共预算", "120000.00", "150000", "新增"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in (media_root / "uploads").rglob("*") if p.is_file()] if (media_root / "uploads").exists() else []


def test_a_file_over_the_limit_is_stopped_while_streaming_and_nothing_is_stored(
        org: Any, users: Any, login: Any, monkeypatch: Any, media_root: Path) -> None:
    monkeypatch.setattr(ImportView, "upload_limits", Limits("预算数据", max_bytes=1024 * 1024))
    big = b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = login(users["perf_section"]).post(
            reverse("organisation:import"), {"kind": "projects", "file": SimpleUploadedFile("budget.xlsx", big)})
    assert response.status_code == 200
    assert "文件「budget.xlsx」超过允许的1MB，未上传。请拆分后分批上传。" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert stored_files(media_root) == []


def test_the_treasury_import_has_its_own_limit(monitoring_round: Any, users: Any, login: Any, monkeypatch: Any) -> None:
    from jixiao.monitoring.views import ExecutionImportView

    monkeypatch.setattr(ExecutionImportView, "upload_limits", Limits("国库支付数据", max_bytes=512 * 1024))
    response = login(users["perf_section"]).post(reverse("monitoring:execution_import"), {
        "year": 2021, "file": SimpleUploadedFile("国库.csv", b"x" * (600 * 1024))})
    assert "文件「国库.csv」超过允许的512KB，未上传。" in response.content.decode()
    assert not ExecutionImport.objects.exists()


def test_an_accepted_upload_is_a_file_named_by_its_hash(org: Any, users: Any, login: Any, media_root: Path) -> None:
    content = budget_workbook()
    with TestCase.captureOnCommitCallbacks(execute=True):
        login(users["perf_section"]).post(reverse("organisation:import"),
                                          {"kind": "projects", "file": SimpleUploadedFile("budget.xlsx", content)})
    batch = ImportBatch.objects.get()
    digest = hashlib.sha256(content).hexdigest()
    assert batch.status == ImportBatch.Status.IMPORTED and Project.objects.filter(year=2022).count() == 2
    assert (batch.sha256, batch.size) == (digest, len(content))
    assert stored_files(media_root) == [media_root / "uploads" / digest[:2] / digest]
    assert (media_root / batch.file_path).read_bytes() == content
    # No column of the batch table holds the file.
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, ImportBatch._meta.db_table)
    assert not [c.name for c in columns if c.name == "upload"]
    assert not [f.name for f in QueuedUpload._meta.get_fields() if f.get_internal_type() == "BinaryField"
                and f.name != "annotated_workbook"]


def test_a_stored_file_changed_on_disk_is_refused(org: Any, users: Any, media_root: Path) -> None:
    from jixiao.organisation.imports import run_import

    batch = ImportBatch(kind="projects", file_name="b.xlsx", uploaded_by=users["perf_section"])
    batch.store(budget_workbook())
    batch.save()
    (media_root / batch.file_path).write_bytes(budget_workbook(3))
    result = run_import(batch)
    assert [str(e) for e in result.errors] == ["文件：上传文件已丢失或被改动（摘要不符），请重新上传。"]
    assert not Project.objects.filter(year=2022).exists()
