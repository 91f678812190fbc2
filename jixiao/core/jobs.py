"""Background jobs that fail visibly (issue 17 item 2).

Every ``@task`` whose progress a user watches registers here with the function that marks its
record failed (:func:`register`). A job then ends in one of three ways the user sees:

* it finishes (the task itself marks its record done or rejected);
* it raises, runs past its time limit, or its process dies (killed, out of memory): the worker
  (``jixiao db_worker``, :mod:`jixiao.core.management.commands.db_worker`) marks the queue row
  failed and calls the record's failure function with a Chinese message; the user retries;
* the worker itself was killed while running it: at the next start the worker finds the job still
  "running" under a dead worker (or past its time limit) and fails it the same way (:func:`recover_stale`).

``queue_state`` feeds ``/healthz``: how many jobs wait and how old the oldest is.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("jixiao.jobs")

CRASHED = "后台任务异常终止（可能是文件过大或服务重启），本次处理未完成，未写入任何数据。请点击「重新处理」重试。"
TIMED_OUT = "后台任务超过{seconds}秒未完成，已被终止，未写入任何数据。请点击「重新处理」重试，或拆分文件后重新上传。"
FAILED = "后台处理出错，未写入任何数据。请点击「重新处理」重试；如仍失败请联系系统管理员。"
STOPPED = "后台服务停止时任务尚未完成，已中断，未写入任何数据。请点击「重新处理」重试。"
RETRIES_EXHAUSTED = "后台任务因数据库或队列服务中断多次重试仍未完成，未写入任何数据。请点击「重新处理」重试。"

#: The record statuses a job moves through (uploads and reports use the same two words).
QUEUED, RUNNING = "queued", "running"


@dataclass(frozen=True)
class Job:
    task_path: str
    on_failure: Callable[[Any, str], None]  # (first task argument: the record's pk, message)
    seconds: int | None = None
    #: the record kind (its pk is the task's first argument): lost jobs are found from its waiting rows
    model: Any = None
    #: puts a record whose attempt failed for a passing reason back to "queued" (RQ retries it)
    on_retry: Callable[[Any], None] | None = None

    def time_limit(self) -> int:
        return self.seconds or job_seconds()


JOBS: dict[str, Job] = {}


def register(task: Any, on_failure: Callable[[Any, str], None], seconds: int | None = None, *,
             model: Any = None, on_retry: Callable[[Any], None] | None = None) -> None:
    """Declare how ``task``'s record is marked failed (and, optionally, its own time limit, the
    record model and how a record goes back to the queue for an automatic retry)."""
    path = task_path(task)
    JOBS[path] = Job(path, on_failure, seconds, model, on_retry)


def task_path(task: Any) -> str:
    return f"{task.func.__module__}.{task.func.__qualname__}"


# --- one attempt owns a record: a job never completes twice --------------------------------------


class Superseded(Exception):
    """This attempt no longer owns its record (another attempt took it over, or it finished)."""


def current_job_id() -> str:
    """The RQ job this code runs in (its id is the same for every retry of it), else ""."""
    try:
        from rq import get_current_job
    except ImportError:  # pragma: no cover - the rq extra is not installed
        return ""
    job = get_current_job()
    return job.id if job is not None else ""


def claim(model: Any, pk: Any, **running: Any) -> str | None:
    """Atomically move the record from "queued" to "running" under a new attempt token; None when
    another attempt has it or it is finished. A retry of the same RQ job takes over the record its
    previous (dead) attempt left "running"."""
    from django.db.models import Q
    from django.utils.crypto import get_random_string

    job_id = current_job_id()
    token = f"{job_id or '-'}.{get_random_string(12)}"
    mine = Q(status=QUEUED)
    if job_id:
        mine |= Q(status=RUNNING, job_token__startswith=f"{job_id}.")
    updated = model._default_manager.filter(Q(pk=pk) & mine).update(status=RUNNING, job_token=token, **running)
    return token if updated else None


def hold(model: Any, pk: Any, token: str) -> None:
    """Inside the transaction that writes the result: lock the record and make sure this attempt
    still owns it (an attempt given up for dead must not write after its retry took over)."""
    if not token:
        return
    owned = model._default_manager.select_for_update().filter(pk=pk, status=RUNNING, job_token=token).exists()
    if not owned:
        raise Superseded(f"{model.__name__}({pk})")


def retry_record(task_path_: str, args: list[Any]) -> bool:
    """Put the record of a failed attempt back to "queued" for RQ's automatic retry."""
    job = JOBS.get(task_path_)
    if job is None or job.on_retry is None or not args:
        return False
    job.on_retry(args[0])
    return True


def job_seconds() -> int:
    return int(getattr(settings, "JIXIAO_JOB_SECONDS", 1800))


def time_limit(task_path: str) -> int:
    job = JOBS.get(task_path)
    return job.time_limit() if job else job_seconds()


def mark_failed(task_path: str, args: list[Any], message: str) -> None:
    """Call the registered failure function of ``task_path`` with the job's first argument."""
    job = JOBS.get(task_path)
    if job is None or not args:
        return
    try:
        job.on_failure(args[0], message)
    except Exception:  # the queue row is failed either way; never let this stop the worker
        logger.exception("could not mark the record of %s(%r) failed", task_path, args[0])


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """``task_finished`` receiver: a task that raised leaves its record failed, not "running"."""
    from django_tasks.base import TaskResultStatus

    if task_result.status == TaskResultStatus.FAILED:
        path = f"{task_result.task.func.__module__}.{task_result.task.func.__qualname__}"
        mark_failed(path, list(task_result.args), FAILED)


# --- worker identity and stale jobs --------------------------------------------------------------


def worker_id() -> str:
    """host:pid:random — a restarted worker can tell that a job's worker is gone."""
    from django.utils.crypto import get_random_string

    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def _alive(worker: str) -> bool:
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return True  # another machine's worker: only the time limit can tell
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stale(grace_seconds: int = 60) -> int:
    """Fail every "running" job whose worker is dead or whose time limit has long passed."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    recovered = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker = (row.worker_ids or [""])[-1]
        limit = time_limit(row.task_path)
        overdue = row.started_at is not None and row.started_at < now - timedelta(seconds=limit + grace_seconds)
        if _alive(worker) and not overdue:
            continue
        fail_row(row, CRASHED if not overdue else TIMED_OUT.format(seconds=limit))
        recovered += 1
    return recovered


class JobInterrupted(Exception):
    """Recorded as the queue row's failure when the job did not end by itself."""


def fail_row(row: Any, message: str) -> None:
    """Mark a queue row and its record failed (the row only if it is still running)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    updated = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).exists()
    if updated:
        row.refresh_from_db()
        row.set_failed(JobInterrupted(message))
    mark_failed(row.task_path, list((row.args_kwargs or {}).get("args", [])), message)


# --- the queue for monitoring --------------------------------------------------------------------


def queue_state() -> dict[str, Any]:
    """Waiting and running jobs and the age of the oldest waiting one (for /healthz)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "jixiao.core.rqjobs.Backend":
        from jixiao.core.rqjobs import queue_state as rq_queue_state

        return rq_queue_state()
    if not backend.startswith("django_tasks_db"):
        return {"backend": backend.rsplit(".", 1)[-1]}
    from django.db.models import Min
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__lte=now) | \
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__year=9999)
    oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    age = int((now - oldest).total_seconds()) if oldest else 0
    alert_after = int(getattr(settings, "JIXIAO_QUEUE_ALERT_SECONDS", 300))
    return {
        "waiting": ready.count(),
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "oldest_waiting_seconds": age,
        "alert": age > alert_after,
    }
