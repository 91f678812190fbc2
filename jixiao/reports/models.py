"""Versions of report templates uploaded by the performance section (the built-in ones live in the apps)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import SharedQuerySet

TEMPLATE_DIR = "report_templates"


class ReportTemplate(models.Model):
    """One uploaded version of a report type's Word template; the ``active`` one is used, and with none
    active the built-in template is (恢复内置模板). The file lives under MEDIA_ROOT, named by its SHA-256."""

    scope_unit_field = None

    report_type = models.CharField("报告类型", max_length=60)
    version = models.PositiveIntegerField("版本")
    file_name = models.CharField("文件名", max_length=200)
    file_path = models.CharField("存储位置", max_length=200, editable=False)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64, editable=False)
    size = models.PositiveIntegerField("文件大小（字节）", default=0, editable=False)
    note = models.CharField("修改说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    active = models.BooleanField("正在使用", default=True)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        ordering = ["report_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["report_type", "version"], name="report_template_version"),
            models.UniqueConstraint(fields=["report_type"], condition=models.Q(active=True), name="report_template_one_active"),
        ]

    def __str__(self) -> str:
        from jixiao.reports.registry import REPORT_TYPES

        kind = REPORT_TYPES.get(self.report_type)
        return f"{kind.name if kind else self.report_type}模板第{self.version}版"

    @staticmethod
    def display_active(value: bool) -> str:
        return "正在使用" if value else "未使用（内置模板或其他版本在用）"

    def store(self, content: bytes) -> None:
        """Write the file under MEDIA_ROOT/report_templates, named by its hash."""
        name = hashlib.sha256(content).hexdigest()
        root = Path(settings.MEDIA_ROOT) / TEMPLATE_DIR / name[:2]
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, root / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.file_path, self.sha256, self.size = f"{TEMPLATE_DIR}/{name[:2]}/{name}", name, len(content)

    def read(self) -> bytes:
        """The stored file; refuses one whose content no longer matches its recorded hash."""
        content = (Path(settings.MEDIA_ROOT) / self.file_path).read_bytes()
        if hashlib.sha256(content).hexdigest() != self.sha256:
            raise ValueError("模板文件已丢失或被改动（摘要不符）。")
        return content
