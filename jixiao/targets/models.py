"""Performance targets (绩效目标): project and department-overall declarations, their indicators,
main tasks, versions, and the indicator library (domain.md §2.1–2.3, §3)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.crypto import EncryptedCharField
from jixiao.core.scoping import ScopedQuerySet, SharedQuerySet
from jixiao.rules.targets import COMPARISONS, FRAMEWORK, IndicatorDraft, TargetDraft
from jixiao.workflow.engine import WorkflowDocument

LEVEL1_CHOICES = [(k, k) for k in FRAMEWORK]
LEVEL2_CHOICES = [(v, v) for values in FRAMEWORK.values() for v in values]
COMPARISON_CHOICES = list(COMPARISONS.items())
GRADE_CHOICES = [("优", "优"), ("良", "良"), ("中", "中"), ("差", "差")]


class Kind(models.TextChoices):
    PROJECT = "project", "项目支出"
    DEPARTMENT = "department", "部门整体支出"


class TargetDeclarationQuerySet(ScopedQuerySet["TargetDeclaration"]):
    def current(self) -> TargetDeclarationQuerySet:
        return self.filter(is_current=True)

    def approved(self) -> TargetDeclarationQuerySet:
        return self.filter(state__in=("approved", "published"))


#: The declarations a list shows by default: current versions, and adjustments still being made.
LISTED = models.Q(is_current=True) | models.Q(supersedes__isnull=False,
                                              state__in=("draft", "submitted", "dept_approved", "returned"))


class TargetDeclaration(WorkflowDocument):
    """One version of a 项目支出 or 部门(单位)整体支出 预算绩效目标申报表.

    Budget figures are read from the project or the unit's expenditure, never retyped. The
    approved version is frozen; an adjustment is a new version reviewed the same way.
    """

    workflow_name = "target_declaration"
    reader_visible_states = ("approved", "published", "superseded")  # external readers: once approved
    scope_unit_field = "unit"
    scope_sector_field = "sector"

    kind = models.CharField("申报类型", max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("预算年度", db_index=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="填报单位", on_delete=models.PROTECT,
                             related_name="target_declarations")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT)
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="target_declarations")
    version = models.PositiveSmallIntegerField("版本", default=1)
    supersedes = models.OneToOneField("self", verbose_name="调整前版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="adjusted_by")
    adjustment_reason = models.TextField("调整原因", blank=True)
    #: The project's name, or the unit's for a department declaration: kept by database triggers
    #: (migration 0005) on every insert and on renames, so the list sorts by name through an index.
    subject = models.CharField("项目/单位名称", max_length=200, blank=True, editable=False)
    #: The version monitoring and evaluation read: the latest approved one (or the first draft).
    is_current = models.BooleanField("现行版本", default=True, db_index=True)

    long_term_goal = models.TextField("长期目标", blank=True)
    annual_goal = models.TextField("年度目标", blank=True)
    # Project form (§2.2)
    fiscal_fen = models.BigIntegerField("财政拨款（分）", null=True, blank=True, validators=[MinValueValidator(0)])
    other_fen = models.BigIntegerField("其他资金（分）", null=True, blank=True, validators=[MinValueValidator(0)])
    start_month = models.CharField("项目起止时间", max_length=50, blank=True)
    basis = models.TextField("立项依据", blank=True)
    implementation_plan = models.TextField("实施进度计划", blank=True)
    safeguards = models.TextField("保障措施", blank=True)
    # Department form (§2.1)
    functions = models.TextField("职能职责概述", blank=True)
    staff_quota = models.PositiveIntegerField("人员编制数", null=True, blank=True)
    staff_actual = models.PositiveIntegerField("实有人数", null=True, blank=True)
    # Sign-off
    contact_person = models.CharField("填报人", max_length=50, blank=True)
    contact_phone = EncryptedCharField("联系电话", plain_max_length=30, blank=True)
    unit_head = models.CharField("单位负责人", max_length=50, blank=True)
    # Review (§2.3)
    review_grade = models.CharField("审核等级", max_length=2, choices=GRADE_CHOICES, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    approved_at = models.DateTimeField("批复时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_snapshot = models.JSONField("公开快照", null=True, blank=True, editable=False)
    snapshot_hash = models.CharField("快照摘要", max_length=64, blank=True, editable=False)

    objects = TargetDeclarationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version", "public_snapshot", "subject"])

    class Meta:
        verbose_name = "绩效目标申报表"
        verbose_name_plural = "绩效目标申报表"
        ordering = ["-year", "unit__code", "project__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], condition=models.Q(kind="project"),
                                    name="target_project_version_unique"),
            models.UniqueConstraint(fields=["unit", "year", "version"], condition=models.Q(kind="department"),
                                    name="target_department_version_unique"),
        ]
        indexes = [models.Index(fields=["year", "state"]), models.Index(fields=["unit", "year"]),
                   # The declaration list's rows (current versions and adjustments under way): its count
                   # and its year filter read this partial index, not the whole table.
                   models.Index(fields=["year", "unit"], condition=LISTED, name="target_listed_year_unit"),
                   # The list sorted by 项目/单位: its first page read in index order.
                   models.Index(fields=["year", "subject", "id"], condition=LISTED, name="target_listed_year_subject")]

    def __str__(self) -> str:
        subject = self.project.name if self.project else self.unit.name
        suffix = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{subject}{self.year}年度{self.form_title}{suffix}"

    @property
    def form_title(self) -> str:
        return "项目支出预算绩效目标申报表" if self.kind == Kind.PROJECT else "部门(单位)整体支出预算绩效目标申报表"

    def get_absolute_url(self) -> str:
        return reverse("targets:declaration_detail", kwargs={"pk": self.pk})

    @property
    def budget_fen(self) -> int | None:
        """年度资金总额: the project's adjusted budget, or the unit's overall expenditure."""
        if self.kind == Kind.PROJECT:
            return self.project.adjusted_budget_fen if self.project else None
        expenditure = self.unit.expenditures.filter(year=self.year).first()
        return expenditure.total_fen if expenditure else None

    @property
    def is_classified(self) -> bool:
        return self.unit.is_classified or bool(self.project and self.project.is_classified)

    def to_draft(self, previous_values: dict[str, Decimal] | None = None,
                 indicators: Sequence[TargetIndicator] | None = None) -> TargetDraft:
        """The rules engine's view of the declaration; ``indicators``: its saved rows when already read."""
        indicators = list(self.indicators.all()) if indicators is None else indicators
        tasks = list(self.main_tasks.all()) if self.kind == Kind.DEPARTMENT else []
        if self.kind == Kind.PROJECT:
            declared = None if self.fiscal_fen is None and self.other_fen is None else (self.fiscal_fen or 0) + (self.other_fen or 0)
        else:
            declared = sum(t.total_fen for t in tasks) if tasks else None
        names = " ".join(i.name for i in indicators if i.level1 == "产出指标")
        return TargetDraft(
            kind=self.kind,  # type: ignore[arg-type]
            annual_goal=self.annual_goal,
            long_term_goal=self.long_term_goal,
            indicators=tuple(i.to_draft() for i in indicators),
            budget_fen=self.budget_fen,
            declared_fen=declared,
            is_continuing=bool(self.project and self.project.is_continuing),
            previous_values=previous_values or {},
            tasks_without_indicator=tuple(t.name for t in tasks if t.name and t.name not in names),
        )

    def content(self) -> dict[str, Any]:
        """The declaration's content as data: the frozen copy at approval and the public snapshot."""
        return {
            "title": str(self), "kind": self.kind, "year": self.year, "version": self.version,
            "unit": self.unit.name, "project": self.project.name if self.project else None,
            "project_code": self.project.code if self.project else None,
            "budget_fen": self.budget_fen, "long_term_goal": self.long_term_goal, "annual_goal": self.annual_goal,
            "indicators": [i.as_dict() for i in self.indicators.all()],
            "main_tasks": [t.as_dict() for t in self.main_tasks.all()],
        }


class DeclarationTally(models.Model):
    """The number of declarations per (year, kind, state, sector, grade, listed or not), kept by
    database triggers on every insert, delete and change of those fields (bulk writes and COPY
    included, migration ``0006_declaration_tally``), so the province's declaration list shows its
    total without counting 600,000 rows on every page (issue 15).

    Read by :meth:`kept_count`; ``test_tally`` proves it equals the count of the rows."""

    year = models.PositiveSmallIntegerField("预算年度")
    kind = models.CharField("申报类型", max_length=12)
    state = models.CharField("状态", max_length=30)
    sector_id = models.PositiveIntegerField("行业")
    review_grade = models.CharField("审核等级", max_length=2, blank=True)
    listed = models.BooleanField("列表默认显示")  # LISTED: current, or an adjustment under way
    declarations = models.IntegerField("申报表数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "申报表计数"
        constraints = [models.UniqueConstraint(fields=["year", "kind", "state", "sector_id", "review_grade", "listed"],
                                               name="declaration_tally_key")]

    def __str__(self) -> str:
        return f"{self.year}年度 {self.kind} {self.state}：{self.declarations} 张"

    @classmethod
    def kept_count(cls, *, year: int | None = None, kind: str = "", state: str = "", sector_id: int | None = None,
                   review_grade: str = "", listed_only: bool = True) -> int:
        """The number of declarations of every unit with these values (empty: any), listed ones only
        unless ``listed_only`` is false."""
        lines = cls.objects.all()
        if year is not None:
            lines = lines.filter(year=year)
        if listed_only:
            lines = lines.filter(listed=True)
        for field, value in (("kind", kind), ("state", state), ("sector_id", sector_id), ("review_grade", review_grade)):
            if value:
                lines = lines.filter(**{field: value})
        return lines.aggregate(n=models.Sum("declarations"))["n"] or 0


class TargetIndicator(models.Model):
    """One level-3 indicator row with its target value (年度指标值)."""

    declaration = models.ForeignKey(TargetDeclaration, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField("行号", default=0)
    level1 = models.CharField("一级指标", max_length=20, choices=LEVEL1_CHOICES)
    level2 = models.CharField("二级指标", max_length=20, choices=LEVEL2_CHOICES)
    name = models.CharField("三级指标", max_length=100)
    comparison = models.CharField("计算符号", max_length=6, choices=COMPARISON_CHOICES, default=">=")
    value = models.CharField("指标值", max_length=100)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2, null=True, blank=True)
    explanation = models.CharField("指标解释", max_length=300, blank=True)
    data_source = models.CharField("数据来源", max_length=100, blank=True)
    review_comment = models.CharField("审核意见", max_length=300, blank=True)
    library_item = models.ForeignKey("IndicatorLibraryItem", null=True, blank=True, on_delete=models.SET_NULL)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = "绩效指标"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.level1}/{self.level2}/{self.name}"

    def to_draft(self) -> IndicatorDraft:
        return IndicatorDraft(self.level1, self.level2, self.name, self.comparison, self.value, self.unit, self.weight)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level1": self.level1, "level2": self.level2, "name": self.name, "comparison": self.comparison,
            "value": self.value, "unit": self.unit, "weight": str(self.weight) if self.weight is not None else None,
            "explanation": self.explanation, "data_source": self.data_source,
        }


class MainTask(models.Model):
    """年度主要任务 of a department-overall declaration."""

    declaration = models.ForeignKey(TargetDeclaration, on_delete=models.CASCADE, related_name="main_tasks")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("任务名称", max_length=100)
    content = models.TextField("主要内容", blank=True)
    fiscal_fen = models.BigIntegerField("财政拨款（分）", default=0, validators=[MinValueValidator(0)])
    other_fen = models.BigIntegerField("其他资金（分）", default=0, validators=[MinValueValidator(0)])

    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度主要任务"
        verbose_name_plural = "年度主要任务"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def total_fen(self) -> int:
        return self.fiscal_fen + self.other_fen

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "content": self.content, "fiscal_fen": self.fiscal_fen, "other_fen": self.other_fen}


class IndicatorLibraryItem(models.Model):
    """指标库: common (no sector) and sector indicators the finance bureau curates."""

    scope_unit_field = None

    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", null=True, blank=True,
                               on_delete=models.PROTECT, help_text="留空为共性指标")
    level1 = models.CharField("一级指标", max_length=20, choices=LEVEL1_CHOICES)
    level2 = models.CharField("二级指标", max_length=20, choices=LEVEL2_CHOICES)
    name = models.CharField("三级指标", max_length=100)
    comparison = models.CharField("计算符号", max_length=6, choices=COMPARISON_CHOICES, default=">=")
    unit = models.CharField("计量单位", max_length=20, blank=True)
    reference_value = models.CharField("参考值", max_length=100, blank=True)
    explanation = models.CharField("指标解释", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SharedQuerySet["IndicatorLibraryItem"].as_manager()  # shared by every unit
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "指标库指标"
        verbose_name_plural = "指标库"
        ordering = ["level1", "level2", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.sector.name if self.sector else '共性'}）"
