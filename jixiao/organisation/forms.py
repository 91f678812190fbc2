from __future__ import annotations

from typing import Any

from django import forms

from jixiao.core.views import FilterForm
from jixiao.organisation.models import BudgetUnit, DepartmentExpenditure, Project, Sector
from jixiao.rules.money import AmountError, fen_to_wan, parse_amount


class AmountField(forms.CharField):
    """An amount typed in 万元 (commas, full-width digits accepted); cleaned to integer 分."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "单位：万元，最多保留6位小数（精确到分）")
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return f"{fen_to_wan(value):.2f}" if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, "万元")
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc


class BudgetUnitForm(forms.ModelForm):
    class Meta:
        model = BudgetUnit
        fields = ["code", "name", "parent", "sector", "is_classified", "sort_key", "is_active"]

    def clean_parent(self) -> BudgetUnit | None:
        parent = self.cleaned_data.get("parent")
        node = parent
        while node is not None:
            if self.instance.pk and node.pk == self.instance.pk:
                raise forms.ValidationError("上级单位不能是本单位或本单位的下属单位。")
            node = node.parent
        return parent


class ProjectForm(forms.ModelForm):
    initial_budget_fen = AmountField(label="年初预算数（万元）")
    adjusted_budget_fen = AmountField(label="调整后预算数（万元）")

    class Meta:
        model = Project
        fields = [
            "name", "unit", "sector", "fund_sources", "policy_categories", "initial_budget_fen",
            "adjusted_budget_fen", "is_continuing", "is_classified",
        ]
        widgets = {"fund_sources": forms.CheckboxSelectMultiple, "policy_categories": forms.CheckboxSelectMultiple}


class DepartmentExpenditureForm(forms.ModelForm):
    personnel_fen = AmountField(label="人员经费（万元）")
    public_fen = AmountField(label="公用经费（万元）")
    project_fen = AmountField(label="项目支出（万元）")

    class Meta:
        model = DepartmentExpenditure
        fields = ["personnel_fen", "public_fen", "project_fen"]


class UnitFilterForm(FilterForm):
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.all(), required=False, empty_label="全部")
    level = forms.ChoiceField(label="级次", required=False, choices=[("", "全部"), ("1", "一级预算单位"), ("2", "下属单位")])


class ProjectFilterForm(FilterForm):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.all(), required=False, empty_label="全部")
    kind = forms.ChoiceField(label="项目属性", required=False, choices=[("", "全部"), ("new", "新增"), ("cont", "延续")])
    size = forms.ChoiceField(label="金额", required=False, choices=[("", "全部"), ("big", "30万元及以上"), ("small", "30万元以下")])


class YearFilterForm(FilterForm):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=[("units", "预算单位"), ("projects", "预算项目")])
    file = forms.FileField(label="Excel文件", help_text="预算系统导出的 .xlsx 或 .xls 文件；任何一行有错误时整个文件都不导入。")
