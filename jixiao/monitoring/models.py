"""Performance monitoring (绩效运行监控, 双监控): rounds, treasury execution data, the two monitoring
tables with their indicator rows, focused monitoring by third parties, corrective actions and the
monitoring report (domain.md §2.4–2.6, §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.crypto import EncryptedCharField
from jixiao.core.scoping import ScopedQuerySet, SharedQuerySet
from jixiao.core.uploads import QueuedUpload
from jixiao.rules.monitoring import LIGHT_LABELS
from jixiao.rules.monitoring_review import FOCUS_REASON_LABELS, POSSIBILITIES, REASONS
from jixiao.workflow.engine import WorkflowDocument

LIGHT_CHOICES = list(LIGHT_LABELS.items())
POSSIBILITY_CHOICES = [(p, p) for p in POSSIBILITIES]
REASON_CHOICES = [(r, r) for r in REASONS]


class Kind(models.TextChoices):
    PROJECT = "project", "财政项目资金"
    DEPARTMENT = "department", "部门整体支出"


class MonitoringRound(models.Model):
    """One monitoring round: a cumulative period 1–N月 of a budget year, with a reporting deadline."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("预算年度")
    end_month = models.PositiveSmallIntegerField(
        "截至月份", default=9, validators=[MinValueValidator(1), MaxValueValidator(12)])
    due_on = models.DateField("报送截止日期")
    title = models.CharField("名称", max_length=100)
    rule_set = models.CharField("规则集", max_length=50, default="national-default")
    opened_by = models.ForeignKey("accounts.User", verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "监控轮次"
        verbose_name_plural = "监控轮次"
        ordering = ["-year", "-end_month"]
        constraints = [models.UniqueConstraint(fields=["year", "end_month"], name="monitoring_round_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:round_detail", kwargs={"pk": self.pk})

    @property
    def period_label(self) -> str:
        return f"{self.year}年1-{self.end_month}月"

    @property
    def time_progress(self) -> Decimal:
        """序时进度 in percent (9/12 → 75.00)."""
        return (Decimal(self.end_month) * 100 / 12).quantize(Decimal("0.01"))

    @property
    def period_end(self) -> date:
        import calendar

        return date(self.year, self.end_month, calendar.monthrange(self.year, self.end_month)[1])


class ExecutionImport(QueuedUpload):
    """One upload of treasury payment data: counts, row errors and the annotated workbook."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("预算年度")
    total_fen = models.BigIntegerField("支付金额合计（分）", default=0)

    @property
    def summary(self) -> str:
        return f"已导入{self.row_count}条支付记录，各监控表的执行数和预警灯已更新。"

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["annotated_workbook", "upload"])

    class Meta:
        verbose_name = "国库支付数据导入"
        verbose_name_plural = "国库支付数据导入"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.year}年度国库支付数据 {self.file_name}"


class ExecutionRecord(models.Model):
    """A treasury payment: a project's (项目支出) or, without a project, the unit's basic spending."""

    scope_unit_field = "unit"
    scope_sector_field = "sector"

    batch = models.ForeignKey(ExecutionImport, verbose_name="导入批次", on_delete=models.CASCADE, related_name="records")
    year = models.PositiveSmallIntegerField("预算年度")
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    paid_on = models.DateField("支付日期", null=True, blank=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="预算单位", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField("支付金额（分）")
    source_row = models.PositiveIntegerField("来源行号", default=0)

    objects = ScopedQuerySet["ExecutionRecord"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "国库支付记录"
        verbose_name_plural = "国库支付记录"
        ordering = ["year", "month", "pk"]
        indexes = [models.Index(fields=["year", "month"]), models.Index(fields=["project", "month"])]

    def __str__(self) -> str:
        return f"{self.project or self.unit} {self.year}年{self.month}月"

    @property
    def kind_label(self) -> str:
        return "项目支出" if self.project_id else "基本支出"


class MonitoringFormQuerySet(ScopedQuerySet["MonitoringForm"]):
    def assigned_to(self, user: Any) -> MonitoringFormQuerySet:
        """A third-party agency sees the forms of the focused-monitoring items assigned to it."""
        return self.filter(focus_items__engagement__agency__members=user).distinct()  # type: ignore[return-value]


class MonitoringForm(WorkflowDocument):
    """部门整体支出绩效监控情况表 or 财政项目资金绩效监控情况表 of one round (domain.md §2.4–2.5).

    The indicators are read from the approved current target version (``target``); the budget is
    read from the project or the unit's overall expenditure when the round opens; the execution
    comes from the treasury data; the lights come from ``jixiao.rules``.
    """

    workflow_name = "monitoring_form"
    reader_visible_states = ("accepted",)  # external readers see a monitoring form once finance accepted it
    scope_unit_field = "unit"
    scope_sector_field = "sector"

    round = models.ForeignKey(MonitoringRound, verbose_name="监控轮次", on_delete=models.PROTECT, related_name="forms")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="填报单位", on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="monitoring_forms")
    target = models.ForeignKey("targets.TargetDeclaration", verbose_name="绩效目标（批复版本）",
                               on_delete=models.PROTECT, related_name="monitoring_forms")
    # A. 预算执行情况 (amounts in 分)
    initial_budget_fen = models.BigIntegerField("年初预算数（分）", default=0)
    budget_fen = models.BigIntegerField("调整后预算数（分）", default=0)
    basic_budget_fen = models.BigIntegerField("基本支出预算（分）", default=0)
    executed_fen = models.BigIntegerField("执行数（分）", default=0)
    executed_basic_fen = models.BigIntegerField("基本支出执行数（分）", default=0)
    execution_rate = models.DecimalField("执行率（%）", max_digits=14, decimal_places=2, null=True, blank=True)
    execution_light = models.CharField("预算执行预警", max_length=6, choices=LIGHT_CHOICES, blank=True)
    target_light = models.CharField("目标完成预警", max_length=6, choices=LIGHT_CHOICES, blank=True)
    overall_light = models.CharField("综合预警", max_length=6, choices=LIGHT_CHOICES, blank=True, db_index=True)
    forecast_fen = models.BigIntegerField("全年预计执行数（分）", null=True, blank=True)
    execution_reason = models.TextField("执行偏差原因", blank=True)
    # 年度总体目标 / 实施进度 / D. 监控分析
    goal_progress = models.TextField("目标实际完成情况", blank=True)
    implementation = models.TextField("实施进度", blank=True)
    problems = models.TextField("实施存在的问题", blank=True)
    measures = models.TextField("纠偏措施及下一步工作", blank=True)
    request_adjustment = models.BooleanField("申请调整目标或预算", default=False)
    # E. Sign-off and paper copy
    contact_person = models.CharField("填报人", max_length=50, blank=True)
    contact_phone = EncryptedCharField("联系电话", plain_max_length=30, blank=True)
    unit_head = models.CharField("单位负责人", max_length=50, blank=True)
    needs_paper = models.BooleanField("需报送纸质档", default=False)
    paper_received_at = models.DateTimeField("纸质档接收时间", null=True, blank=True)
    paper_received_by = models.ForeignKey("accounts.User", verbose_name="纸质档接收人", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    review_comment = models.TextField("财政审核意见", blank=True)

    objects = MonitoringFormQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "绩效监控情况表"
        verbose_name_plural = "绩效监控情况表"
        ordering = ["unit__code", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], condition=models.Q(kind="project"),
                                    name="monitoring_form_project_unique"),
            models.UniqueConstraint(fields=["round", "unit"], condition=models.Q(kind="department"),
                                    name="monitoring_form_department_unique"),
        ]
        indexes = [models.Index(fields=["round", "state"]), models.Index(fields=["round", "unit"]),
                   # The dashboard's "lowest execution rates" read the round's project forms in rate order.
                   models.Index(fields=["round", "kind", "execution_rate"], name="monitoring_form_rate")]

    def __str__(self) -> str:
        subject = self.project.name if self.project else self.unit.name
        return f"{subject}{self.round.period_label}{self.form_title}"

    @property
    def form_title(self) -> str:
        return "部门整体支出绩效监控情况表" if self.kind == Kind.DEPARTMENT else "财政项目资金绩效监控情况表"

    @property
    def subject(self) -> str:
        return self.project.name if self.project else self.unit.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring:form_detail", kwargs={"pk": self.pk})

    def document_changed(self) -> None:
        from jixiao.monitoring.summary import refresh_form_lines

        refresh_form_lines(self)

    @property
    def adjustment_fen(self) -> int:
        return self.budget_fen - self.initial_budget_fen

    @property
    def project_budget_fen(self) -> int:
        return self.budget_fen - self.basic_budget_fen

    @property
    def executed_project_fen(self) -> int:
        return self.executed_fen - self.executed_basic_fen

    @property
    def expected_balance_fen(self) -> int | None:
        """预计结转结余 = 调整后预算数 − 全年预计执行数."""
        return None if self.forecast_fen is None else self.budget_fen - self.forecast_fen

    @property
    def execution_gap(self) -> Decimal | None:
        """执行偏差 (percentage points) = 执行率 − 序时进度."""
        return None if self.execution_rate is None else self.execution_rate - self.round.time_progress

    @property
    def paper_status(self) -> str:
        if not self.needs_paper:
            return "无需纸质档"
        return "已接收" if self.paper_received_at else "未接收"


class MonitoringIndicatorQuerySet(ScopedQuerySet["MonitoringIndicator"]):
    pass


class MonitoringIndicator(models.Model):
    """C. 绩效指标完成情况: one approved indicator's value to date, forecast, light and analysis."""

    scope_unit_field = "form__unit"
    classified_fields = ("form__unit__is_classified", "form__project__is_classified")
    scope_sector_field = "form__sector"

    form = models.ForeignKey(MonitoringForm, on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey("targets.TargetIndicator", verbose_name="绩效指标", on_delete=models.PROTECT,
                                  related_name="+")
    position = models.PositiveSmallIntegerField("行号", default=0)
    actual = models.CharField("截至本期实际完成值", max_length=100, blank=True)
    forecast = models.CharField("全年预计完成值", max_length=100, blank=True)
    light = models.CharField("序时进度预警", max_length=6, choices=LIGHT_CHOICES, blank=True)
    light_value = models.DecimalField("进度值v", max_digits=14, decimal_places=2, null=True, blank=True)
    deviation = models.DecimalField("偏离度", max_digits=14, decimal_places=4, null=True, blank=True)
    reasons = models.JSONField("偏差原因", default=list, blank=True)
    other_reason = models.CharField("其他原因", max_length=300, blank=True)
    possibility = models.CharField("完成可能性", max_length=10, choices=POSSIBILITY_CHOICES, blank=True)
    corrective_plan = models.CharField("纠偏措施", max_length=300, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = MonitoringIndicatorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "监控指标"
        verbose_name_plural = "监控指标"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"第{self.position + 1}行 {self.indicator.name}"

    @property
    def row_label(self) -> str:
        return f"第{self.position + 1}行「{self.indicator.name}」"


class FocusRule(models.Model):
    """The focused-monitoring selection rule of a round, edited by the finance bureau (stored as data)."""

    scope_unit_field = None

    round = models.OneToOneField(MonitoringRound, verbose_name="监控轮次", on_delete=models.CASCADE,
                                 related_name="focus_rule")
    red_min_budget_fen = models.BigIntegerField("红灯项目金额标准（分）", default=30_000_000)
    key_sector_top_n = models.PositiveSmallIntegerField("重点行业每行业选取金额最大的项目数", default=3)
    sample_percent = models.DecimalField("其余项目随机抽取比例（%）", max_digits=5, decimal_places=2, default=Decimal(10),
                                         validators=[MinValueValidator(0), MaxValueValidator(100)])
    department_count = models.PositiveSmallIntegerField("选取部门整体支出个数", default=1)
    seed = models.BigIntegerField("随机种子", null=True, blank=True)
    applied_at = models.DateTimeField("最近选取时间", null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "重点监控选取规则"
        verbose_name_plural = "重点监控选取规则"

    def __str__(self) -> str:
        return f"{self.round}重点监控选取规则"


class Engagement(models.Model):
    """委托: an agency from the registry commissioned for focused monitoring; its staff see its items only."""

    scope_unit_field = None

    round = models.ForeignKey(MonitoringRound, verbose_name="监控轮次", on_delete=models.PROTECT, related_name="engagements")
    agency = models.ForeignKey("evaluation.Agency", verbose_name="第三方机构", on_delete=models.PROTECT,
                               related_name="monitoring_engagements")
    title = models.CharField("委托事项", max_length=200)
    due_on = models.DateField("完成期限")
    created_by = models.ForeignKey("accounts.User", verbose_name="委托人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("委托时间", auto_now_add=True)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "第三方委托"
        verbose_name_plural = "第三方委托"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agency.name}：{self.title}"


class FocusItemQuerySet(ScopedQuerySet["FocusItem"]):
    def assigned_to(self, user: Any) -> FocusItemQuerySet:
        return self.filter(engagement__agency__members=user).distinct()  # type: ignore[return-value]


class FocusItem(models.Model):
    """One item on the focused-monitoring list, with the third party's on-site findings."""

    scope_unit_field = "form__unit"
    classified_fields = ("form__unit__is_classified", "form__project__is_classified")
    scope_sector_field = "form__sector"

    form = models.ForeignKey(MonitoringForm, verbose_name="监控表", on_delete=models.PROTECT, related_name="focus_items")
    reason = models.CharField("选取原因", max_length=12, choices=list(FOCUS_REASON_LABELS.items()))
    engagement = models.ForeignKey(Engagement, verbose_name="第三方委托", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="items")
    findings = models.TextField("核查发现", blank=True)
    finding_light = models.CharField("核查结论预警", max_length=6, choices=LIGHT_CHOICES, blank=True)
    recommendation = models.TextField("整改建议", blank=True)
    recorded_by = models.ForeignKey("accounts.User", verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = FocusItemQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "重点监控事项"
        verbose_name_plural = "重点监控事项"
        ordering = ["form__unit__code", "form__project__code"]
        constraints = [models.UniqueConstraint(fields=["form"], name="focus_item_form_unique")]

    def __str__(self) -> str:
        return f"重点监控：{self.form.subject}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:focus_detail", kwargs={"pk": self.pk})


class ReportJob(models.Model):
    """A monitoring report generated in the background; the page polls its progress."""

    scope_unit_field = None

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"

    round = models.ForeignKey(MonitoringRound, verbose_name="监控轮次", on_delete=models.PROTECT, related_name="reports")
    requested_by = models.ForeignKey("accounts.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("当前步骤", max_length=200, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    content = models.BinaryField("报告文件", null=True, editable=False)
    totals = models.JSONField("报告汇总数", default=dict, blank=True)
    #: the background attempt that owns the job while it runs (core.jobs.claim)
    job_token = models.CharField("处理任务标识", max_length=120, blank=True, editable=False)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["content", "percent", "message", "job_token"])

    class Meta:
        verbose_name = "监控报告"
        verbose_name_plural = "监控报告"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round}绩效监控报告"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:report_detail", kwargs={"pk": self.pk})


class SummaryQuerySet(ScopedQuerySet[Any]):
    def scope(self, user: Any, scope: Any) -> SummaryQuerySet:
        """The forms' scoping by the lines' dimensions: all, a desk's sectors, or a first-level unit's
        tree. A single unit's or an agency's dashboard is computed from its forms instead."""
        from jixiao.accounts.roles import Scope

        if scope == Scope.UNIT_TREE and user.unit_id:
            return self.filter(root_id=user.unit.root_id if user.unit else None)  # type: ignore[return-value]
        if scope in (Scope.ALL, Scope.SECTOR):
            return super().scope(user, scope)  # type: ignore[return-value]
        return self.none()  # type: ignore[return-value]


class SummaryLine(models.Model):
    """Common dimensions and sums of the dashboard's summary tables: forms of one round, kind, state,
    first-level unit, sector, overall light and 涉密 flag (the unit's or the project's)."""

    permission_label = "monitoring.monitoringform"  # visible to whoever sees the forms, scoped like them
    reader_visible_states = MonitoringForm.reader_visible_states
    classified_fields = ("is_classified",)
    scope_unit_field = "root"
    scope_sector_field = "sector"

    round = models.ForeignKey(MonitoringRound, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=30)
    root = models.ForeignKey("organisation.BudgetUnit", null=True, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("organisation.Sector", on_delete=models.CASCADE, related_name="+")
    overall_light = models.CharField(max_length=6, blank=True)
    is_classified = models.BooleanField(default=False)
    forms = models.PositiveIntegerField(default=0)
    budget_fen = models.BigIntegerField(default=0)
    executed_fen = models.BigIntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name}（{self.forms}张）"


class MonitoringSummary(SummaryLine):
    """The monitoring dashboard's figures per round and dimensions, kept by
    ``jixiao.monitoring.summary`` in the transaction of every change to the round's forms."""

    kind = models.CharField(max_length=12, choices=Kind.choices)
    paper_needed = models.PositiveIntegerField(default=0)
    paper_received = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "监控汇总数"
        verbose_name_plural = "监控汇总数"
        indexes = [models.Index(fields=["round", "root"], name="monitoring_summary_root")]


class MonitoringFundSummary(SummaryLine):
    """The project forms' figures per fund source (a form counts under each source of its project;
    ``fund_source`` empty: none recorded), kept with :class:`MonitoringSummary`."""

    fund_source = models.ForeignKey("organisation.FundSource", null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "监控资金来源汇总数"
        verbose_name_plural = "监控资金来源汇总数"
        indexes = [models.Index(fields=["round", "root"], name="monitoring_fund_summary_root")]
