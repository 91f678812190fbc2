"""Organisation and budget data: fiscal years, budget units, projects, department spending."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.dispatch import Signal
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet
from jixiao.core.uploads import QueuedUpload

THRESHOLD_PAPER_COPY_FEN = 30_000_000  # 30万元 (domain.md §1.6: "以上" includes the number)


class FiscalYear(models.Model):
    year = models.PositiveSmallIntegerField("预算年度", unique=True)
    is_current = models.BooleanField("当前年度", default=False)

    class Meta:
        verbose_name = "预算年度"
        verbose_name_plural = "预算年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度"


class Sector(models.Model):
    """行业 / 功能分类 (e.g. 教育, 卫生健康); budget desks are split by sector."""

    code = models.CharField("分类编码", max_length=10, unique=True)
    name = models.CharField("行业名称", max_length=50, unique=True)
    is_key = models.BooleanField("重点行业", default=False, help_text="社保、农业、交通等重点关注领域")

    class Meta:
        verbose_name = "行业分类"
        verbose_name_plural = "行业分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Dictionary(models.Model):
    """A short coded list the finance bureau keeps (资金来源, 重大政策类别)."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FundSource(Dictionary):
    class Meta(Dictionary.Meta):
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"


class PolicyCategory(Dictionary):
    """The special categories the plan names (防疫资金, 民生资金, 财政奖补资金, 政府债务, 收入类成本支出)."""

    class Meta(Dictionary.Meta):
        verbose_name = "重大政策类别"
        verbose_name_plural = "重大政策类别"


class BudgetUnitQuerySet(ScopedQuerySet["BudgetUnit"]):
    pass


#: Sent in the transaction of every save of a unit, once its first-level unit is set, with
#: ``unit`` and ``roots`` (its first-level units before and after), for figures kept by unit tree.
unit_saved = Signal()


class BudgetUnit(models.Model):
    """预算单位. A unit without a parent is a first-level unit (一级预算单位); ``root`` is its
    first-level ancestor (itself for a first-level unit), kept so scoping is one indexed filter."""

    scope_unit_field = ""
    scope_sector_field = "sector"

    code = models.CharField("单位编码", max_length=20, unique=True)
    name = models.CharField("单位名称", max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name="主管部门", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    root = models.ForeignKey(
        "self", verbose_name="一级预算单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="tree_members", editable=False,
    )
    sector = models.ForeignKey(Sector, verbose_name="行业", on_delete=models.PROTECT, related_name="units")
    is_classified = models.BooleanField("涉密", default=False)
    sort_key = models.CharField("排序拼音", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = BudgetUnitQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_first_level(self) -> bool:
        return self.parent_id is None

    @property
    def level_label(self) -> str:
        return "一级预算单位" if self.is_first_level else "下属单位"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.sort_key:
            from pypinyin import lazy_pinyin

            self.sort_key = "".join(lazy_pinyin(self.name))[:200]
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        root_id = self.parent.root_id if self.parent else self.pk
        previous = self.root_id
        if self.root_id != root_id:
            BudgetUnit.objects.filter(pk=self.pk).update(root_id=root_id)
            self.root_id = root_id
        unit_saved.send(BudgetUnit, unit=self, roots={previous, root_id})


class UnitYearSetting(models.Model):
    """Per unit and year: whether it is within the 区委/区政府 综合绩效考评 scope (files overall targets)."""

    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"

    unit = models.ForeignKey(BudgetUnit, verbose_name="预算单位", on_delete=models.CASCADE, related_name="year_settings")
    year = models.PositiveSmallIntegerField("预算年度")
    in_assessment_scope = models.BooleanField("纳入综合绩效考评", default=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位年度设置"
        verbose_name_plural = "单位年度设置"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unit_year_setting_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年度设置"


class ProjectQuerySet(ScopedQuerySet["Project"]):
    def needing_paper_copy(self) -> ProjectQuerySet:
        return self.filter(adjusted_budget_fen__gte=THRESHOLD_PAPER_COPY_FEN)


class Project(models.Model):
    """预算项目 (项目库 item) of one budget year. Amounts are integer 分."""

    scope_unit_field = "unit"
    scope_sector_field = "sector"

    year = models.PositiveSmallIntegerField("预算年度", db_index=True)
    code = models.CharField("项目编码", max_length=40)
    name = models.CharField("项目名称", max_length=200)
    unit = models.ForeignKey(BudgetUnit, verbose_name="实施单位", on_delete=models.PROTECT, related_name="projects")
    sector = models.ForeignKey(Sector, verbose_name="行业", on_delete=models.PROTECT, related_name="projects")
    fund_sources = models.ManyToManyField(FundSource, verbose_name="资金来源", blank=True)
    policy_categories = models.ManyToManyField(PolicyCategory, verbose_name="重大政策类别", blank=True)
    initial_budget_fen = models.BigIntegerField("年初预算数（分）", validators=[MinValueValidator(0)])
    adjusted_budget_fen = models.BigIntegerField("调整后预算数（分）", validators=[MinValueValidator(0)])
    is_continuing = models.BooleanField("延续项目", default=False)
    is_classified = models.BooleanField("涉密", default=False)
    budget_approved_at = models.DateTimeField("预算批复时间", null=True, blank=True, editable=False)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "预算项目"
        verbose_name_plural = "预算项目"
        ordering = ["year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="project_year_code_unique")]
        indexes = [models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kind_label(self) -> str:
        return "延续项目" if self.is_continuing else "新增项目"

    @property
    def needs_paper_copy(self) -> bool:
        return self.adjusted_budget_fen >= THRESHOLD_PAPER_COPY_FEN


class DepartmentExpenditure(models.Model):
    """部门(单位)整体支出 of one unit and year: basic (personnel + public) plus project spending."""

    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"

    unit = models.ForeignKey(BudgetUnit, verbose_name="预算单位", on_delete=models.PROTECT, related_name="expenditures")
    year = models.PositiveSmallIntegerField("预算年度")
    personnel_fen = models.BigIntegerField("人员经费（分）", default=0, validators=[MinValueValidator(0)])
    public_fen = models.BigIntegerField("公用经费（分）", default=0, validators=[MinValueValidator(0)])
    project_fen = models.BigIntegerField("项目支出（分）", default=0, validators=[MinValueValidator(0)])
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = ScopedQuerySet["DepartmentExpenditure"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "部门整体支出"
        verbose_name_plural = "部门整体支出"
        ordering = ["year", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="dept_expenditure_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}年度整体支出"

    @property
    def basic_fen(self) -> int:
        return self.personnel_fen + self.public_fen

    @property
    def total_fen(self) -> int:
        return self.basic_fen + self.project_fen


class ImportBatch(QueuedUpload):
    """One upload of budget data: counts, row-level errors and the annotated workbook (stack.md F2)."""

    scope_unit_field = None

    class Kind(models.TextChoices):
        UNITS = "units", "预算单位"
        PROJECTS = "projects", "预算项目"

    kind = models.CharField("导入类型", max_length=20, choices=Kind.choices)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)

    @property
    def summary(self) -> str:
        unchanged = (self.row_count or 0) - self.created_count - self.updated_count
        same = f"，未变 {unchanged}（未改动、不生成新版本）" if unchanged > 0 else ""
        return f"导入成功：共 {self.row_count} 行，新增 {self.created_count}，更新 {self.updated_count}{same}。"

    objects = ScopedQuerySet["ImportBatch"].as_manager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 {self.file_name}"
