"""考核 (domain.md §7.6): the year's 考核办法 as data, and each in-scope unit's score sheet.

``AssessmentScheme`` is the 考核办法 of one year (items, points, measures, deductions, bonus,
grade bands, the 通报表扬/约谈 rule, the dispute window, the working-day calendar); the
performance section edits it. ``UnitAssessment`` is one first-level unit's sheet, moved by the
``unit_assessment`` workflow; its ``ItemScore`` rows hold the computed score with the facts it was
computed from (``rules.assessment``), the unit's self-score and evidence for judged items, and the
reviewer's score; every reviewer change is a ``ScoreChange`` with its reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import ScopedQuerySet, SharedQuerySet
from jixiao.rules import assessment as rules
from jixiao.workflow.engine import WorkflowDocument

KIND_CHOICES = [(rules.COMPUTED, "按事实计算"), (rules.JUDGED, "评审打分"), (rules.DEDUCTION, "扣分项"),
                (rules.BONUS, "加分项")]
MEASURE_CHOICES = [("", "（评审打分，不计算）"), *rules.MEASURES.items()]
GRADE_CHOICES = [(g, g) for g in ("优", "良", "中", "差")]
ILLUSTRATIVE_NOTE = ("本考核办法为系统示例（据《预算绩效管理领域说明》§7.6 推定），"
                     "须由区财政局替换为《云溪区区级部门预算绩效管理工作考核办法》的正式文本。")


def _dates(text: str) -> frozenset[date]:
    found = set()
    for line in (text or "").replace("，", "\n").replace(",", "\n").splitlines():
        line = line.strip()
        if line:
            try:
                found.add(date.fromisoformat(line))
            except ValueError:
                continue
    return frozenset(found)


class AssessmentScheme(models.Model):
    """The 考核办法 of one plan year and the round's dates (公示, dispute window, 定稿)."""

    scope_unit_field = None
    permission_label = "assessment.assessmentscheme"

    year = models.PositiveSmallIntegerField("考核年度", unique=True)
    title = models.CharField("考核办法名称", max_length=200, default="云溪区区级部门预算绩效管理工作考核办法")
    is_illustrative = models.BooleanField("系统示例文本（待替换）", default=True,
                                          help_text="勾选表示仍为系统示例；替换为本区正式考核办法后取消勾选。")
    basis = models.TextField("说明", blank=True, default=ILLUSTRATIVE_NOTE)
    excellent = models.DecimalField("优（不低于）", max_digits=5, decimal_places=2, default=Decimal(90))
    good = models.DecimalField("良（不低于）", max_digits=5, decimal_places=2, default=Decimal(80))
    passing = models.DecimalField("中（不低于）", max_digits=5, decimal_places=2, default=Decimal(60))
    bonus_max = models.DecimalField("加分上限", max_digits=5, decimal_places=2, default=Decimal(5))
    praise_top = models.PositiveSmallIntegerField("通报表扬：前几名（须为优）", default=3)
    interview_bottom = models.PositiveSmallIntegerField("约谈：后几名（差等次一律约谈）", default=2)
    scope_date = models.DateField("考核范围确定日期", help_text="以该日的综合绩效考评范围为准（年内新设、合并的单位按该日认定）")
    dispute_days = models.PositiveSmallIntegerField("公示异议期（工作日）", default=5)
    holidays = models.TextField("法定节假日", blank=True, help_text="每行一个日期，如 2021-10-01；计算逾期工作日时不计")
    workdays = models.TextField("调休上班日", blank=True, help_text="每行一个日期；周末调休上班的日子计为工作日")
    publicised_on = models.DateField("公示日期", null=True, blank=True, editable=False)
    dispute_until = models.DateField("异议截止日期", null=True, blank=True, editable=False)
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True, editable=False)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SharedQuerySet["AssessmentScheme"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "考核办法"
        verbose_name_plural = "考核办法"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme") + f"?year={self.year}"

    @property
    def calendar(self) -> rules.WorkCalendar:
        return rules.WorkCalendar(_dates(self.holidays), _dates(self.workdays))

    @property
    def bands(self) -> rules.GradeBands:
        return rules.GradeBands(self.excellent, self.good, self.passing)

    def item_rules(self) -> list[rules.ItemRule]:
        return [i.as_rule() for i in self.items.all()]


class SchemeItem(models.Model):
    """One line of the score sheet: an item, a deduction or the bonus."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号", default=0)
    code = models.CharField("编号", max_length=10)
    name = models.CharField("考核内容及评分标准", max_length=200)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2, default=Decimal(0))
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES, default=rules.COMPUTED)
    measure = models.CharField("计算方法", max_length=30, choices=MEASURE_CHOICES, blank=True)
    per_unit = models.DecimalField("每日/每项扣分", max_digits=5, decimal_places=2, default=Decimal(1))
    limit = models.DecimalField("扣分上限/允许次数", max_digits=5, decimal_places=2, default=Decimal(0))

    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def as_rule(self) -> rules.ItemRule:
        return rules.ItemRule(self.code, self.name, self.points, self.kind, self.measure, self.per_unit, self.limit)


class ScopeChange(models.Model):
    """A unit joining, merged away from or leaving the 综合绩效考评 scope during the year."""

    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"
    permission_label = "assessment.assessmentscheme"

    class Kind(models.TextChoices):
        JOINED = "joined", "年内新设或新纳入"
        MERGED = "merged", "并入其他单位"
        LEFT = "left", "撤销或移出考评范围"

    year = models.PositiveSmallIntegerField("考核年度", db_index=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("变化", max_length=10, choices=Kind.choices)
    on = models.DateField("日期")
    into = models.ForeignKey("organisation.BudgetUnit", verbose_name="并入单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    note = models.CharField("依据", max_length=200, blank=True)

    objects = ScopedQuerySet["ScopeChange"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核范围变化"
        verbose_name_plural = "考核范围变化"
        ordering = ["year", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.unit}：{self.get_kind_display()}（{self.on:%Y-%m-%d}）"


class UnitAssessment(WorkflowDocument):
    """One first-level unit's score sheet of the year."""

    workflow_name = "unit_assessment"
    reader_visible_states = ("final",)
    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"

    scheme = models.ForeignKey(AssessmentScheme, verbose_name="考核办法", on_delete=models.PROTECT,
                               related_name="assessments")
    year = models.PositiveSmallIntegerField("考核年度", db_index=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="被考核单位", on_delete=models.PROTECT,
                             related_name="assessments")
    joined_on = models.DateField("纳入考核范围日期", null=True, blank=True)
    absorbed = models.ManyToManyField("organisation.BudgetUnit", verbose_name="并入单位", blank=True, related_name="+")
    scope_note = models.CharField("范围说明", max_length=300, blank=True)
    computed_on = models.DateField("事实截取日期", null=True, blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=2, choices=GRADE_CHOICES, blank=True)
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True)
    mark = models.CharField("通报表扬/约谈", max_length=10, blank=True)
    dispute = models.TextField("异议内容", blank=True)
    dispute_answer = models.TextField("异议处理意见", blank=True)
    submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)

    objects = ScopedQuerySet["UnitAssessment"].as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"], m2m_fields=[absorbed])

    class Meta:
        verbose_name = "单位考核"
        verbose_name_plural = "单位考核"
        ordering = ["year", "rank", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["year", "unit"], name="unit_assessment_unique")]

    def __str__(self) -> str:
        return f"{self.year}年度预算绩效管理工作考核：{self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:detail", kwargs={"pk": self.pk})

    @property
    def published_scores(self) -> bool:
        return self.state in ("publicised", "disputed", "final")


class ItemScore(models.Model):
    scope_unit_field = "assessment__unit"
    scope_sector_field = "assessment__unit__sector"

    assessment = models.ForeignKey(UnitAssessment, on_delete=models.CASCADE, related_name="scores")
    position = models.PositiveSmallIntegerField("序号", default=0)
    code = models.CharField("编号", max_length=10)
    name = models.CharField("考核内容", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    measure = models.CharField("计算方法", max_length=30, blank=True)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)
    computed = models.DecimalField("计算得分", max_digits=6, decimal_places=2, null=True, blank=True)
    summary = models.CharField("计算说明", max_length=300, blank=True)
    facts = models.JSONField("计算依据", default=list, blank=True)
    self_score = models.DecimalField("单位自评分", max_digits=6, decimal_places=2, null=True, blank=True)
    self_note = models.TextField("自评说明", blank=True)
    score = models.DecimalField("审核得分", max_digits=6, decimal_places=2, null=True, blank=True)
    reason = models.CharField("审核调整理由", max_length=300, blank=True)

    objects = ScopedQuerySet["ItemScore"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "code"], name="item_score_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_computed(self) -> bool:
        return bool(self.measure)

    @property
    def effective(self) -> Decimal:
        """The score that counts: the reviewer's, else the computed one, else the unit's self-score."""
        for value in (self.score, self.computed, self.self_score):
            if value is not None:
                return Decimal(value)
        return Decimal(0)


class ScoreChange(models.Model):
    """A reviewer's change of an item's score, with its reason (shown to the unit)."""

    item = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="changes")
    before = models.DecimalField("调整前", max_digits=6, decimal_places=2, null=True, blank=True)
    after = models.DecimalField("调整后", max_digits=6, decimal_places=2)
    reason = models.CharField("理由", max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调整人", on_delete=models.PROTECT)
    changed_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = "得分调整"
        verbose_name_plural = "得分调整"
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item.code}：{self.before} → {self.after}（{self.reason}）"


class AssessmentEvidence(models.Model):
    assessment = models.ForeignKey(UnitAssessment, on_delete=models.CASCADE, related_name="evidence")
    item_code = models.CharField("考核项目", max_length=10)
    file = models.FileField("文件", upload_to="assessment/%Y/")
    name = models.CharField("文件名", max_length=200)
    description = models.CharField("说明", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核佐证材料"
        verbose_name_plural = "考核佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


def facts_rows(item: ItemScore) -> list[dict[str, Any]]:
    return [f for f in item.facts if isinstance(f, dict)]
