"""财审联动 (domain.md §7.5): the yearly work plan agreed by finance and audit and its audit-plan items
(key-evaluation candidates suggested to finance).

The audit bureau's findings are items of the one rectification register (``jixiao.rectification``,
source 审计: ``rectification.services.from_audit``), registered or imported on this app's pages and
followed to closure there by the unit, audit and finance.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import SharedQuerySet


class AuditWorkPlan(models.Model):
    """财审联动工作方案 of one year."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("方案名称", max_length=200)
    topics = models.TextField("商定的联动事项", help_text="每行一项，如：指标共商、信息共享、成果共用、整改共抓的具体安排")
    finance_owner = models.CharField("财政局责任人", max_length=50)
    audit_owner = models.CharField("审计局责任人", max_length=50)
    agreed_on = models.DateField("方案商定日期", null=True, blank=True)
    notes = models.TextField("说明", blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SharedQuerySet["AuditWorkPlan"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "财审联动工作方案"
        verbose_name_plural = "财审联动工作方案"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("auditlink:plan") + f"?year={self.year}"

    @property
    def topic_lines(self) -> list[str]:
        return [line.strip() for line in self.topics.splitlines() if line.strip()]


class AuditPlanItem(models.Model):
    """One item of the audit bureau's annual audit plan, optionally suggested as a key-evaluation topic."""

    scope_unit_field = None
    permission_label = "auditlink.auditworkplan"

    plan = models.ForeignKey(AuditWorkPlan, verbose_name="工作方案", on_delete=models.CASCADE, related_name="items")
    title = models.CharField("审计项目", max_length=200)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="被审计单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    owner = models.CharField("责任人", max_length=50, blank=True)
    starts_on = models.DateField("计划开始", null=True, blank=True)
    ends_on = models.DateField("计划完成", null=True, blank=True)
    suggest_key_evaluation = models.BooleanField("建议列为重点评价选题", default=False)
    reason = models.CharField("建议理由", max_length=300, blank=True)

    objects = SharedQuerySet["AuditPlanItem"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "审计计划项目"
        verbose_name_plural = "审计计划项目"
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return self.title
