"""Background work of the disclosure app (django-tasks): the static export as a .zip, the report
packages (progress written to the :class:`PortalJob` the page polls), and each publication
version's PDF (:func:`make_pdfs`, enqueued when the version is published)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django_tasks import task

from jixiao.core import jobs
from jixiao.core.types import with_reason
from jixiao.disclosure.models import PortalJob, PublicationPdf, PublicationVersion
from jixiao.disclosure.packages import PACKAGES, PackageError

Progress = Callable[[int, str], None]
#: kind → (builder(job, progress) -> (bytes, file name), label)
BUILDERS: dict[str, tuple[Callable[[PortalJob, Progress], tuple[bytes, str]], str]] = {}


def builder(kind: str, label: str) -> Callable[[Any], Any]:
    def register(fn: Callable[[PortalJob, Progress], tuple[bytes, str]]) -> Any:
        BUILDERS[kind] = (fn, label)
        return fn
    return register


@builder("export", "静态公开网站（.zip）")
def build_export(job: PortalJob, progress: Progress) -> tuple[bytes, str]:
    from jixiao.disclosure.export import export_zip

    progress(5, "读取公开信息")
    return export_zip(progress=progress), "预算绩效信息公开静态网站.zip"


@task()
def run_job(job_id: int) -> None:
    job = PortalJob.objects.get(pk=job_id)

    def progress(percent: int, message: str) -> None:
        PortalJob.objects.filter(pk=job_id).update(status=PortalJob.Status.RUNNING, percent=percent, message=message)

    try:
        content, name = BUILDERS[job.kind][0](job, progress)
    except PackageError as exc:
        job_failed(job_id, str(exc))
        return
    except Exception:
        job_failed(job_id, "生成失败，请联系系统管理员。")
        raise
    with transaction.atomic():
        job = PortalJob.objects.select_for_update().get(pk=job_id)
        job.status, job.percent, job.message = PortalJob.Status.DONE, 100, "已完成"
        job.content, job.file_name, job.finished_at = content, name, timezone.now()
        with_reason(job, "生成完成")
        job.save()


def job_failed(job_id: int, message: str) -> None:
    """The worker's verdict on a job that died, ran out of time or raised (core.jobs)."""
    PortalJob.objects.filter(pk=job_id).exclude(status=PortalJob.Status.DONE).update(
        status=PortalJob.Status.FAILED, message=message.replace("「重新处理」", "「重新生成」")[:200],
        finished_at=timezone.now())


jobs.register(run_job, job_failed)


def _package_builder(kind: str) -> Callable[[PortalJob, Progress], tuple[bytes, str]]:
    def build(job: PortalJob, progress: Progress) -> tuple[bytes, str]:
        from jixiao.disclosure.packages import build as build_package

        assert job.year is not None
        return build_package(kind, job.year, job.requested_by, progress)
    return build


for _package in PACKAGES:
    builder(_package.kind, f"{_package.name}（报告包）")(_package_builder(_package.kind))


def request_job(kind: str, user: Any, year: int | None = None) -> PortalJob:
    job = PortalJob.objects.create(kind=kind, year=year, requested_by=user, message="排队等待生成")
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


#: versions printed by one LibreOffice start
PDF_BATCH = 20
PDF_UNAVAILABLE = "本服务器暂不能生成PDF（{reason}），可由系统管理员安装LibreOffice后运行 jixiao publish pdfs 补充生成。"


@task()
def make_pdfs(version_id: int) -> None:
    """Print the version's Word text to PDF and freeze it with the version; versions still waiting
    for theirs are printed in the same LibreOffice run (their own jobs then find them done)."""
    print_waiting(first=version_id)


def print_waiting(first: int | None = None, batch: int = PDF_BATCH) -> tuple[int, int]:
    """Print up to ``batch`` waiting PDFs (``first`` among them): (printed, unavailable)."""
    from jixiao.disclosure import files, pdf

    mine = Case(When(pk=first, then=Value(0)), default=Value(1), output_field=IntegerField())
    ids = list(PublicationPdf.objects.filter(status=PublicationPdf.Status.PENDING)
               .order_by(mine if first is not None else "pk", "pk").values_list("pk", flat=True)[:batch])
    if not ids:
        return 0, 0
    versions = PublicationVersion.objects.filter(pk__in=ids).select_related("publication__unit", "publication__project")
    try:
        printed = pdf.print_pdfs({str(v.pk): files.to_docx(v) for v in versions})
    except pdf.Unavailable as exc:
        for pk in ids:
            pdf_unavailable(pk, PDF_UNAVAILABLE.format(reason=exc))
        return 0, len(ids)
    for pk in ids:
        data = printed.get(str(pk))
        if data is None:
            pdf_unavailable(pk, PDF_UNAVAILABLE.format(reason="LibreOffice未能转换该文本"))
        else:
            _store_pdf(pk, data)
    return len(printed), len(ids) - len(printed)


@transaction.atomic
def _store_pdf(version_id: int, data: bytes) -> None:
    import hashlib

    row = PublicationPdf.objects.select_for_update().filter(pk=version_id).first()
    if row is None or row.status == PublicationPdf.Status.DONE:
        return  # another run printed it first
    row.status, row.content, row.sha256 = PublicationPdf.Status.DONE, data, hashlib.sha256(data).hexdigest()
    row.made_at, row.message = timezone.now(), ""
    row.save()


def pdf_unavailable(version_id: int, message: str) -> None:
    """The worker's verdict on a PDF job that died or ran out of time, and the no-LibreOffice case."""
    PublicationPdf.objects.filter(pk=version_id, status=PublicationPdf.Status.PENDING).update(
        status=PublicationPdf.Status.UNAVAILABLE, message=message[:200])


jobs.register(make_pdfs, pdf_unavailable, seconds=600)


def request_pdf(version: PublicationVersion) -> PublicationPdf:
    """At publication: the version's PDF waits for the worker."""
    row = PublicationPdf.objects.create(version=version)
    transaction.on_commit(lambda: make_pdfs.enqueue(version.pk))
    return row


def reprint_missing() -> tuple[int, int]:
    """``jixiao publish pdfs``: every version without a PDF (none yet, or unavailable) printed now."""
    existing = PublicationPdf.objects.values_list("pk", flat=True)
    PublicationPdf.objects.bulk_create([PublicationPdf(version_id=pk) for pk in
                                        PublicationVersion.objects.exclude(pk__in=existing).values_list("pk", flat=True)])
    PublicationPdf.objects.filter(status=PublicationPdf.Status.UNAVAILABLE).update(
        status=PublicationPdf.Status.PENDING, message="")
    printed = unavailable = 0
    while True:
        done, failed = print_waiting()
        printed, unavailable = printed + done, unavailable + failed
        if not done and not failed:
            return printed, unavailable
