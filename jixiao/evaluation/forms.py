from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.forms import inlineformset_factory

from jixiao.core.views import FilterForm
from jixiao.evaluation.models import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    Agency,
    AgencyService,
    EvaluationYear,
    Expert,
    ExpertService,
    FrameworkIndicator,
    KeyEvaluation,
    KeyKind,
    Recheck,
    SelfEvalIndicator,
    SelfEvaluation,
    Subject,
)
from jixiao.organisation.forms import AmountField
from jixiao.organisation.models import BudgetUnit, Sector
from jixiao.rules.evaluation_sample import read_sample_rule
from jixiao.targets.models import GRADE_CHOICES, Kind

TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 80})
SCORE_INPUT = forms.NumberInput(attrs={"style": "width:5.5em", "step": "0.01"})


class SelfEvalForm(forms.ModelForm):
    executed_fen = AmountField(label="全年执行数（万元）", required=False)

    class Meta:
        model = SelfEvaluation
        fields = ["executed_fen", "funds_score", "execution_note", "goal_actual", "claimed_total", "claimed_grade",
                  "report_overview", "report_work", "report_results", "report_problems", "report_measures",
                  "contact_person", "contact_phone", "unit_head"]
        widgets: dict[str, forms.Widget] = {
            f: TEXTAREA for f in ("execution_note", "goal_actual", "report_overview", "report_work",
                                  "report_results", "report_problems", "report_measures")}
        widgets |= {"funds_score": SCORE_INPUT, "claimed_total": SCORE_INPUT}


class SelfEvalRowForm(forms.ModelForm):
    """Units fill in actual values, claimed scores and notes; the target and weight stay as approved."""

    class Meta:
        model = SelfEvalIndicator
        fields = ["actual", "score", "note"]
        widgets = {"actual": forms.TextInput(attrs={"size": 14}), "score": SCORE_INPUT,
                   "note": forms.TextInput(attrs={"size": 22})}


SelfEvalRowFormSet = inlineformset_factory(SelfEvaluation, SelfEvalIndicator, form=SelfEvalRowForm, extra=0,
                                           can_delete=False)


def _selfeval_states() -> list[tuple[str, str]]:
    from jixiao.evaluation.workflows import SELFEVAL_WORKFLOW

    return SELFEVAL_WORKFLOW.choices()


def _key_states() -> list[tuple[str, str]]:
    from jixiao.evaluation.workflows import KEY_WORKFLOW

    return KEY_WORKFLOW.choices()


class SelfEvalFilterForm(FilterForm):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *Kind.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=lambda: [("", "全部"), *_selfeval_states()])
    grade = forms.ChoiceField(label="系统等级", required=False, choices=[("", "全部"), *GRADE_CHOICES])
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.all(), required=False, empty_label="全部")
    findings = forms.ChoiceField(label="检查结果", required=False,
                                 choices=[("", "全部"), ("errors", "有错误"), ("clean", "无错误")])


class YearForm(forms.Form):
    year = forms.IntegerField(label="自评年度（上一预算年度）", min_value=2000, max_value=2100)


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料", help_text="PDF、图片、Word、Excel或ZIP，单个文件不超过20MB")
    description = forms.CharField(label="说明", required=False, max_length=200)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in EVIDENCE_EXTENSIONS:
            raise forms.ValidationError(f"不接受「{suffix or '无扩展名'}」文件，可上传：{'、'.join(sorted(EVIDENCE_EXTENSIONS))}。")
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("文件超过20MB，请压缩或拆分后上传。")
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(EVIDENCE_EXTENSIONS[suffix]):
            raise forms.ValidationError(f"文件内容与扩展名「{suffix}」不符，请上传真实的{suffix}文件。")
        return upload


class UploadForm(forms.Form):
    file = forms.FileField(label="自评表文件",
                           help_text="系统提供的Excel模板（.xlsx）或自评表交换格式的 JSON 文件；任何一行有错误时整个文件都不导入。")


class DrawForm(forms.Form):
    year = forms.IntegerField(label="自评年度", min_value=2000, max_value=2100)
    agency = forms.ModelChoiceField(label="复核机构", queryset=Agency.objects.filter(is_active=True))
    seed = forms.IntegerField(label="随机种子（留空自动生成）", required=False, min_value=0, max_value=2**62)


class RecheckForm(forms.Form):
    executed_fen = AmountField(label="核实的全年执行数（万元）", required=False)
    documentation_complete = forms.BooleanField(label="资料完整", required=False)
    evidence_false = forms.BooleanField(label="发现佐证材料不实", required=False)
    findings = forms.CharField(label="复核意见", required=False, widget=TEXTAREA)


class EvaluationYearForm(forms.ModelForm):
    """The year's parameters; the re-check sample rule is a form of its own fields (stored as data)."""

    always_from_wan = forms.DecimalField(label="抽样规则：预算达到（万元）以上必抽", required=False, min_value=0,
                                         max_digits=12, decimal_places=2)
    always_grades = forms.MultipleChoiceField(label="抽样规则：自评等级为以下等级的必抽", required=False,
                                              choices=GRADE_CHOICES, widget=forms.CheckboxSelectMultiple)
    always_sectors = forms.ModelMultipleChoiceField(label="抽样规则：以下行业必抽", required=False,
                                                    queryset=Sector.objects.all(), to_field_name="name")
    random_share = forms.DecimalField(label="抽样规则：其余随机抽取比例（%）", min_value=0, max_value=100,
                                      max_digits=5, decimal_places=2, initial=10)
    random_minimum = forms.IntegerField(label="抽样规则：最少随机抽取数（项）", min_value=0, max_value=100000,
                                        initial=0)

    class Meta:
        model = EvaluationYear
        fields = ["rule_set", "conflict_years"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            rule = self.instance.sample_rule or {}
            share = rule.get("random_share")
            self.initial.update({
                "always_from_wan": rule.get("always_from_wan"), "always_grades": rule.get("always_grades", []),
                "always_sectors": Sector.objects.filter(name__in=rule.get("always_sectors", [])),
                "random_share": None if share is None else Decimal(str(share)) * 100,
                "random_minimum": rule.get("random_minimum", 0),
            })

    def sample_rule(self) -> dict[str, Any]:
        d = self.cleaned_data
        rule: dict[str, Any] = {"random_share": float(d["random_share"] / 100), "random_minimum": d["random_minimum"]}
        if d.get("always_from_wan") is not None:
            rule["always_from_wan"] = float(d["always_from_wan"])
        if d.get("always_grades"):
            rule["always_grades"] = list(d["always_grades"])
        if d.get("always_sectors"):
            rule["always_sectors"] = [s.name for s in d["always_sectors"]]
        return rule

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            _rule, problems = read_sample_rule(self.sample_rule())
            if problems:
                raise forms.ValidationError("；".join(problems))
        return data

    def save(self, commit: bool = True) -> EvaluationYear:
        instance: EvaluationYear = super().save(commit=False)
        instance.sample_rule = self.sample_rule()
        if commit:
            instance.save()
        return instance


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "credit_code", "qualifications", "contact_person", "phone", "address", "members", "is_active"]
        widgets = {"qualifications": TEXTAREA}


class AgencyServiceForm(forms.ModelForm):
    class Meta:
        model = AgencyService
        fields = ["unit", "year", "description"]


class ExpertServiceForm(forms.ModelForm):
    class Meta:
        model = ExpertService
        fields = ["unit", "year", "description"]


class ExpertForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["name", "organisation", "title", "specialty", "phone", "user", "is_active"]


def project_choice_label(project: Any) -> str:
    """A project told apart from its namesakes: year, code, name and unit."""
    return f"{project.year}年 {project.code} {project.name}（{project.unit.name}）"


class CandidateForm(forms.ModelForm):
    amount_fen = AmountField(label="涉及资金（万元）", required=False)

    class Meta:
        model = KeyEvaluation
        fields = ["title", "subject", "unit", "sector", "project", "policy_category", "evaluated_year", "amount_fen",
                  "reason"]
        widgets = {"reason": TEXTAREA}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jixiao.organisation.models import BudgetUnit, Project

        if user is not None:
            unit_field, project_field = self.fields["unit"], self.fields["project"]
            assert isinstance(unit_field, forms.ModelChoiceField)
            assert isinstance(project_field, forms.ModelChoiceField)
            unit_field.queryset = BudgetUnit.objects.for_user(user)
            year = self.data.get("evaluated_year") or self.initial.get("evaluated_year")
            projects = Project.objects.for_user(user).select_related("unit").order_by("unit__code", "code")
            if str(year or "").isdigit():  # the evaluated year's projects only, not every year's namesakes
                projects = projects.filter(year=int(year))  # type: ignore[arg-type]
            project_field.queryset = projects
            project_field.label_from_instance = project_choice_label  # type: ignore[method-assign,assignment]
            project_field.widget.attrs.update({"data-filterable": "输入年度、单位、项目编码或名称筛选"})

    def clean_amount_fen(self) -> int:
        return self.cleaned_data.get("amount_fen") or 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject, project = data.get("subject"), data.get("project")
        if subject == Subject.PROJECT and project is None:
            self.add_error("project", "项目支出重点评价须选择项目。")
        if project is not None and data.get("unit") and project.unit_id != data["unit"].pk:
            self.add_error("project", f"项目「{project.name}」不属于所选单位。")
        if subject == Subject.DEPARTMENT and data.get("unit") and data["unit"].parent_id is not None:
            self.add_error("unit", "部门整体支出重点评价的对象应为一级预算单位。")
        if subject == Subject.POLICY and data.get("policy_category") is None:
            self.add_error("policy_category", "重大政策评价须选择政策类别。")
        return data


class EngageForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)
    agency = forms.ModelChoiceField(label="第三方机构", queryset=Agency.objects.filter(is_active=True), required=False)
    experts = forms.ModelMultipleChoiceField(label="评审专家", queryset=Expert.objects.filter(is_active=True),
                                             required=False, widget=forms.CheckboxSelectMultiple)


class PlanForm(forms.ModelForm):
    class Meta:
        model = KeyEvaluation
        fields = ["scope_text", "method", "schedule"]
        widgets = {f: TEXTAREA for f in ("scope_text", "method", "schedule")}


class FrameworkRowForm(forms.ModelForm):
    class Meta:
        model = FrameworkIndicator
        fields = ["level1", "level2", "name", "weight", "standard"]
        widgets = {"level2": forms.TextInput(attrs={"size": 10}), "name": forms.TextInput(attrs={"size": 16}),
                   "weight": forms.NumberInput(attrs={"style": "width:5em"}), "standard": forms.TextInput(attrs={"size": 36})}


FrameworkFormSet = inlineformset_factory(KeyEvaluation, FrameworkIndicator, form=FrameworkRowForm, extra=1,
                                         can_delete=True)


class DraftReportForm(forms.ModelForm):
    class Meta:
        model = KeyEvaluation
        fields = ["draft_report"]
        widgets = {"draft_report": forms.Textarea(attrs={"rows": 8, "cols": 80})}


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = KeyEvaluation
        fields = ["unit_feedback"]
        widgets = {"unit_feedback": forms.Textarea(attrs={"rows": 5, "cols": 80})}


class FinalReportForm(forms.ModelForm):
    class Meta:
        model = KeyEvaluation
        fields = ["final_conclusion", "final_problems", "final_recommendations"]
        widgets = {f: TEXTAREA for f in ("final_conclusion", "final_problems", "final_recommendations")}


class RectificationForm(forms.Form):
    """A finding of the report for the rectification register (jixiao.rectification)."""

    problem = forms.CharField(label="存在问题", max_length=300)
    requirement = forms.CharField(label="整改要求", max_length=300)
    owner_unit = forms.ModelChoiceField(label="责任单位", queryset=BudgetUnit.objects.filter(is_active=True))
    deadline = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="不填则按工作日历的整改期限")


class KeyEvalFilterForm(FilterForm):
    year = forms.IntegerField(label="被评价年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="评价类型", required=False, choices=[("", "全部"), *KeyKind.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=lambda: [("", "全部"), *_key_states()])




class TableFileForm(forms.Form):
    """A self-evaluation table received as a file (issue 18)."""

    file = forms.FileField(
        label="自评表文件",
        help_text="Word（.docx）、Excel（.xlsx、.xls）或带文字层的 PDF：项目支出绩效自评表或部门整体支出绩效评价评分表。"
                  "系统读取表格并按其适用口径检查；有无法读取的单元格时不保存，并列出行列。")
    recheck = forms.ModelChoiceField(label="所属复核事项", queryset=Recheck.objects.none(), required=False,
                                     help_text="可不选；选择后本文件归入该复核事项。")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["recheck"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Recheck.objects.for_user(user, "view").select_related("selfeval")  # type: ignore[attr-defined]
        field.label_from_instance = _recheck_label  # type: ignore[method-assign, assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.user.role == "agency" and data.get("recheck") is None and not self.user.agencies.exists():
            raise forms.ValidationError("您的账号未关联第三方机构，请联系绩效管理股。")
        return data


def _recheck_label(recheck: Any) -> str:
    return f"{recheck.selfeval.subject}（{recheck.selfeval.year}年度）"


# 部门整体支出绩效评价评分表 (domain.md §2.8 b, §3.5): the common-indicator rows a new sheet starts with.
SCORE_SHEET_ROWS: tuple[tuple[str, str, str, int, str], ...] = (
    ("投入", "预算配置", "在职人员控制率", 8, "在职人数/编制数≤100%得满分，每超1个百分点扣0.5分，扣完为止"),
    ("投入", "预算配置", "\u201c三公\u201d经费变动率", 8, "本年较上年≤0得满分，每增1个百分点扣0.8分，扣完为止"),
    ("过程", "预算执行", "预算完成率", 8, "100%得满分，每低5个百分点扣2分"),
    ("过程", "预算执行", "预算调整率", 8, "0得8分；10%以内6分；20%以内4分；30%以内2分；超过30%不得分"),
    ("过程", "预算管理", "管理制度健全性", 8, "制度健全、执行有效得满分"),
    ("过程", "预算管理", "资金使用合规性", 8, "每发现一处违规扣1分"),
    ("过程", "资产管理", "资产管理安全性", 6, "资产保存完整、使用合规得满分"),
    ("产出", "职责履行", "实际完成率", 10, "实际完成工作数/计划工作数×分值"),
    ("产出", "职责履行", "完成及时率", 8, "及时完成工作数/实际完成工作数×分值"),
    ("产出", "职责履行", "重点工作办结率", 8, "重点工作实际完成数/交办数×分值"),
    ("效果", "履职效益", "社会效益", 10, "履职对经济社会发展的作用明显得满分"),
    ("效果", "履职效益", "社会公众或服务对象满意度", 10, "满意度≥90%得满分，否则按比例得分"),
)


class ScoreSheetForm(forms.Form):
    unit = forms.CharField(label="部门(单位)名称", max_length=200)
    year = forms.IntegerField(label="评价年度", min_value=2000, max_value=2100)
    total = forms.DecimalField(label="自评总分", required=False, max_digits=6, decimal_places=2)
    grade = forms.ChoiceField(label="自评等级", required=False, choices=[("", "—"), *((g, g) for g in "优良中差")])


class ScoreSheetItemForm(forms.Form):
    level1 = forms.CharField(label="一级指标", max_length=20)
    level2 = forms.CharField(label="二级指标", max_length=40)
    name = forms.CharField(label="三级指标", max_length=60)
    weight = forms.DecimalField(label="分值", required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2)
    standard = forms.CharField(label="评分标准", max_length=300, required=False)
    value = forms.CharField(label="指标值", max_length=60, required=False)
    score = forms.DecimalField(label="得分", required=False, max_digits=5, decimal_places=2)
    note = forms.CharField(label="扣分原因", max_length=300, required=False)


ScoreSheetItemFormSet = forms.formset_factory(ScoreSheetItemForm, extra=0, min_num=1, validate_min=True)


def score_sheet_initial() -> list[dict[str, object]]:
    return [{"level1": a, "level2": b, "name": c, "weight": w, "standard": s} for a, b, c, w, s in SCORE_SHEET_ROWS]
