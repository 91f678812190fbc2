"""Uploads processed by the background worker (django-tasks): queued → running → imported | rejected.

A model inherits :class:`QueuedUpload`; the view stores the file and calls :func:`queue`; the
task calls ``set_progress`` as it goes and ``reject``/``complete`` at the end; the batch page
includes ``core/_upload_status.html``, which polls until the batch is finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from jixiao.core.imports import RowError, Sheet, annotated_workbook


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "校验中"
    REJECTED = "rejected", "未导入（有错误）"
    IMPORTED = "imported", "已导入"


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
    #: The uploaded file until the worker has processed it.
    upload = models.BinaryField("上传文件", null=True, editable=False)

    class Meta:
        abstract = True

    @property
    def summary(self) -> str:
        return f"导入成功：共 {self.row_count} 行。"

    @property
    def finished(self) -> bool:
        return self.status in (UploadStatus.REJECTED, UploadStatus.IMPORTED)

    def set_progress(self, percent: int, status: str = UploadStatus.RUNNING) -> None:
        type(self)._default_manager.filter(pk=self.pk).update(status=status, progress=percent)
        self.status, self.progress = status, percent

    def reject(self, errors: Sequence[RowError], sheet: Sheet | None) -> None:
        """Nothing was written: keep every error and the annotated workbook, drop the file."""
        self.status, self.progress, self.upload = UploadStatus.REJECTED, 100, None
        self.row_count = len(sheet.rows) if sheet else 0
        self.errors = [e.as_dict() for e in errors]
        self.annotated_workbook = annotated_workbook(sheet, list(errors), "导入错误") if sheet else None
        self.save()

    def complete(self, row_count: int, **counts: Any) -> None:
        self.status, self.progress, self.upload, self.row_count = UploadStatus.IMPORTED, 100, None, row_count
        for name, value in counts.items():
            setattr(self, name, value)
        self.save()


def queue(batch: QueuedUpload, task: Any) -> None:
    """Hand the batch to the worker once the request's transaction has committed."""
    transaction.on_commit(lambda: task.enqueue(batch.pk))
