"""The real worker (`jixiao db_worker`): a crashing or endless job ends only itself, SIGTERM stops it
cleanly, a restart recovers orphaned jobs (issue 17 item 2).

These run the worker's fork-per-job loop and a second process, so the test database must be
PostgreSQL (SQLite's security-log trigger refuses the flush between transactional tests); the
PostgreSQL run of `.ci/run` and `make test-worker` run them, the in-memory SQLite run deselects them.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from openpyxl import Workbook

from jixiao.core import jobs
from jixiao.core.management.commands.db_worker import Worker
from jixiao.organisation.imports import PROJECT_HEADER, process_import
from jixiao.organisation.models import ImportBatch, Project

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def budget_workbook(code: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(PROJECT_HEADER)
    ws.append([2022, code, f"项目{code}", "901", "一般公共预算", "120000.00", "150000", "新增"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def queued(name: str, user: Any, code: str = "430603-2022-0001") -> ImportBatch:
    batch = ImportBatch(kind="projects", file_name=name, uploaded_by=user)
    batch.store(budget_workbook(code))
    batch.save()
    process_import.enqueue(batch.pk)
    return batch


def worker(grace: float = 5) -> Worker:
    return Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                  max_tasks=None, worker_id=jobs.worker_id(), excluded_queue_names=[], grace=grace)


def misbehaving(monkeypatch: Any, action: Any) -> None:
    """The import of a file named bad.xlsx does ``action`` in the job's process; others import normally."""
    from jixiao.organisation import imports

    original = imports.run_import

    def run_import(batch: ImportBatch) -> Any:
        if batch.file_name == "bad.xlsx":
            action()
        return original(batch)

    monkeypatch.setattr(imports, "run_import", run_import)


def test_a_job_whose_process_is_killed_fails_visibly_and_the_worker_goes_on(org: Any, users: Any,
                                                                           monkeypatch: Any) -> None:
    misbehaving(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGKILL))  # e.g. the kernel's OOM killer
    bad = queued("bad.xlsx", users["perf_section"])
    good = queued("good.xlsx", users["perf_section"], "430603-2022-0002")
    worker().run()
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == ImportBatch.Status.FAILED and bad.errors[0]["message"] == jobs.CRASHED
    assert good.status == ImportBatch.Status.IMPORTED
    assert list(Project.objects.filter(year=2022).values_list("code", flat=True)) == ["430603-2022-0002"]


def test_a_job_past_its_time_limit_is_stopped(org: Any, users: Any, monkeypatch: Any, settings: Any) -> None:
    settings.JIXIAO_JOB_SECONDS = 1
    misbehaving(monkeypatch, lambda: time.sleep(60))
    bad = queued("bad.xlsx", users["perf_section"])
    started = time.monotonic()
    worker().run()
    assert time.monotonic() - started < 45  # stopped long before the 60 s sleep ends
    bad.refresh_from_db()
    assert bad.status == ImportBatch.Status.FAILED
    assert bad.errors[0]["message"].startswith("后台任务超过1秒未完成，已被终止")


def test_sigterm_lets_the_job_finish_within_the_grace_period_then_stops_it(org: Any, users: Any,
                                                                           monkeypatch: Any) -> None:
    misbehaving(monkeypatch, lambda: time.sleep(60))
    bad = queued("bad.xlsx", users["perf_section"])
    queued("later.xlsx", users["perf_section"], "430603-2022-0003")
    w = worker(grace=1)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    w.configure_signals()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    try:
        timer.start()
        started = time.monotonic()
        w.run()
    finally:
        timer.cancel()
        for s, handler in previous.items():
            signal.signal(s, handler)
    assert time.monotonic() - started < 45  # stopped long before the 60 s sleep ends
    bad.refresh_from_db()
    assert bad.status == ImportBatch.Status.FAILED and bad.errors[0]["message"] == jobs.STOPPED
    # No new job was taken after the signal.
    assert ImportBatch.objects.get(file_name="later.xlsx").status == ImportBatch.Status.QUEUED


def test_the_worker_process_recovers_orphans_runs_jobs_and_exits_on_sigterm(org: Any, users: Any,
                                                                            media_root: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    orphan = queued("orphan.xlsx", users["perf_section"])
    DBTaskResult.objects.get().claim(f"{socket.gethostname()}:4194304:dead")
    orphan.set_progress(5)
    fresh = queued("fresh.xlsx", users["perf_section"], "430603-2022-0004")

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"JIXIAO_DATABASE_URL": url, "JIXIAO_MEDIA_ROOT": str(media_root), "JIXIAO_REDIS_URL": "",
                "JIXIAO_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
                "PYTHONPATH": str(Path(django_settings.BASE_DIR).parent)})
    proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli", "db_worker", "--no-reload", "--interval", "0.2",
                             "--no-startup-delay", "-v0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            fresh.refresh_from_db()
            if fresh.status == ImportBatch.Status.IMPORTED:
                break
            time.sleep(0.2)
        orphan.refresh_from_db()
        assert orphan.status == ImportBatch.Status.FAILED and orphan.errors[0]["message"] == jobs.CRASHED
        assert fresh.status == ImportBatch.Status.IMPORTED
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        output = proc.stdout.read().decode() if proc.stdout else ""
    assert "Traceback" not in output, output


def reading_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-read-ahead"]


def test_an_exports_rows_are_read_ahead_on_a_second_connection_in_their_order(org: Any, users: Any) -> None:
    from jixiao.core.exports import read_ahead

    qs = Project.objects.order_by("-code").values_list("code", "name")
    rows = read_ahead(qs, chunk_size=1)
    first = next(rows)
    assert reading_threads()  # the rows come from the second thread
    assert [first, *rows] == list(qs) and len(list(qs)) > 1
    assert not reading_threads()  # ended with the rows, its connection closed
    stopped = read_ahead(qs, chunk_size=1)
    next(stopped)
    stopped.close()  # the export stopped early: the reader stops too
    assert not reading_threads()


def test_a_read_ahead_that_fails_raises_in_the_export(org: Any) -> None:
    from django.db import DatabaseError
    from django.db.models.expressions import RawSQL

    from jixiao.core.exports import read_ahead

    broken = Project.objects.annotate(bad=RawSQL("1 / (id - id)", [])).values_list("code", "bad")
    with pytest.raises(DatabaseError):
        list(read_ahead(broken))
    assert not reading_threads()


def test_a_worker_export_read_ahead_has_the_rows_of_the_inline_export(users: Any, login: Any, settings: Any) -> None:
    from openpyxl import load_workbook

    from jixiao.core.exports import build_export
    from jixiao.core.models import ExportJob

    def cells(content: bytes) -> list[list[Any]]:
        return [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=3)]

    client = login(users["perf_section"])
    from django.urls import reverse

    url = reverse("organisation:project_list") + "?year=2021&export=xlsx"
    inline = client.get(url)
    assert inline.status_code == 200
    settings.JIXIAO_EXPORT_INLINE_ROWS = 1
    queued_page = client.get(url)  # the job is queued on commit; the test runs the worker's task itself
    job = ExportJob.objects.get()
    assert queued_page.status_code == 302
    build_export.func(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.total == len(cells(inline.content)) - 1 > 1
    assert cells(bytes(job.content)) == cells(inline.content)
