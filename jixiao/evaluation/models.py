"""Performance evaluation (绩效评价, domain.md §2.7–2.11, §4, §6): self-evaluation tables and their
evidence, the finance bureau's re-check of their quality, key evaluations by third parties with
their framework, scores and rectification list, and the registry of agencies and experts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.expressions import Combinable
from django.urls import reverse
from simple_history.models import HistoricalRecords

from jixiao.core.crypto import EncryptedCharField
from jixiao.core.scoping import ScopedQuerySet
from jixiao.rules.evaluation_sample import DEFAULT_SAMPLE_RULE, describe_sample_rule, read_sample_rule
from jixiao.rules.ruleset import DEFAULT_RULE_SET, RuleSet, available_rule_sets, get_rule_set, rule_set_label
from jixiao.targets.models import GRADE_CHOICES, Kind
from jixiao.workflow.engine import WorkflowDocument

KEY_LEVEL1 = ("决策", "过程", "产出", "效益")
DEFAULT_FRAMEWORK: tuple[tuple[str, str, str, int, str], ...] = (
    # domain.md §4.11 illustrative weights (产出 + 效益 = 65).
    ("决策", "项目立项", "立项依据充分性", 3, "符合法律法规、发展规划和部门职责，每项不符扣0.6分"),
    ("决策", "项目立项", "立项程序规范性", 2, "按规定程序申请设立，审批文件齐全"),
    ("决策", "绩效目标", "绩效目标合理性", 3, "目标与实际工作内容相关，与预算匹配"),
    ("决策", "绩效目标", "绩效指标明确性", 2, "指标细化、量化，可衡量"),
    ("决策", "资金投入", "预算编制科学性", 3, "预算编制经过论证，与工作任务相匹配"),
    ("决策", "资金投入", "资金分配合理性", 2, "分配依据充分，额度合理"),
    ("过程", "资金管理", "资金到位率", 4, "实际到位资金/计划投入资金×分值"),
    ("过程", "资金管理", "预算执行率", 4, "实际支出资金/实际到位资金×分值"),
    ("过程", "资金管理", "资金使用合规性", 4, "每发现一处违规扣1分"),
    ("过程", "组织实施", "管理制度健全性", 4, "制度健全、合法合规"),
    ("过程", "组织实施", "制度执行有效性", 4, "制度得到有效执行，资料齐全"),
    ("产出", "产出数量", "实际完成率", 10, "实际产出数/计划产出数×分值"),
    ("产出", "产出质量", "质量达标率", 10, "质量达标产出数/实际产出数×分值"),
    ("产出", "产出时效", "完成及时性", 8, "按计划时间完成得满分，每延迟一月扣2分"),
    ("产出", "产出成本", "成本节约率", 7, "在计划成本内完成得满分"),
    ("效益", "项目效益", "实施效益", 20, "经济、社会、生态效益及可持续影响"),
    ("效益", "满意度", "服务对象满意度", 10, "满意度≥90%得满分，否则按比例得分"),
)


def score_field(
    verbose_name: str,
) -> models.DecimalField[str | float | Decimal | Combinable | None, Decimal | None]:
    """An optional score: up to 9999.99, two decimal places."""
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=2, null=True, blank=True)


class DistrictWideQuerySet(ScopedQuerySet[Any]):
    """Registers and parameters of the whole district: every role allowed to read them sees all
    rows, except an agency's or expert's staff, who see only what is assigned to them."""

    def scope(self, user: Any, scope: Any) -> DistrictWideQuerySet:
        return self.assigned_to(user) if scope == "assigned" else self  # type: ignore[return-value]


def sample_rule_text(data: Any) -> str:
    """A stored re-check sample rule in words (never its JSON)."""
    rule, problems = read_sample_rule(data or {})
    return describe_sample_rule(rule) if rule is not None else "抽样规则有误：" + "；".join(problems)


def rule_set_choices() -> list[tuple[str, str]]:
    return [(name, rule_set_label(name)) for name in available_rule_sets()]


class EvaluationYear(models.Model):
    """The evaluation parameters of one budget year: rule set, conflict window and re-check rule."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("评价年度", unique=True)
    rule_set = models.CharField("评分规则集", max_length=64, default=DEFAULT_RULE_SET, choices=rule_set_choices)
    conflict_years = models.PositiveSmallIntegerField(
        "回避年限", default=3, help_text="第三方机构在此年限内为被评价单位提供过服务的，不得承担其重点评价")
    sample_rule = models.JSONField("复核抽样规则", default=dict, blank=True,
                                   help_text="万元以上必抽、必抽等级、必抽行业、随机抽取比例、最少随机抽取数")
    tasks_issued_at = models.DateTimeField("自评任务下达时间", null=True, blank=True, editable=False)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = DistrictWideQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "评价参数"
        verbose_name_plural = "评价参数"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度评价参数"

    @classmethod
    def for_year(cls, year: int) -> EvaluationYear:
        obj, _ = cls.objects.get_or_create(year=year, defaults={"sample_rule": dict(DEFAULT_SAMPLE_RULE)})
        return obj

    @property
    def rules(self) -> RuleSet:
        return get_rule_set(self.rule_set)

    @property
    def sample_rule_text(self) -> str:
        return sample_rule_text(self.sample_rule)

    #: The history page shows the stored rule in words.
    display_sample_rule = staticmethod(sample_rule_text)


# --- agencies and experts ---------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    """Lists show 138****0041; the full number only on the record's own page."""
    digits = phone.strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else ("*" * len(digits))


class Agency(models.Model):
    """第三方机构: a registered agency with its qualifications, contacts and its staff accounts."""

    scope_unit_field = None

    name = models.CharField("机构名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    qualifications = models.TextField("资质", blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone = EncryptedCharField("联系电话", plain_max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="机构人员账号", blank=True,
                                     related_name="agencies", limit_choices_to={"role": "agency"})
    is_active = models.BooleanField("在库", default=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = DistrictWideQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"], m2m_fields=[members])

    class Meta:
        verbose_name = "第三方机构"
        verbose_name_plural = "第三方机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:agency_edit", kwargs={"pk": self.pk})

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ServiceRecord(models.Model):
    """A service an agency or expert rendered to a unit (审计、设计、咨询、评审…): the basis of the
    conflict rule (§6.4), which applies to both."""

    scope_unit_field = None

    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="服务单位", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("服务年度")
    description = models.CharField("服务内容", max_length=200)

    objects = DistrictWideQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-year"]

    #: The field naming who rendered the service (an agency or an expert).
    provider_field: ClassVar[str]

    def __str__(self) -> str:
        provider = getattr(self, self.provider_field)
        return f"{provider.name} {self.year}年为{self.unit.name}{self.description}"


class AgencyService(ServiceRecord):
    provider_field = "agency"
    agency = models.ForeignKey(Agency, verbose_name="机构", on_delete=models.CASCADE, related_name="services")
    history = HistoricalRecords()

    class Meta(ServiceRecord.Meta):
        verbose_name = "机构服务记录"
        verbose_name_plural = "机构服务记录"


class ExpertService(ServiceRecord):
    provider_field = "expert"
    expert = models.ForeignKey("Expert", verbose_name="专家", on_delete=models.CASCADE, related_name="services")
    history = HistoricalRecords()

    class Meta(ServiceRecord.Meta):
        verbose_name = "专家服务记录"
        verbose_name_plural = "专家服务记录"


class Expert(models.Model):
    """专家库: an expert with organisation, field and contacts; ``user`` is the expert's account."""

    scope_unit_field = None

    name = models.CharField("姓名", max_length=50)
    organisation = models.CharField("工作单位", max_length=100, blank=True)
    title = models.CharField("职称", max_length=50, blank=True)
    specialty = models.CharField("专业领域", max_length=100, blank=True)
    phone = EncryptedCharField("联系电话", plain_max_length=30, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="专家账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert_profile",
                                limit_choices_to={"role": "expert"})
    is_active = models.BooleanField("在库", default=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = DistrictWideQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）" if self.organisation else self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:expert_edit", kwargs={"pk": self.pk})

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


# --- self-evaluation ----------------------------------------------------------------------------------


class SelfEvaluationQuerySet(ScopedQuerySet["SelfEvaluation"]):
    def assigned_to(self, user: Any) -> SelfEvaluationQuerySet:
        """An agency's staff see the self-evaluations sampled for their re-check."""
        return self.filter(rechecks__agency__members=user).distinct()  # type: ignore[return-value]


#: A self-evaluation still with its unit (never handed in, or sent back): lists say 未填报.
UNFILED_STATES: tuple[str, ...] = ("draft", "returned")
#: Submitted and accepted by finance: the only tables the annual summary scores and grades.
ACCEPTED_STATES: tuple[str, ...] = ("received", "published")
UNFILED_LABEL = "未填报"


class SelfEvaluation(WorkflowDocument):
    """项目支出绩效自评表 (§2.7) or 部门整体支出绩效自评表 (§2.8 a) of one budget year, with the
    self-evaluation report (§2.9). Prefilled from the approved target version."""

    workflow_name = "self_evaluation"
    reader_visible_states = ("published",)  # external readers see self-evaluations once published
    scope_unit_field = "unit"
    scope_sector_field = "sector"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("自评年度", db_index=True)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="实施单位", on_delete=models.PROTECT,
                             related_name="self_evaluations")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业", on_delete=models.PROTECT)
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="self_evaluations")
    target = models.ForeignKey("targets.TargetDeclaration", verbose_name="绩效目标（批复版本）", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="self_evaluations")
    rule_set = models.CharField("评分规则集", max_length=64, default=DEFAULT_RULE_SET)

    goal = models.TextField("年度总体目标", blank=True)
    goal_actual = models.TextField("年度目标实际完成情况", blank=True)
    initial_budget_fen = models.BigIntegerField("年初预算数（分）", null=True, blank=True)
    budget_fen = models.BigIntegerField("全年预算数（分）", null=True, blank=True)
    executed_fen = models.BigIntegerField("全年执行数（分）", null=True, blank=True)
    funds_weight = models.DecimalField("资金分值", max_digits=5, decimal_places=2, default=Decimal(10))
    funds_score = score_field("资金得分（自评）")
    execution_note = models.TextField("执行率偏低原因", blank=True)
    claimed_total = score_field("自评总分")
    claimed_grade = models.CharField("自评等级", max_length=2, choices=GRADE_CHOICES, blank=True)

    # Report (自评报告, outline domain.md §2.9)
    report_overview = models.TextField("一、基本情况", blank=True)
    report_work = models.TextField("二、绩效自评工作开展情况", blank=True)
    report_results = models.TextField("三、绩效目标实现情况分析", blank=True)
    report_problems = models.TextField("四、存在的问题及原因分析", blank=True)
    report_measures = models.TextField("五、改进措施及结果应用", blank=True)
    contact_person = models.CharField("填报人", max_length=50, blank=True)
    contact_phone = EncryptedCharField("联系电话", plain_max_length=30, blank=True)
    unit_head = models.CharField("单位负责人", max_length=50, blank=True)

    # Kept by services.refresh_scores from the checker (lists sort and filter on them).
    computed_total = score_field("系统计算总分")
    computed_grade = models.CharField("系统计算等级", max_length=2, blank=True)
    error_count = models.PositiveSmallIntegerField("错误数", default=0)
    warning_count = models.PositiveSmallIntegerField("警告数", default=0)
    effective_score = score_field("结果应用得分")

    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    received_at = models.DateTimeField("财政接收时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_snapshot = models.JSONField("公开快照", null=True, blank=True, editable=False)
    snapshot_hash = models.CharField("快照摘要", max_length=64, blank=True, editable=False)

    objects = SelfEvaluationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version", "public_snapshot"])

    class Meta:
        verbose_name = "绩效自评表"
        verbose_name_plural = "绩效自评表"
        ordering = ["-year", "unit__code", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=models.Q(kind="project"),
                                    name="selfeval_project_unique"),
            models.UniqueConstraint(fields=["unit", "year"], condition=models.Q(kind="department"),
                                    name="selfeval_department_unique"),
        ]
        indexes = [models.Index(fields=["year", "state"])]

    def __str__(self) -> str:
        return f"{self.subject}{self.year}年度{self.form_title}"

    @property
    def subject(self) -> str:
        return self.project.name if self.project else self.unit.name

    @property
    def form_title(self) -> str:
        return "项目支出绩效自评表" if self.kind == Kind.PROJECT else "部门整体支出绩效自评表"

    @property
    def is_classified(self) -> bool:
        return self.unit.is_classified or bool(self.project and self.project.is_classified)

    @property
    def filed(self) -> bool:
        """Handed in and not sent back: only then do its scores mean anything to anyone but the unit."""
        return self.state not in UNFILED_STATES

    def filed_score(self, value: Decimal | None) -> str:
        """A score as lists show it: 未填报 while the unit still holds the table, never "0.00"."""
        if not self.filed:
            return UNFILED_LABEL
        return "" if value is None else f"{value:.2f}"

    @property
    def filed_grade(self) -> str:
        return self.computed_grade if self.filed else UNFILED_LABEL

    @property
    def self_score(self) -> Decimal | None:
        """S_self of the re-check (§4.12): the total the unit claims, else the checker's."""
        return self.claimed_total if self.claimed_total is not None else self.computed_total

    def get_absolute_url(self) -> str:
        return reverse("evaluation:selfeval_detail", kwargs={"pk": self.pk})


class SelfEvalIndicator(models.Model):
    """One level-3 row: target text and weight from the approved target; actual, claimed score, note."""

    selfeval = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField("行号", default=0)
    level1 = models.CharField("一级指标", max_length=20)
    level2 = models.CharField("二级指标", max_length=20)
    name = models.CharField("三级指标", max_length=100)
    target = models.CharField("年度指标值", max_length=120)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=2, null=True, blank=True)
    actual = models.CharField("实际完成值", max_length=120, blank=True)
    score = score_field("得分（自评）")
    note = models.CharField("偏差原因分析及改进措施", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "自评指标"
        verbose_name_plural = "自评指标"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.level1}/{self.level2}/{self.name}"


EVIDENCE_EXTENSIONS = {".pdf": b"%PDF", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG",
                       ".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".zip": b"PK\x03\x04"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


class Evidence(models.Model):
    """佐证材料 attached to a self-evaluation; served only through a scoped view."""

    selfeval = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to="evidence/%Y/")
    name = models.CharField("文件名", max_length=200)
    description = models.CharField("说明", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


# --- re-check (§4.12) ---------------------------------------------------------------------------------


class AgencyAssignedQuerySet(ScopedQuerySet[Any]):
    agency_path = "agency"

    def assigned_to(self, user: Any) -> AgencyAssignedQuerySet:
        return self.filter(**{f"{self.agency_path}__members": user}).distinct()  # type: ignore[return-value]


class RoundQuerySet(DistrictWideQuerySet):
    def assigned_to(self, user: Any) -> RoundQuerySet:
        return self.filter(agency__members=user).distinct()  # type: ignore[return-value]


class RecheckRound(models.Model):
    """One sampling of a year's received self-evaluations: the rule used and the recorded seed."""

    scope_unit_field = None

    year = models.PositiveSmallIntegerField("自评年度")
    rule = models.JSONField("抽样规则（抽样时）")
    seed = models.BigIntegerField("随机种子")
    agency = models.ForeignKey(Agency, verbose_name="复核机构", on_delete=models.PROTECT, related_name="rounds")
    candidate_count = models.PositiveIntegerField("可抽样自评表数")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽样人", on_delete=models.PROTECT)
    drawn_at = models.DateTimeField("抽样时间", auto_now_add=True)

    objects = RoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核抽样"
        verbose_name_plural = "复核抽样"
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.year}年度自评质量复核抽样（种子 {self.seed}）"

    @property
    def rule_text(self) -> str:
        return sample_rule_text(self.rule)


class Recheck(models.Model):
    """自评质量复核表 (§2.10): the agency's verified values and re-scores, Δ and the quality grade."""

    scope_unit_field = "selfeval__unit"
    classified_fields = ("selfeval__unit__is_classified", "selfeval__project__is_classified")
    scope_sector_field = "selfeval__sector"

    round = models.ForeignKey(RecheckRound, verbose_name="抽样批次", on_delete=models.CASCADE, related_name="rechecks")
    selfeval = models.ForeignKey(SelfEvaluation, verbose_name="自评表", on_delete=models.PROTECT, related_name="rechecks")
    agency = models.ForeignKey(Agency, verbose_name="复核机构", on_delete=models.PROTECT, related_name="rechecks")
    reason = models.CharField("抽中原因", max_length=20)
    executed_fen = models.BigIntegerField("核实的全年执行数（分）", null=True, blank=True)
    documentation_complete = models.BooleanField("资料完整", default=True)
    evidence_false = models.BooleanField("发现佐证材料不实", default=False)
    findings = models.TextField("复核意见", blank=True)
    self_score = score_field("自评得分")
    recheck_score = score_field("复核得分")
    delta = score_field("差异（自评−复核）")
    self_grade = models.CharField("自评等级", max_length=2, blank=True)
    recheck_grade = models.CharField("复核等级", max_length=2, blank=True)
    quality = models.CharField("自评质量等级", max_length=2, blank=True)
    replaces_self_score = models.BooleanField("以复核得分替代自评得分", default=False)
    completed_at = models.DateTimeField("复核完成时间", null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = AgencyAssignedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version"])

    class Meta:
        verbose_name = "自评质量复核"
        verbose_name_plural = "自评质量复核"
        ordering = ["selfeval__unit__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "selfeval"], name="recheck_round_selfeval_unique")]

    def __str__(self) -> str:
        return f"{self.selfeval.subject}自评质量复核"

    @property
    def state_label(self) -> str:
        return "已复核" if self.completed_at else "待复核"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:recheck_detail", kwargs={"pk": self.pk})


class RecheckIndicator(models.Model):
    """The re-checker's verified actual value and score of one self-evaluation row."""

    recheck = models.ForeignKey(Recheck, on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey(SelfEvalIndicator, on_delete=models.CASCADE, related_name="rechecks")
    actual = models.CharField("核实的实际完成值", max_length=120, blank=True)
    score = score_field("复核评分")
    note = models.CharField("复核说明", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "复核指标"
        verbose_name_plural = "复核指标"
        ordering = ["indicator__position", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator.name}（复核）"


# --- key evaluation (§6) --------------------------------------------------------------------------------


class KeyKind(models.TextChoices):
    FINANCE = "finance", "财政重点评价"
    UNIT = "unit", "部门重点评价"


class Subject(models.TextChoices):
    PROJECT = "project", "项目支出"
    DEPARTMENT = "department", "部门整体支出"
    POLICY = "policy", "重大政策"


class KeyEvaluationQuerySet(ScopedQuerySet["KeyEvaluation"]):
    def assigned_to(self, user: Any) -> KeyEvaluationQuerySet:
        """Agency staff see their agency's engagements; experts the ones they are named on."""
        if user.role == "expert":
            return self.filter(experts__user=user).distinct()  # type: ignore[return-value]
        return self.filter(agency__members=user).distinct()  # type: ignore[return-value]


class KeyEvaluation(WorkflowDocument):
    """A key-evaluation topic and its engagement, plan, scores and reports (§2.11, §6.3)."""

    workflow_name = "key_evaluation"
    #: External readers: the topic once put to the 人大, then the engagement and its reports.
    reader_visible_states = ("shortlisted", "approved", "engaged", "plan_submitted", "fieldwork", "draft_report",
                             "feedback_given", "final_report", "reported", "published")
    scope_unit_field = "unit"
    scope_sector_field = "sector"

    kind = models.CharField("评价类型", max_length=10, choices=KeyKind.choices, default=KeyKind.FINANCE)
    subject = models.CharField("评价对象", max_length=12, choices=Subject.choices, default=Subject.PROJECT)
    #: The plan year (工作方案年度) whose 人大 approval, quota and calendar the evaluation belongs to:
    #: the evaluated budget year + 1 (core.years STAGE_OFFSETS["key_evaluation"]).
    year = models.PositiveSmallIntegerField("工作方案年度", db_index=True)
    evaluated_year = models.PositiveSmallIntegerField("被评价预算年度")
    title = models.CharField("评价项目名称", max_length=200)
    unit = models.ForeignKey("organisation.BudgetUnit", verbose_name="被评价单位", on_delete=models.PROTECT,
                             related_name="key_evaluations")
    sector = models.ForeignKey("organisation.Sector", verbose_name="行业领域", on_delete=models.PROTECT)
    project = models.ForeignKey("organisation.Project", verbose_name="项目", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="key_evaluations")
    policy_category = models.ForeignKey("organisation.PolicyCategory", verbose_name="重大政策类别", null=True,
                                        blank=True, on_delete=models.PROTECT)
    amount_fen = models.BigIntegerField("涉及资金（分）", default=0)
    reason = models.TextField("选题理由", blank=True)
    npc_approval_ref = models.CharField("区人大审定文号", max_length=100, blank=True)
    npc_approved_on = models.DateField("区人大审定日期", null=True, blank=True)
    agency = models.ForeignKey(Agency, verbose_name="第三方机构", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="key_evaluations")
    experts = models.ManyToManyField(Expert, verbose_name="评审专家", blank=True, related_name="key_evaluations")
    rule_set = models.CharField("评分规则集", max_length=64, default=DEFAULT_RULE_SET)
    scope_text = models.TextField("评价范围", blank=True)
    method = models.TextField("评价方法", blank=True)
    schedule = models.TextField("工作安排", blank=True)
    draft_report = models.TextField("报告初稿", blank=True)
    unit_feedback = models.TextField("被评价单位反馈意见", blank=True)
    final_conclusion = models.TextField("综合评价结论", blank=True)
    final_problems = models.TextField("存在的问题", blank=True)
    final_recommendations = models.TextField("有关建议", blank=True)
    total = score_field("评价得分")
    grade = models.CharField("评价等级", max_length=2, blank=True)
    reported_at = models.DateTimeField("报送时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_snapshot = models.JSONField("公开快照", null=True, blank=True, editable=False)
    snapshot_hash = models.CharField("快照摘要", max_length=64, blank=True, editable=False)

    objects = KeyEvaluationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["lock_version", "public_snapshot"], m2m_fields=[experts])

    class Meta:
        verbose_name = "重点评价"
        verbose_name_plural = "重点评价"
        ordering = ["-year", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.evaluated_year}年度{self.get_kind_display()}：{self.title}"  # the year it evaluates

    @property
    def is_classified(self) -> bool:
        return self.unit.is_classified or bool(self.project and self.project.is_classified)

    def get_absolute_url(self) -> str:
        return reverse("evaluation:keyeval_detail", kwargs={"pk": self.pk})


class FrameworkIndicator(models.Model):
    """One level-3 indicator of the evaluation plan's framework (决策/过程/产出/效益, §3.4)."""

    key_evaluation = models.ForeignKey(KeyEvaluation, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField("行号", default=0)
    level1 = models.CharField("一级指标", max_length=10, choices=[(x, x) for x in KEY_LEVEL1])
    level2 = models.CharField("二级指标", max_length=30)
    name = models.CharField("三级指标", max_length=100)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    standard = models.CharField("评分标准", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "评价指标"
        verbose_name_plural = "评价指标"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.level1}/{self.level2}/{self.name}"


class IndicatorScore(models.Model):
    """One rater's (the agency's or an expert's) score of one framework indicator."""

    indicator = models.ForeignKey(FrameworkIndicator, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评分人", on_delete=models.PROTECT)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    note = models.CharField("扣分理由", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标评分"
        verbose_name_plural = "指标评分"
        constraints = [models.UniqueConstraint(fields=["indicator", "scorer"], name="indicator_score_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.name}：{self.score}"


# --- tables as files arrive (issue 18) -------------------------------------------------------------------


class TableUploadQuerySet(DistrictWideQuerySet):
    """An agency's staff see their agency's uploads; 人大 readers their own; the finance bureau all."""

    def assigned_to(self, user: Any) -> TableUploadQuerySet:
        return self.filter(agency__members=user).distinct()  # type: ignore[return-value]

    def scope(self, user: Any, scope: Any) -> TableUploadQuerySet:
        if user.role == "npc_reader":
            return self.filter(uploaded_by=user)  # type: ignore[return-value]
        return super().scope(user, scope)  # type: ignore[return-value]


class TableUpload(models.Model):
    """A self-evaluation table received as a file (Word, Excel, PDF), read into the exchange format
    and checked: the project table (§2.7) or the department-overall score sheet (§2.8 b)."""

    scope_unit_field = None

    agency = models.ForeignKey(Agency, verbose_name="复核机构", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="table_uploads")
    recheck = models.ForeignKey(Recheck, verbose_name="复核事项", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="table_uploads")
    file_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("文件大小（字节）")
    kind = models.CharField("表格类型", max_length=40)
    title = models.CharField("项目或表格名称", max_length=200)
    unit_name = models.CharField("单位", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    document = models.JSONField("读取的表格")
    result = models.JSONField("检查结果")
    convention = models.CharField("适用口径", max_length=300, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="table_uploads")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = TableUploadQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "收到的自评表文件"
        verbose_name_plural = "收到的自评表文件"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.title}）"

    @property
    def kind_label(self) -> str:
        return "部门整体支出绩效评价评分表" if self.kind == "department_overall_score_sheet" else "项目支出绩效自评表"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:table_detail", kwargs={"pk": self.pk})
