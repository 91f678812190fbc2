"""财审联动 (domain.md §7.5): the yearly work plan agreed by finance and audit, its audit-plan items
(key-evaluation candidates suggested to finance), and the audit findings registered by the audit
bureau, followed to closure by the unit, audit and finance.

Seam: the one rectification register (``jixiao.rectification``) has not landed on main; until it
does, an audit finding is its own rectification item (source 审计) moved by the ``audit_finding``
workflow, and it reaches the assessment through ``assessment.facts`` (a rectification item and a
deduction). When the register lands, ``AuditFinding`` becomes a register item of source 审计.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet, SharedQuerySet
from jixiao.workflow.engine import WorkflowDocument


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


class AuditFinding(WorkflowDocument):
    """A problem the audit bureau found in a unit's or project's performance management; a rectification
    item of source 审计 that the unit answers and audit and finance close (整改共抓)."""

    workflow_name = "audit_finding"
    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"
    source_label = "审计"

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="责任单位", on_delete=models.PROTECT,
                             related_name="audit_findings")
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="audit_findings")
    title = models.CharField("审计发现的问题", max_length=300)
    requirement = models.CharField("整改要求", max_length=300)
    amount_fen = models.BigIntegerField("涉及金额（分）", null=True, blank=True)
    found_on = models.DateField("发现日期")
    deadline = models.DateField("整改期限")
    feedback = models.TextField("整改反馈", blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT,
                                   related_name="+")

    objects = ScopedQuerySet["AuditFinding"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "审计发现问题"
        verbose_name_plural = "审计发现问题"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.unit}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("auditlink:finding_detail", kwargs={"pk": self.pk})
