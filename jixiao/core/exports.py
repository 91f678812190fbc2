"""Large list exports in the background worker (issue 15 item 3).

A list's "导出Excel" with at most :func:`inline_rows` rows is answered in the request, as before.
Above that, :func:`queue_export` records an :class:`~jixiao.core.models.ExportJob` (the list's path
and filters, the working year pinned) and the worker's :func:`build_export` runs the same list view
for the same user — same scoping, filters and order — and streams the rows into a write-only
workbook (``listing.stream_cells`` of the view's ``export_cells``), recording progress the job page polls.
"""

from __future__ import annotations

import tempfile
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
    if not job.requested_by.is_active or not job.requested_by.can(view.permission_label(), "export"):
        ExportJob.fail(job_id, "您的角色已无权导出该列表。")
        return
    # One attempt owns the job (queued → running); a duplicate or superseded attempt does nothing.
    token = jobs.claim(ExportJob, job_id, message="正在生成")
    if token is None:
        return
    qs, _form, _sort = view.rows()
    total = max(job.total, 1)

    def progress(done: int) -> None:
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
