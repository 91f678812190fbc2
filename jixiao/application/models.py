"""结果应用 (domain.md §7.2): the year's rule set as data, and the board of proposals for budget year N+1.

Each :class:`Proposal` row carries one line's chain of evidence from year N (approved target,
monitoring light, self-evaluation, re-check Δ, key-evaluation grade, rectification status,
execution rate), the rule that fired (``jixiao.rules.application``), the proposed action and
amount, the budget desk's decision and, after the N+1 budget import, the N+1 project and any
departure from the proposal. The board is finalised by the performance section.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet, SharedQuerySet
from jixiao.rules.application import ACTION_LABELS, RECT_LABELS, ApplicationRules
from jixiao.rules.monitoring import LIGHT_LABELS
from jixiao.workflow.engine import WorkflowDocument

ACTION_CHOICES = list(ACTION_LABELS.items())
RECT_CHOICES = list(RECT_LABELS.items())
LIGHT_CHOICES = list(LIGHT_LABELS.items())


class ApplicationRuleSet(models.Model):
    """The result-application rule set of one budget year (edited by the performance section through a form)."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("预算年度", unique=True)
    rules = models.JSONField("规则", default=dict)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SharedQuerySet["ApplicationRuleSet"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "结果应用规则"
        verbose_name_plural = "结果应用规则"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度预算结果应用规则"

    @classmethod
    def for_year(cls, year: int) -> ApplicationRuleSet:
        """The year's rule set; the §7.2 defaults (placeholders shown as such) until edited."""
        obj, _ = cls.objects.get_or_create(year=year, defaults={"rules": ApplicationRules().to_dict()})
        return obj

    def as_rules(self) -> ApplicationRules:
        return ApplicationRules.from_dict(self.rules)


class Board(WorkflowDocument):
    """结果应用建议 for budget year ``year`` from the evidence of ``evidence_year`` (= year − 1)."""

    workflow_name = "application_board"
    scope_unit_field = None

    year = models.PositiveSmallIntegerField("预算年度", unique=True)
    evidence_year = models.PositiveSmallIntegerField("评价依据年度")
    built_at = models.DateTimeField("生成时间", null=True, blank=True)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    next_linked_at = models.DateTimeField("与下年度预算比对时间", null=True, blank=True)

    objects = SharedQuerySet["Board"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "结果应用建议"
        verbose_name_plural = "结果应用建议"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度预算结果应用建议"

    def get_absolute_url(self) -> str:
        return reverse("application:board_detail", kwargs={"pk": self.pk})


class Decision(models.TextChoices):
    PENDING = "", "待业务股室确认"
    ACCEPTED = "accepted", "同意建议"
    CHANGED = "changed", "调整建议"


class Proposal(models.Model):
    """One line of the board: a project (or a department's overall spending) of the evidence year."""

    scope_unit_field = "unit"
    scope_sector_field = "sector"

    class Kind(models.TextChoices):
        PROJECT = "project", "项目"
        DEPARTMENT = "department", "部门整体"

    board = models.ForeignKey(Board, verbose_name="结果应用建议", on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.PROJECT)
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("编码", max_length=40)
    name = models.CharField("名称", max_length=200)
    base_fen = models.BigIntegerField("本年预算数（分）", default=0)
    # the chain of evidence
    target_state = models.CharField("绩效目标", max_length=30, blank=True)
    monitoring_light = models.CharField("监控预警", max_length=6, choices=LIGHT_CHOICES, blank=True)
    execution_rate = models.DecimalField("1-9月执行率（%）", max_digits=14, decimal_places=2, null=True, blank=True)
    self_score = models.DecimalField("自评得分", max_digits=6, decimal_places=2, null=True, blank=True)
    self_grade = models.CharField("自评等级", max_length=2, blank=True)
    recheck_delta = models.DecimalField("复核差异", max_digits=6, decimal_places=2, null=True, blank=True)
    key_grade = models.CharField("重点评价等级", max_length=2, blank=True)
    rectification = models.CharField("整改情况", max_length=10, choices=RECT_CHOICES, default="none")
    # the rule and the proposal
    grade = models.CharField("适用等级", max_length=2, blank=True)
    rule = models.CharField("适用规则", max_length=300)
    action = models.CharField("建议处理", max_length=12, choices=ACTION_CHOICES)
    cut = models.DecimalField("压减比例（%）", max_digits=6, decimal_places=2, default=0)
    proposed_fen = models.BigIntegerField("建议数（分）")
    # the desk's decision (final_* = the proposal until a desk changes it)
    decision = models.CharField("确认情况", max_length=10, choices=Decision.choices, default="", blank=True, db_index=True)
    final_action = models.CharField("确定处理", max_length=12, choices=ACTION_CHOICES, db_index=True)
    final_fen = models.BigIntegerField("确定数（分）")
    reason = models.CharField("调整理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    # next year
    next_project = models.ForeignKey("organisation.Project", verbose_name="下年度项目", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    next_fen = models.BigIntegerField("下年度预算数（分）", null=True, blank=True)
    departure = models.CharField("与建议的偏离", max_length=200, blank=True)
    override_reason = models.CharField("整改逾期仍批复下年度目标的理由", max_length=300, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedQuerySet["Proposal"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "结果应用建议事项"
        verbose_name_plural = "结果应用建议事项"
        ordering = ["unit__code", "code", "pk"]
        indexes = [models.Index(fields=["board", "final_action"]), models.Index(fields=["board", "sector"]),
                   models.Index(fields=["board", "code", "id"], name="proposal_board_code_id")]
        constraints = [models.UniqueConstraint(fields=["board", "kind", "code"], name="proposal_board_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("application:proposal_detail", kwargs={"pk": self.pk})

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def final_action_label(self) -> str:
        return ACTION_LABELS[self.final_action]



class ProposalTotal(models.Model):
    """The board's totals kept with its lines: one row per board, unit, sector, 确定处理 and 涉密 flag
    (count, 本年预算, 确定数). ``services.refresh_totals`` rewrites the rows a change touches in the same
    transaction as the change (building the board, a desk's decision), so the totals of any scope are a
    sum over a few rows instead of a scan of every line; ``tests/test_totals.py`` proves they equal the
    raw aggregation of the lines."""

    #: Read with the lines' permission and scope (the same unit and sector fields).
    permission_label = "application.proposal"
    scope_unit_field = "unit"
    scope_sector_field = "sector"
    classified_fields = ("unit__is_classified", "classified")

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="totals")
    unit = models.ForeignKey("organisation.BudgetUnit", on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("organisation.Sector", on_delete=models.CASCADE, related_name="+")
    final_action = models.CharField("确定处理", max_length=12, choices=ACTION_CHOICES)
    classified = models.BooleanField("涉密项目", default=False)
    n = models.PositiveIntegerField("项数")
    base_fen = models.BigIntegerField("本年预算数（分）")
    final_fen = models.BigIntegerField("确定数（分）")

    objects = ScopedQuerySet["ProposalTotal"].as_manager()

    class Meta:
        verbose_name = "结果应用建议汇总"
        verbose_name_plural = "结果应用建议汇总"
        constraints = [models.UniqueConstraint(fields=["board", "unit", "sector", "final_action", "classified"],
                                               name="proposal_total_key")]

    def __str__(self) -> str:
        return f"{self.get_final_action_display()}：{self.n}项"
