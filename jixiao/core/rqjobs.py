"""Background jobs on RQ (Redis) for the province: the same ``@task`` functions, the same records
and progress pages as ``db_worker`` (issue 16 item 1).

Settings switch to it when ``JIXIAO_REDIS_URL`` is set (``TASKS`` backend :class:`Backend`,
workers ``jixiao rqworker --with-scheduler default``, worker class :class:`Worker`).

* **One job per record.** The RQ job id is derived from the task and the record's pk
  (:func:`job_id`): enqueuing a record whose job is still waiting or running adds nothing; the
  task itself claims the record (``core.jobs.claim``) and writes its result only while it still
  owns it (``core.jobs.hold``), so a job never completes twice, whatever RQ does.
* **Time limit.** Each job gets its registered limit (``JIXIAO_JOB_SECONDS`` by default) as RQ's
  timeout; past it the job is stopped and its record failed with the Chinese message.
* **Retries with backoff for passing failures only.** A database or Redis connection lost, or the
  worker gone (killed, machine restarted): the record goes back to "queued" and RQ runs the job
  again after ``JIXIAO_JOB_RETRY_DELAYS`` seconds. Anything else (an error in the job, its time
  limit, its process killed) fails the record at once with a message and the page's retry button.
* **Nothing silently lost.** At start and at each maintenance pass a worker hands jobs of dead
  workers on this host to RQ's abandoned-job handling at once (not after the heartbeat expires),
  and re-enqueues records that wait without a job in Redis (Redis restarted: it keeps nothing on
  disk) — the same as ``jixiao requeue_jobs``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from types import TracebackType
from typing import Any

import django_rq
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks.base import TASK_MAX_PRIORITY, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job as LibraryJob
from django_tasks_rq.backend import RQBackend
from django_tasks_rq.backend import success_callback as library_success
from rq import Retry
from rq.exceptions import AbandonedJobError, NoSuchJobError
from rq.job import Callback, JobStatus
from rq.registry import StartedJobRegistry
from rq.timeouts import JobTimeoutException
from rq.worker import Worker as RQWorker

from jixiao.core import jobs

logger = logging.getLogger("jixiao.jobs")

LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
DEAD = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def retry_delays() -> list[int]:
    text = str(getattr(settings, "JIXIAO_JOB_RETRY_DELAYS", "10,60,300"))
    return [int(part) for part in text.split(",") if part.strip()]


def job_id(task_path: str, pk: Any) -> str:
    """The RQ job id of a record's job: the same for every retry of it."""
    return f"jx-{task_path.replace('.', '-')}-{pk}"


class Job(LibraryJob):
    """django-tasks-rq's job (it calls the ``@task`` function)."""


def _exception_path(exc_type: type[BaseException]) -> str:
    return f"{exc_type.__module__}.{exc_type.__qualname__}"


def transient(exc_type: type[BaseException] | None) -> bool:
    """A failure that passes by itself: a lost database or Redis connection, a worker gone."""
    if exc_type is None:
        return False
    from django.db import InterfaceError, OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return issubclass(exc_type, (AbandonedJobError, OperationalError, InterfaceError,
                                 RedisConnectionError, RedisTimeoutError))


def _with_database(action: Any) -> None:
    """Run ``action`` against the database, reconnecting if the job's connection was cut."""
    for attempt in range(5):
        close_old_connections()
        try:
            action()
            return
        except Exception:
            if attempt == 4:
                raise
            time.sleep(1 + attempt)


def settle(job: Any, exc_type: type[BaseException] | None, *, crashed: bool = False) -> None:
    """Decide a failed attempt: back to the queue for RQ's retry, or the record failed for good."""
    path, args = job.meta.get("jixiao_task", ""), list(job.args or [])
    if not crashed and transient(exc_type) and job.retries_left:
        logger.warning("后台任务%s（%s）因%s中断，稍后自动重试（还剩%s次）。", path, args[:1],
                       getattr(exc_type, "__name__", ""), job.retries_left)
        _with_database(lambda: jobs.retry_record(path, args))
        return
    job.retries_left = 0  # RQ must not run it again: the user decides (the page's retry button)
    if crashed:
        message = jobs.CRASHED
    elif exc_type is not None and issubclass(exc_type, JobTimeoutException):
        message = jobs.TIMED_OUT.format(seconds=job.timeout or jobs.time_limit(path))
    elif transient(exc_type):
        message = jobs.RETRIES_EXHAUSTED
    else:
        message = jobs.FAILED
    _with_database(lambda: jobs.mark_failed(path, args, message))


def failed_callback(job: Any, connection: Any, exc_type: type[BaseException], exc_value: BaseException,
                    traceback: TracebackType | None) -> None:
    """RQ's failure callback (in the job's process, or in the worker that found it abandoned)."""
    job.meta.setdefault("_django_tasks_rq_exceptions", []).append(_exception_path(exc_type))
    job.save_meta()
    settle(job, exc_type)


class Backend(RQBackend):
    """django-tasks-rq with the record's job id, its time limit, retries and our failure handling."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        path = jobs.task_path(task)
        registered = path in jobs.JOBS and args
        rq_id = job_id(path, args[0]) if registered else get_random_id()
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        if registered:
            try:
                existing = Job.fetch(rq_id, connection=queue.connection)
            except NoSuchJobError:
                existing = None
            if existing is not None and existing.get_status() in LIVE:
                return existing.task_result  # type: ignore[attr-defined,no-any-return]  # one job per record
            if existing is not None:
                existing.delete()  # a finished or failed earlier job of the same record
        delays = retry_delays()
        job = queue.create_job(
            task.module_path, args=args, kwargs=kwargs, job_id=rq_id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            timeout=jobs.time_limit(path),
            retry=Retry(max=len(delays), interval=delays) if delays else None,
            failure_ttl=30 * 24 * 3600,
            on_failure=Callback(failed_callback),
            on_success=Callback(library_success),
            meta={"backend_name": self.alias, "jixiao_task": path},
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        result: TaskResult = TaskResult(task=task, id=job.id, status=TaskResultStatus.READY, enqueued_at=job.enqueued_at,
                            started_at=None, last_attempted_at=None, finished_at=None, args=args, kwargs=kwargs,
                            backend=self.alias, errors=[], worker_ids=[])
        task_enqueued.send(type(self), task_result=result)
        return result


# --- the worker ----------------------------------------------------------------------------------


def worker_name() -> str:
    """host.pid.random — a worker on the same host can tell that another one is gone."""
    from django.utils.crypto import get_random_string

    return f"{_host()}.{os.getpid()}.{get_random_string(6)}"


def _host() -> str:
    return "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in socket.gethostname()[:40])


def _dead(name: str) -> bool:
    """True when ``name`` is a worker of this host whose process is gone."""
    parts = name.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or parts[0] != _host():
        return False  # another machine's worker (or not one of ours): RQ's heartbeat expiry tells
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Worker(RQWorker):
    """RQ's forking worker, named host.pid.random; settles killed work-horses and dead workers' jobs
    at once and re-enqueues jobs lost with a Redis restart."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("name"):
            kwargs["name"] = worker_name()
        kwargs.setdefault("maintenance_interval", int(getattr(settings, "JIXIAO_RQ_MAINTENANCE_SECONDS", 60)))
        super().__init__(*args, **kwargs)

    def execute_job(self, job: Any, queue: Any) -> None:
        # The job's forked process opens its own database connection: never share (or inherit a
        # dead) one across the fork.
        connections.close_all()
        super().execute_job(job, queue)

    def handle_work_horse_killed(self, job: Any, retpid: Any, ret_val: Any, rusage: Any) -> None:
        # The job's process died (out of memory, a crash in a parser): fail it, as db_worker does.
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        settle(job, None, crashed=True)

    def run_maintenance_tasks(self) -> None:
        try:
            for queue in self.queues:
                expire_dead_workers_jobs(queue, self._exc_handlers)
            requeue_lost()
        except Exception:  # never let the recovery stop the worker
            logger.exception("recovering lost jobs failed")
        finally:
            connections.close_all()
        super().run_maintenance_tasks()


def expire_dead_workers_jobs(queue: Any, exception_handlers: Any = None) -> int:
    """Jobs started by a worker of this host that is gone: RQ's abandoned-job handling now."""
    registry = StartedJobRegistry(queue.name, connection=queue.connection, job_class=queue.job_class,
                                  serializer=queue.serializer)
    expired = 0
    for entry in queue.connection.zrange(registry.key, 0, -1):
        key = entry.decode() if isinstance(entry, bytes) else entry
        try:
            job = queue.job_class.fetch(key.split(":")[0], connection=queue.connection)
        except NoSuchJobError:
            continue
        if job.worker_name and _dead(job.worker_name):
            queue.connection.zadd(registry.key, {key: 1}, xx=True)
            expired += 1
    if expired:
        logger.warning("发现%s个由已停止的后台进程留下的任务，按中断处理（自动重试或标记失败）。", expired)
        registry.cleanup(exception_handlers=exception_handlers)
    return expired


# --- jobs lost with Redis --------------------------------------------------------------------------


def waiting_records(older_than: int = 0) -> Iterator[tuple[str, Any, str]]:
    """(task path, record, status) of every record waiting or running per the database."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    for path, job in jobs.JOBS.items():
        if job.model is None:
            continue
        created = "uploaded_at" if hasattr(job.model, "uploaded_at") else "requested_at"
        rows = job.model._default_manager.filter(status__in=(jobs.QUEUED, jobs.RUNNING),
                                                 **{f"{created}__lte": cutoff}).order_by("pk")
        for record in rows:
            yield path, record, record.status


def lost_jobs(older_than: int = 0) -> list[tuple[str, Any, str]]:
    """Records waiting or running whose job Redis no longer has (or has as failed)."""
    connection = django_rq.get_connection()
    lost = []
    for path, record, status in waiting_records(older_than):
        try:
            job = Job.fetch(job_id(path, record.pk), connection=connection)
            rq_status = job.get_status()
        except NoSuchJobError:
            rq_status = None
        if rq_status not in LIVE:
            lost.append((path, record, status))
    return lost


def requeue_lost(older_than: int = 60) -> list[tuple[str, Any, str]]:
    """Enqueue again every record whose job was lost (its record goes back to "queued" first)."""
    from django.utils.module_loading import import_string

    lost = lost_jobs(older_than)
    for path, record, status in lost:
        if status == jobs.RUNNING:
            jobs.retry_record(path, [record.pk])
        task = import_string(path)
        task.enqueue(record.pk)
    if lost:
        logger.warning("重新排队%s个在队列服务中丢失的后台任务。", len(lost))
    return lost


def queue_state() -> dict[str, Any]:
    """/healthz for RQ: waiting, running and failed jobs and the age of the oldest waiting one."""
    from rq.registry import FailedJobRegistry

    waiting = running = failed = 0
    oldest = None
    from django_rq.queues import get_queues

    for queue in get_queues(*django_rq.settings.QUEUES.keys()):
        waiting += queue.count
        running += StartedJobRegistry(queue=queue).count
        failed += FailedJobRegistry(queue=queue).count
        first = queue.get_job_ids(0, 0)
        if first:
            try:
                enqueued = Job.fetch(first[0], connection=queue.connection).enqueued_at
            except NoSuchJobError:
                enqueued = None
            if enqueued and (oldest is None or enqueued < oldest):
                oldest = enqueued
    now = timezone.now()
    if oldest is not None and timezone.is_naive(oldest):
        oldest = timezone.make_aware(oldest, UTC)
    age = int((now - oldest).total_seconds()) if oldest else 0
    alert_after = int(getattr(settings, "JIXIAO_QUEUE_ALERT_SECONDS", 300))
    return {"backend": "RQ", "waiting": waiting, "running": running, "failed": failed,
            "oldest_waiting_seconds": max(age, 0), "alert": age > alert_after}
