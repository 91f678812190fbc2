"""Background work of the disclosure app (django-tasks): the static export as a .zip, and the
report packages. Progress is written to the :class:`PortalJob` the page polls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jixiao.core import jobs
from jixiao.core.types import with_reason
from jixiao.disclosure.models import PortalJob
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
