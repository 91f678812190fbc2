"""Large list exports in the background worker (issue 15 item 3).

A list's "导出Excel" with at most :func:`inline_rows` rows is answered in the request, as before.
Above that, :func:`queue_export` records an :class:`~jixiao.core.models.ExportJob` (the list's path
and filters, the working year pinned) and the worker's :func:`build_export` runs the same list view
for the same user — same scoping, filters and order — and streams the rows into a write-only
workbook (``listing.stream_cells`` of the view's ``export_cells``), recording progress the job page polls.
"""

from __future__ import annotations

import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from django_tasks import task

from jixiao.core import jobs
from jixiao.core.models import ExportJob

#: the least time between two progress writes of an export
PROGRESS_SECONDS = 1.0


def inline_rows() -> int:
    """Exports of more rows than this go to the worker."""
    return int(getattr(settings, "JIXIAO_EXPORT_INLINE_ROWS", 3000))


def queue_export(view: Any, total: int) -> HttpResponse:
    """Record the export of ``view``'s filtered rows and send the user to the job's page."""
    from django.db import transaction

    request = view.request
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)
    if getattr(view, "year_stage", "") and "year" not in query:
        year = view.list_year()
        query["year"] = str(year) if year is not None else ""
    job = ExportJob.objects.create(requested_by=request.user, title=view.page_title(), path=request.path,
                                   query=query.urlencode(), total=total, message="排队等待生成")
    transaction.on_commit(lambda: build_export.enqueue(job.pk))
    return redirect(job.get_absolute_url())


def list_view(job: ExportJob) -> Any:
    """The list view of the job's path, set up with a request of the job's user and filters."""
    match = resolve(job.path)
    request = RequestFactory().get(job.path, data=None, QUERY_STRING=job.query)
    request.user = job.requested_by
    request.htmx = False  # type: ignore[attr-defined]
    view = match.func.view_class()  # type: ignore[attr-defined]
    view.setup(request, *match.args, **match.kwargs)
    return view


@task()
def build_export(job_id: int) -> None:
    """Background task: the list's rows, streamed into the workbook, progress on the job."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    view = list_view(job)
    view.reads_ahead = True
    if not job.requested_by.is_active or not job.requested_by.can(view.permission_label(), "export"):
        ExportJob.fail(job_id, "您的角色已无权导出该列表。")
        return
    # One attempt owns the job (queued → running); a duplicate or superseded attempt does nothing.
    token = jobs.claim(ExportJob, job_id, message="正在生成")
    if token is None:
        return
    qs, _form, _sort = view.rows()
    total = max(job.total, 1)
    last = time.monotonic()

    def progress(done: int) -> None:
        # At most one progress write a second: each is a commit (a WAL flush), and 40 of them took a
        # fifth of a province export's time.
        nonlocal last
        if time.monotonic() - last < PROGRESS_SECONDS:
            return
        last = time.monotonic()
        ExportJob.objects.filter(pk=job_id, job_token=token).update(percent=min(99, done * 100 // total),
                                                                    message=f"已写入 {done} 行")

    with tempfile.TemporaryFile() as out:
        count = stream_rows(job.title, view.columns, view.export_cells(qs), out, progress)
        out.seek(0)
        content = out.read()
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, job_token=token).update(
        status=ExportJob.Status.DONE, percent=100, message=f"共 {count} 行", content=content, total=count,
        file_name=f"{job.title}_{timezone.localtime(job.requested_at):%Y%m%d%H%M}.xlsx", finished_at=timezone.now())


def stream_rows(title: str, columns: Any, cells: Any, out: Any, progress: Any) -> int:
    from jixiao.core.listing import stream_cells

    return stream_cells(title, columns, cells, out, progress=progress)


jobs.register(build_export, ExportJob.fail, model=ExportJob, on_retry=ExportJob.requeue)


_DONE = object()


def read_ahead(qs: Any, chunk_size: int = 5000) -> Iterator[Any]:
    """The rows of ``qs``, read by a second thread on its own connection while the caller writes the
    previous ones: an export's time becomes the longer of reading and writing, not their sum.

    Only on PostgreSQL (SQLite's reads are in-process: nothing to wait for) and outside a transaction,
    where another connection sees the same committed rows; inside one (a test) they are read in place.
    The reading thread streams through a server-side cursor in its own transaction (no WITH HOLD copy
    of the whole result first) and stops when the caller does."""
    from django.db import connection

    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield from qs.iterator(chunk_size=chunk_size)
        return
    chunks: queue.Queue[Any] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        from django.db import connection as own
        from django.db import transaction

        try:
            with transaction.atomic():  # a cursor without HOLD: rows stream as the database finds them
                rows = qs.iterator(chunk_size=chunk_size)
                while chunk := list(islice(rows, chunk_size)):
                    if not put(chunk):
                        return
            put(_DONE)
        except BaseException as exc:  # handed to the caller, raised there
            put(exc)
        finally:
            own.close()

    reader = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := chunks.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        reader.join()
