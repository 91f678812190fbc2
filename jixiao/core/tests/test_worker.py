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
