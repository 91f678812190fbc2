"""Cross-cutting records: a large list export built by the background worker (:mod:`jixiao.core.exports`)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class ExportJob(models.Model):
    """A list's "导出Excel" of more rows than a request should carry: queued, built by the worker with
    progress, downloaded by the user who asked for it (nobody else sees it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"

    requested_by = models.ForeignKey("accounts.User", verbose_name="申请人", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    title = models.CharField("列表", max_length=200)
    #: the list's path and its filters (the query string, working year pinned), as the user saw them
    path = models.CharField("列表地址", max_length=300, editable=False)
    query = models.TextField("筛选条件", blank=True, editable=False)
    total = models.PositiveIntegerField("行数", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("说明", max_length=200, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    content = models.BinaryField("导出文件", null=True, editable=False)
    #: the background attempt that owns the job while it runs (core.jobs.claim)
    job_token = models.CharField("处理任务标识", max_length=120, blank=True, editable=False)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（导出）"

    def get_absolute_url(self) -> str:
        return reverse("core:export_job", kwargs={"pk": self.pk})

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @classmethod
    def requeue(cls, pk: int) -> None:
        """An attempt stopped for a passing reason (database or queue restarted): wait for the retry."""
        cls.objects.filter(pk=pk, status=cls.Status.RUNNING).update(
            status=cls.Status.QUEUED, percent=0, message="后台服务短暂中断，稍后自动重试", job_token="")

    @classmethod
    def fail(cls, pk: int, message: str) -> None:
        """The worker's verdict on a job that died, ran out of time or raised (core.jobs)."""
        from django.utils import timezone

        cls.objects.filter(pk=pk).exclude(status=cls.Status.DONE).update(
            status=cls.Status.FAILED, finished_at=timezone.now(),
            message=message.replace("未写入任何数据。", "").replace("「重新处理」", "列表页的「导出Excel」")[:200])
