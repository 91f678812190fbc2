"""A background job that dies, raises or is orphaned ends visibly failed and can be retried (issue 17 item 2)."""

from __future__ import annotations

import io
import socket
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from jixiao.core import jobs
from jixiao.organisation.imports import PROJECT_HEADER
from jixiao.organisation.models import ImportBatch, Project

pytestmark = pytest.mark.django_db
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def budget_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    ws.append([2022, "430603-2022-0001", "测试项目", "901", "一般公共预算", "120000.00", "150000", "新增"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client: Any) -> ImportBatch:
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("organisation:import"),
                    {"kind": "projects", "file": SimpleUploadedFile("budget.xlsx", budget_workbook())})
    return ImportBatch.objects.latest("pk")


def test_a_job_orphaned_by_a_killed_worker_is_failed_at_worker_start_and_retried(
        org: Any, users: Any, login: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from jixiao.organisation.imports import process_import

    settings.TASKS = DB_BACKEND
    client = login(users["perf_section"])
    batch = upload(client)
    row = DBTaskResult.objects.get()
    # A worker on this host that has since died (pid 4194304 is above Linux's pid_max) claimed it.
    row.claim(f"{socket.gethostname()}:4194304:abc")
    batch.set_progress(5)
    page = client.get(reverse("organisation:import_batch", kwargs={"pk": batch.pk})).content.decode()
    assert "校验中：已完成 5%" in page

    assert jobs.recover_stale() == 1  # what `jixiao db_worker` does when it starts
    batch.refresh_from_db()
    row.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and row.status == "FAILED"
    page = client.get(reverse("organisation:import_batch", kwargs={"pk": batch.pk})).content.decode()
    assert "后台任务异常终止" in page and "重新处理" in page and "every 1s" not in page

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("organisation:import_retry", kwargs={"pk": batch.pk}))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    process_import.call(batch.pk)  # what the worker does with the queued job
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and Project.objects.filter(year=2022).count() == 1


def test_a_running_job_of_a_live_worker_is_left_alone(org: Any, users: Any, login: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_BACKEND
    upload(login(users["perf_section"]))
    DBTaskResult.objects.get().claim(jobs.worker_id())  # this very process
    assert jobs.recover_stale() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.JIXIAO_JOB_SECONDS + 120)):
        assert jobs.recover_stale() == 1  # past its time limit: its worker is stuck
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert "超过1800秒未完成" in ImportBatch.objects.get().errors[0]["message"]


def test_a_job_that_raises_leaves_its_batch_failed_not_running(org: Any, users: Any, login: Any,
                                                                 monkeypatch: Any) -> None:
    from jixiao.organisation import imports

    def broken(batch: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports, "run_import", broken)
    client = login(users["perf_section"])
    batch = upload(client)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["message"].startswith("后台处理出错，未写入任何数据。")
    # Only a failed batch can be retried, and only by a role that may import.
    assert client.post(reverse("organisation:import_retry", kwargs={"pk": batch.pk})).status_code == 302
    assert login(users["unit_filler"]).post(reverse("organisation:import_retry", kwargs={"pk": batch.pk})).status_code == 403


def test_a_failed_report_says_so_and_offers_to_generate_again(monitoring_round: Any, users: Any, login: Any,
                                                              monkeypatch: Any) -> None:
    from jixiao.monitoring import report

    def broken(*args: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(report, "build_report", broken)
    client = login(users["perf_section"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("monitoring:report_create", kwargs={"pk": monitoring_round.pk}))
    page = client.get(response["Location"]).content.decode()
    assert "生成失败" in page and "请点击「重新生成」重试" in page and "重新生成</button>" in page


def test_healthz_reports_the_age_of_the_oldest_waiting_job(org: Any, users: Any, login: Any, settings: Any,
                                                           client: Any) -> None:
    settings.TASKS = DB_BACKEND
    assert client.get("/healthz").json() == {"status": "ok", "queue": {
        "waiting": 0, "running": 0, "oldest_waiting_seconds": 0, "alert": False}}
    upload(login(users["perf_section"]))
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        body = client.get("/healthz").json()
    assert body["status"] == "queue_delayed"
    assert body["queue"]["waiting"] == 1 and body["queue"]["oldest_waiting_seconds"] >= 600 and body["queue"]["alert"]
