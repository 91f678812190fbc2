from __future__ import annotations

from typing import Any

from django import forms

from jixiao.auditlink.models import AuditPlanItem, AuditWorkPlan
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rules.money import AmountError, parse_amount


class PlanForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AuditWorkPlan
        fields = ["title", "topics", "finance_owner", "audit_owner", "agreed_on", "notes"]
        widgets = {"topics": forms.Textarea(attrs={"rows": 4}), "notes": forms.Textarea(attrs={"rows": 2}),
                   "agreed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PlanItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AuditPlanItem
        fields = ["title", "unit", "project", "owner", "starts_on", "ends_on", "suggest_key_evaluation", "reason"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jixiao.organisation.models import BudgetUnit, Project

        self.fields["unit"].queryset = BudgetUnit.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["project"].queryset = Project.objects.filter(year__in=(year - 1, year)).select_related("unit")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "计划完成日期不能早于计划开始日期。")
        if data.get("suggest_key_evaluation") and not (data.get("project") or data.get("unit")):
            self.add_error("project", "建议列为重点评价选题时须选择项目或单位。")
        return data


class FindingForm(forms.Form):
    """An audit finding to put on the rectification register (source 审计)."""

    unit = forms.ModelChoiceField(label="责任单位", queryset=BudgetUnit.objects.order_by("code"))
    project = forms.ModelChoiceField(label="项目", queryset=Project.objects.none(), required=False)
    problem = forms.CharField(label="审计发现的问题", widget=forms.Textarea(attrs={"rows": 3}))
    requirement = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 2}))
    found_on = forms.DateField(label="发现日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = forms.CharField(label="涉及金额（元）", required=False)

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(year__in=(year - 1, year)).select_related("unit")  # type: ignore[attr-defined]

    def clean_amount(self) -> int | None:
        text = (self.cleaned_data.get("amount") or "").strip()
        if not text:
            return None
        try:
            return parse_amount(text, "元")
        except (AmountError, ValueError) as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        from jixiao.rectification.services import audit_problems

        data = super().clean() or {}
        if not self.errors:
            for field, message in audit_problems(unit=data.get("unit"), project=data.get("project"),
                                                 problem=data.get("problem", ""), requirement=data.get("requirement", ""),
                                                 found_on=data.get("found_on"), deadline=data.get("deadline")):
                self.add_error(field, f"{message}。")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="审计发现问题表（Excel或CSV）",
                           help_text="列：责任单位编码、审计发现的问题、整改要求、发现日期、整改期限，可选：项目编码、涉及金额（元）；任何一行有错误时整个文件都不导入。")


class PackageForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    unit = forms.CharField(label="单位编码（空为全部）", required=False, max_length=20)
    on = forms.DateField(label="数据截至日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_unit(self) -> Any:
        from jixiao.organisation.models import BudgetUnit

        code = (self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = BudgetUnit.objects.filter(code=code, parent__isnull=True).first()
        if unit is None:
            raise forms.ValidationError(f"没有编码为「{code}」的一级预算单位。")
        return unit

    def clean_on(self) -> Any:
        from django.utils import timezone

        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("数据截至日期不能晚于今天。")
        return on
