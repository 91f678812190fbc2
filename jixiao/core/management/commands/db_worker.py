"""``jixiao db_worker``: django-tasks-db's worker, made resilient (issue 17 item 2).

* Each job runs in a forked child process, so a job that is killed (out of memory, a crash in a
  parser) or runs past its time limit (``JIXIAO_JOB_SECONDS``, or the job's own) ends only that
  child: the worker marks the job and its record failed with a message the user sees, and goes on.
* At start, jobs left "running" by a dead worker (or far past their time limit) are failed the
  same way, so the user can retry them (``core.jobs.recover_stale``).
* SIGTERM / SIGINT: no new job is taken; the running one gets ``--grace`` seconds to finish, then
  it is stopped and marked failed (retryable); the worker exits 0. A second signal stops it at once.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult

from jixiao.core import jobs
from jixiao.core.filelimits import kill_process

logger = logging.getLogger("jixiao.jobs")


class Worker(LibraryWorker):
    def __init__(self, *, grace: float = 30, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.grace = grace
        self.stop_requested_at: float | None = None
        self.stop_now = False

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """Never exit inside the handler: the loop ends after (or interrupts) the running job."""
        logger.warning("收到%s信号：不再领取新任务，当前任务最多再运行%s秒。", signal.Signals(signum).name, self.grace)
        if self.stop_requested_at is not None:
            self.stop_now = True
        self.stop_requested_at = time.monotonic()
        self.running = False

    def run(self) -> None:
        recovered = jobs.recover_stale()
        if recovered:
            logger.warning("启动时发现%s个中断的任务，已标记为失败，用户可重新处理。", recovered)
        super().run()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        limit = jobs.time_limit(db_task_result.task_path)
        connections.close_all()  # the child opens its own connection
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            self._child(db_task_result)
        self.running_task = True
        try:
            message = self._wait(pid, limit)
            if message is not None:
                jobs.fail_row(db_task_result, message)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _child(self, db_task_result: DBTaskResult) -> None:  # pragma: no cover - runs in the child
        code = 0
        try:
            # The parent decides when the job stops (grace period, time limit).
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if hasattr(signal, "SIGQUIT"):
                signal.signal(signal.SIGQUIT, signal.SIG_IGN)
            LibraryWorker.run_task(self, db_task_result)
            connections.close_all()
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def _wait(self, pid: int, limit: int) -> str | None:
        """Wait for the child; None when it ended by itself, else why it was stopped or died."""
        deadline = time.monotonic() + limit
        reason: str | None = None
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            now = time.monotonic()
            if reason is None and now > deadline:
                reason = jobs.TIMED_OUT.format(seconds=limit)
            elif reason is None and self.stop_requested_at is not None and (
                    self.stop_now or now - self.stop_requested_at > self.grace):
                reason = jobs.STOPPED
            if reason is not None:
                kill_process(pid)
                os.waitpid(pid, 0)
                return reason
            time.sleep(0.05)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return None  # the job recorded its own outcome (success, or failure it raised)
        return jobs.CRASHED


class Command(LibraryCommand):
    help = "后台任务进程（导入、报告）：每个任务在独立子进程中运行，有时间限制；启动时恢复中断的任务；收到SIGTERM时安全退出。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--grace", type=float, default=30,
                            help="SIGTERM后等待当前任务完成的秒数 (default: %(default)s)")
        for action in parser._actions:
            if action.dest == "worker_id":
                action.default = jobs.worker_id()

    def handle(self, *args: Any, grace: float = 30, **options: Any) -> None:  # type: ignore[override]
        # The library builds its Worker inside handle(); build ours the same way.
        import django_tasks_db.management.commands.db_worker as library

        original = library.Worker
        library.Worker = lambda **kwargs: Worker(grace=grace, **kwargs)  # type: ignore[misc,assignment]
        try:
            super().handle(*args, **options)
        finally:
            library.Worker = original  # type: ignore[misc]
