"""整改台账 (domain.md §2.12, §7.1): every finding that asks a unit to act, whatever stage found it.

Monitoring corrective actions (纠偏措施), re-check findings, key-evaluation rectification items and
the audit bureau's findings (财审联动, registered or imported on the 财审联动 pages) are one kind of record with its source and the document it came from, the unit, what must be
done, a deadline from the calendar, the unit's answer with evidence files, finance's verification
(accept / return / escalate) and closure — one workflow (``workflows.py``), one overdue list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet
from jixiao.workflow.engine import WorkflowDocument


class Source(models.TextChoices):
    """Where the finding came from (the vendor's 整改 types, C1)."""

    MONITORING = "monitoring", "绩效监控"
    RECHECK = "recheck", "自评复核"
    KEY_EVALUATION = "key_evaluation", "财政重点评价"
    UNIT_EVALUATION = "unit_evaluation", "部门评价"
    AUDIT = "audit", "审计发现"


class Measure(models.TextChoices):
    """What finance requires (§5.6 action catalogue; 问题整改 for evaluation and audit findings)."""

    RECTIFY = "rectify", "问题整改"
    URGE = "urge", "督促整改"
    WITHHOLD = "withhold", "暂缓拨款"
    STOP = "stop", "停止拨款"
    RETARGET = "retarget", "调减预算并调整目标"
    RECOVER = "recover", "收回统筹"


#: States in which the unit still has to act; past its deadline such an item is overdue.
OPEN_STATES = ("issued", "returned", "escalated")
#: States not yet closed (the unit's or finance's move).
PENDING_STATES = (*OPEN_STATES, "answered")


class RectificationQuerySet(ScopedQuerySet["Rectification"]):
    def assigned_to(self, user: Any) -> RectificationQuerySet:
        """A third party sees the findings of the evaluations and re-checks it is engaged for."""
        return self.filter(Q(key_evaluation__agency__members=user) | Q(recheck__agency__members=user)).distinct()  # type: ignore[return-value]

    def overdue(self, on: date | None = None) -> RectificationQuerySet:
        """Still with the unit after the deadline (the one overdue list)."""
        return self.filter(state__in=OPEN_STATES, deadline__lt=on or timezone.localdate())  # type: ignore[return-value]

    def pending(self) -> RectificationQuerySet:
        return self.filter(state__in=PENDING_STATES)  # type: ignore[return-value]


class Rectification(WorkflowDocument):
    """One item of the rectification register."""

    workflow_name = "rectification"
    scope_unit_field = "unit"
    classified_fields = ("unit__is_classified", "project__is_classified")
    scope_sector_field = "sector"

    source = models.CharField("来源", max_length=20, choices=Source.choices, db_index=True)
    source_title = models.CharField("来源文件", max_length=200)
    monitoring_form = models.ForeignKey("monitoring.MonitoringForm", verbose_name="监控表", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="rectifications")
    recheck = models.ForeignKey("evaluation.Recheck", verbose_name="自评质量复核", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="rectifications")
    key_evaluation = models.ForeignKey("evaluation.KeyEvaluation", verbose_name="重点评价", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="rectifications")
    year = models.PositiveSmallIntegerField("所涉预算年度", db_index=True)
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="rectifications")
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("措施", max_length=10, choices=Measure.choices, default=Measure.RECTIFY)
    problem = models.TextField("存在问题")
    #: Audit findings (source 审计): when the audit bureau found it and the amount concerned.
    found_on = models.DateField("发现日期", null=True, blank=True)
    amount_fen = models.BigIntegerField("涉及金额（分）", null=True, blank=True)
    requirement = models.TextField("整改要求")
    owner = models.CharField("责任人", max_length=50, blank=True)
    deadline = models.DateField("整改期限")
    reduce_fen = models.BigIntegerField("调减（收回）金额（分）", null=True, blank=True)
    #: The project's budget the reduction is counted from (收回统筹 closes once the budget is at most base − reduce).
    budget_base_fen = models.BigIntegerField("下达时项目预算（分）", null=True, blank=True)
    feedback = models.TextField("整改反馈", blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    verification = models.TextField("财政核验意见", blank=True)
    escalated_at = models.DateTimeField("升级督办时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    close_override = models.TextField("未完成后续事项而销号的理由", blank=True)
    target_adjustment = models.ForeignKey("targets.TargetDeclaration", verbose_name="目标调整版本", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提出人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提出时间", default=timezone.now)
    #: The record this item was migrated from ("correctiveaction:12", "rectificationitem:3", "auditfinding:5");
    #: old URLs redirect by it.
    legacy = models.CharField("原记录", max_length=40, blank=True, db_index=True, editable=False)

    objects = RectificationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改清单"
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["state", "deadline"]), models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        head = self.problem.splitlines()[0] if self.problem else ""
        return f"{self.get_kind_display()}：{head[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("rectification:detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return self.state in OPEN_STATES and self.deadline < timezone.localdate()

    @property
    def status_label(self) -> str:
        """The state, with 已逾期 when the unit is late."""
        return f"{self.state_label}（已逾期）" if self.is_overdue else self.state_label


class RectificationEvidence(models.Model):
    """整改反馈附件: a file the unit attaches to its answer; served only through a scoped view."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to="rectification/%Y/")
    name = models.CharField("文件名", max_length=200)
    description = models.CharField("说明", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
