"""Uploads processed by the background worker (django-tasks): queued → running → imported | rejected.

A model inherits :class:`QueuedUpload`; the view stores the file (:meth:`QueuedUpload.store`: a
file under ``MEDIA_ROOT/uploads`` named by its SHA-256, never a blob in the database) and calls
:func:`queue`; the task reads it back (:meth:`QueuedUpload.read`, hash checked), calls
``set_progress`` as it goes and ``reject``/``complete`` at the end; the batch page includes
``core/_upload_status.html``, which polls until the batch is finished.

:class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts a file's bytes while the
request streams in and stops the upload at the view's limit (``upload_limits``), before anything
is stored; :func:`bind_upload_form` turns that into the form's Chinese error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse

from jixiao.core.filelimits import MIB, Limits, size_text
from jixiao.core.imports import ImportRejected, RowError, Sheet, annotated_workbook

F = TypeVar("F", bound=forms.Form)
UPLOAD_DIR = "uploads"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "校验中"
    REJECTED = "rejected", "未导入（有错误）"
    IMPORTED = "imported", "已导入"
    FAILED = "failed", "处理中断"


class QueuedUpload(models.Model):
    Status = UploadStatus

    file_name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    status = models.CharField("结果", max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    errors = models.JSONField("错误清单", default=list)
    annotated_workbook = models.BinaryField("批注工作簿", null=True, editable=False)
    #: The uploaded file: ``MEDIA_ROOT/<file_path>``, named by its SHA-256 (kept as the evidence of what was imported).
    file_path = models.CharField("存储位置", max_length=200, blank=True, editable=False)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField("文件大小（字节）", default=0, editable=False)
    #: what the reader did on its own and tells the user (e.g. 合计 rows skipped)
    notes = models.JSONField("处理说明", default=list, blank=True)
    #: the background attempt that owns the batch while it runs (core.jobs.claim): a job never completes twice
    job_token = models.CharField("处理任务标识", max_length=120, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def summary(self) -> str:
        return f"导入成功：共 {self.row_count} 行。"

    @property
    def finished(self) -> bool:
        return self.status in (UploadStatus.REJECTED, UploadStatus.IMPORTED, UploadStatus.FAILED)

    @classmethod
    def fail(cls, pk: Any, message: str) -> None:
        """The worker's verdict on a job that died or ran out of time (core.jobs): nothing was
        written (the import runs in one transaction); the user sees ``message`` and may retry."""
        cls._default_manager.filter(pk=pk).exclude(
            status__in=(UploadStatus.IMPORTED, UploadStatus.REJECTED)).update(
            status=UploadStatus.FAILED, errors=[RowError(0, "", message).as_dict()])

    @classmethod
    def requeue(cls, pk: Any) -> None:
        """An attempt failed for a passing reason (database or queue restarted, worker gone): back
        to the queue for the automatic retry; nothing was written."""
        cls._default_manager.filter(pk=pk, status=UploadStatus.RUNNING).update(
            status=UploadStatus.QUEUED, progress=0, job_token="")

    def claim(self) -> bool:
        """This attempt takes the batch (queued → running); False when another attempt has it."""
        from jixiao.core import jobs

        token = jobs.claim(type(self), self.pk, progress=5)
        if token:
            self.status, self.progress, self.job_token = UploadStatus.RUNNING, 5, token
        return token is not None

    def hold(self) -> None:
        """First thing in the writing transaction: lock the batch; this attempt must still own it."""
        from jixiao.core import jobs

        jobs.hold(type(self), self.pk, self.job_token)

    def retry(self, task: Any) -> bool:
        """Queue a failed batch again (its stored file is still there); False when it did not fail."""
        updated = type(self)._default_manager.filter(pk=self.pk, status=UploadStatus.FAILED).update(
            status=UploadStatus.QUEUED, progress=0, errors=[], job_token="")
        if updated:
            self.status, self.progress, self.errors = UploadStatus.QUEUED, 0, []
            queue(self, task)
        return bool(updated)

    def store(self, chunks: Iterable[bytes] | bytes) -> None:
        """Write the upload under MEDIA_ROOT (streamed, hashed on the way); the name is its hash."""
        if isinstance(chunks, bytes | bytearray):
            chunks = [bytes(chunks)]
        root = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
        root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            name = digest.hexdigest()
            target = root / name[:2] / name
            target.parent.mkdir(exist_ok=True)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.file_path, self.sha256, self.size = f"{UPLOAD_DIR}/{name[:2]}/{name}", name, size

    def read(self) -> bytes:
        """The stored upload; refuses a file whose content no longer matches its recorded hash."""
        content = (Path(settings.MEDIA_ROOT) / self.file_path).read_bytes() if self.file_path else b""
        if hashlib.sha256(content).hexdigest() != self.sha256:
            raise ValueError("上传文件已丢失或被改动（摘要不符）。")
        return content

    def set_progress(self, percent: int, status: str = UploadStatus.RUNNING) -> None:
        rows = type(self)._default_manager.filter(pk=self.pk)
        if self.job_token:  # an attempt given up for dead must not move its successor's progress
            rows = rows.filter(job_token=self.job_token)
        rows.update(status=status, progress=percent)
        self.status, self.progress = status, percent

    def reject(self, errors: Sequence[RowError], sheet: Sheet | None) -> None:
        """Nothing was written: keep every error and the annotated workbook."""
        self.status, self.progress = UploadStatus.REJECTED, 100
        self.row_count = len(sheet.rows) if sheet else 0
        self.errors = [e.as_dict() for e in errors]
        self.notes = sheet.notes() if sheet else []
        self.annotated_workbook = annotated_workbook(sheet, list(errors), "导入错误") if sheet else None
        self.save()

    def complete(self, row_count: int, **counts: Any) -> None:
        self.status, self.progress, self.row_count = UploadStatus.IMPORTED, 100, row_count
        for name, value in counts.items():
            setattr(self, name, value)
        self.save()


def stored_content(batch: QueuedUpload) -> bytes:
    """The batch's stored file, or a file-level rejection when it is missing or altered."""
    try:
        return batch.read()
    except (OSError, ValueError):
        raise ImportRejected([RowError(0, "", "上传文件已丢失或被改动（摘要不符），请重新上传。")]) from None


def queue(batch: QueuedUpload, task: Any) -> None:
    """Hand the batch to the worker once the request's transaction has committed."""
    transaction.on_commit(lambda: task.enqueue(batch.pk))


# --- the size limit, enforced while the request streams in ----------------------------------------


def upload_limit(request: HttpRequest) -> int:
    """The byte limit of the view this request goes to (its ``upload_limits``), else the default."""
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    limits: Limits | None = getattr(view_class, "upload_limits", None)
    return limits.max_bytes if limits else int(getattr(settings, "JIXIAO_UPLOAD_MAX_BYTES", 20 * MIB))


class LimitedUploadHandler(FileUploadHandler):
    """Stops a file upload as soon as it passes the limit; nothing of it is kept."""

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any,
                         encoding: str | None = None) -> None:
        self.limit = upload_limit(self.request) if self.request is not None else 20 * MIB
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received = start + len(raw_data)
        if self.received > self.limit:
            message = f"文件「{self.file_name}」超过允许的{size_text(self.limit)}，未上传。请拆分后分批上传。"
            self.request.upload_refused = message  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def bind_upload_form(form_class: type[F], request: HttpRequest, **kwargs: Any) -> F:
    """The bound upload form; a file stopped at the size limit is the ``file`` field's error."""
    form = form_class(request.POST, request.FILES, **kwargs)
    refused = getattr(request, "upload_refused", "")
    if refused:
        form.full_clean()
        form.errors["file"] = form.error_class([refused])
        form.cleaned_data.pop("file", None)
    return form


def status_partial(request: HttpRequest, template: str, batch: QueuedUpload) -> HttpResponse:
    """The polled status of a queued upload. Once it is finished the whole page reloads (htmx
    ``HX-Refresh``), so the batch's header (state, rows, …) never stays at 排队中 / 0 行."""
    from django.shortcuts import render

    response = render(request, template, {"object": batch})
    if batch.finished:
        response["HX-Refresh"] = "true"
    return response
