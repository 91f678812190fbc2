"""信息公开 (domain.md §7.3): publications as frozen, versioned, immutable snapshots.

A :class:`Publication` is one public item (a project's targets of a year, a self-evaluation, a key
evaluation) across its versions; each :class:`PublicationVersion` is immutable — its content, when,
by whom, its SHA-256 — and a change publishes a new version with a 更正说明 while the old ones
stay readable. Withdrawal (撤回) by the performance section keeps a public notice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet, SharedQuerySet


class Kind(models.TextChoices):
    TARGET = "target", "绩效目标"
    SELFEVAL = "selfeval", "绩效自评"
    KEY = "key", "重点绩效评价"


class PublicationQuerySet(ScopedQuerySet["Publication"]):
    def public(self) -> PublicationQuerySet:
        """What the portal may show: never a 涉密 unit's or project's item (even one classified later)."""
        return self.exclude(unit__is_classified=True).exclude(project__is_classified=True)  # type: ignore[return-value]


class Publication(models.Model):
    """One public item across its versions."""

    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"

    kind = models.CharField("公开类型", max_length=10, choices=Kind.choices)
    #: The budget year the item is about (targets: the budget year; evaluations: the evaluated year).
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="单位", on_delete=models.PROTECT,
                             related_name="publications")
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="publications")
    subject_key = models.CharField("公开事项标识", max_length=80, unique=True)
    title = models.CharField("标题", max_length=300)
    current_number = models.PositiveSmallIntegerField("现行版本号", default=1)
    first_published_at = models.DateTimeField("首次公开时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤回人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    withdrawal_reason = models.TextField("撤回原因", blank=True)

    objects = PublicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公开信息"
        verbose_name_plural = "公开信息"
        ordering = ["-year", "unit__code", "kind", "pk"]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def current(self) -> PublicationVersion:
        return self.versions.get(number=self.current_number)


class ImmutableQuerySet(SharedQuerySet["PublicationVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("公开版本一经发布不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("公开版本一经发布不可删除")


class PublicationVersion(models.Model):
    """One frozen version: exactly what the public read, when, by whom, with its digest."""

    scope_unit_field = "publication__unit"
    scope_sector_field = "publication__unit__sector"

    publication = models.ForeignKey(Publication, verbose_name="公开信息", on_delete=models.PROTECT,
                                    related_name="versions")
    number = models.PositiveSmallIntegerField("版本号")
    content = models.JSONField("公开内容")
    sha256 = models.CharField("内容摘要（SHA-256）", max_length=64)
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="公开人", on_delete=models.PROTECT,
                                     related_name="+")
    correction_note = models.TextField("更正说明", blank=True)
    source_model = models.CharField("来源记录类型", max_length=60)
    source_pk = models.PositiveBigIntegerField("来源记录")

    objects = ImmutableQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公开版本"
        verbose_name_plural = "公开版本"
        ordering = ["publication", "number"]
        constraints = [models.UniqueConstraint(fields=["publication", "number"], name="publication_version_unique")]

    def __str__(self) -> str:
        return f"{self.publication}（第{self.number}版）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise PermissionError("公开版本一经发布不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("公开版本一经发布不可删除")


class PublicationPdf(models.Model):
    """A version's Word text printed to PDF by LibreOffice in the background worker, frozen with the
    version (its SHA-256 kept): pending until the worker prints it, then done (immutable) — or
    unavailable when the server cannot print it (no LibreOffice), until ``jixiao publish pdfs``
    prints it later."""

    scope_unit_field = "version__publication__unit"
    scope_sector_field = "version__publication__unit__sector"

    class Status(models.TextChoices):
        PENDING = "pending", "正在生成"
        DONE = "done", "已生成"
        UNAVAILABLE = "unavailable", "暂不可用"

    version = models.OneToOneField(PublicationVersion, verbose_name="公开版本", on_delete=models.PROTECT,
                                   primary_key=True, related_name="pdf")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField("PDF文件", null=True, editable=False)
    sha256 = models.CharField("PDF摘要（SHA-256）", max_length=64, blank=True)
    made_at = models.DateTimeField("生成时间", null=True, blank=True)
    message = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "公开文本PDF"
        verbose_name_plural = "公开文本PDF"

    def __str__(self) -> str:
        return f"{self.version}（PDF，{self.get_status_display()}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if type(self).objects.filter(pk=self.pk, status=self.Status.DONE).exists():
            raise PermissionError("公开版本的PDF一经生成不可修改")
        super().save(*args, **kwargs)


class ExternalSite(models.TextChoices):
    DEPARTMENT = "department", "部门门户网站"
    FINANCE = "finance", "财政部门网站专栏"
    GOVERNMENT = "government", "区政府门户网站"


class ExternalPosting(models.Model):
    """Where else the item was published (department site, finance column, 区政府 portal), with URL and date."""

    scope_unit_field = "publication__unit"
    scope_sector_field = "publication__unit__sector"

    publication = models.ForeignKey(Publication, verbose_name="公开信息", on_delete=models.CASCADE,
                                    related_name="postings")
    site = models.CharField("公开渠道", max_length=12, choices=ExternalSite.choices)
    url = models.URLField("网址", max_length=500)
    posted_on = models.DateField("公开日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "其他渠道公开记录"
        verbose_name_plural = "其他渠道公开记录"
        ordering = ["posted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_site_display()} {self.posted_on}"


class PortalJob(models.Model):
    """A static export of the portal or a report package, built in the background; the page polls it."""

    scope_unit_field = None

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"

    kind = models.CharField("类型", max_length=30)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("当前步骤", max_length=200, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    content = models.BinaryField("文件", null=True, editable=False)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["content", "percent", "message"])

    class Meta:
        verbose_name = "公开导出与报告"
        verbose_name_plural = "公开导出与报告"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name or self.kind
