from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from jixiao.assessment.models import AssessmentScheme, SchemeItem, ScopeChange
from jixiao.rules import assessment as rules


class SchemeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AssessmentScheme
        fields = ["title", "is_illustrative", "basis", "excellent", "good", "passing", "bonus_max", "praise_top",
                  "interview_bottom", "scope_date", "dispute_days", "holidays", "workdays"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 3}), "holidays": forms.Textarea(attrs={"rows": 3}),
                   "workdays": forms.Textarea(attrs={"rows": 2}),
                   "scope_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        e, g, p = data.get("excellent"), data.get("good"), data.get("passing")
        if e is not None and g is not None and p is not None and not (e > g > p >= 0):
            raise forms.ValidationError("等次分数线须满足：优 > 良 > 中 ≥ 0。")
        for name in ("holidays", "workdays"):
            for n, line in enumerate((data.get(name) or "").splitlines(), start=1):
                if line.strip():
                    try:
                        __import__("datetime").date.fromisoformat(line.strip())
                    except ValueError:
                        self.add_error(name, f"第{n}行「{line.strip()}」不是日期，请写成 2021-10-01 的格式。")
        return data


class SchemeItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SchemeItem
        fields = ["code", "name", "points", "kind", "measure", "per_unit", "limit"]
        widgets = {"name": forms.TextInput(attrs={"size": 50}), "code": forms.TextInput(attrs={"size": 4})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, measure = data.get("kind"), data.get("measure")
        if kind == rules.COMPUTED and not measure:
            self.add_error("measure", "按事实计算的项目须选择计算方法。")
        if kind in (rules.JUDGED, rules.BONUS) and measure:
            self.add_error("measure", "评审打分项目和加分项不选计算方法。")
        if measure in rules.DEDUCTION_MEASURES and kind != rules.DEDUCTION:
            self.add_error("kind", "该计算方法用于扣分项。")
        if kind == rules.COMPUTED and measure in rules.DEDUCTION_MEASURES:
            self.add_error("measure", "该计算方法用于扣分项。")
        return data


class BaseItemFormSet(forms.BaseModelFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        codes = []
        total = Decimal(0)
        for n, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data.get("code")
            if code in codes:
                raise forms.ValidationError(f"第{n}行：编号「{code}」重复。")
            codes.append(code)
            if form.cleaned_data.get("kind") in (rules.COMPUTED, rules.JUDGED):
                total += form.cleaned_data.get("points") or 0
        if codes and total != 100:
            raise forms.ValidationError(f"计算项目与评审打分项目的分值合计须为100分，现为{rules.fmt(total)}分。")


ItemFormSet = forms.modelformset_factory(SchemeItem, form=SchemeItemForm, formset=BaseItemFormSet, extra=1,
                                         can_delete=True)


class ScopeChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ScopeChange
        fields = ["unit", "kind", "on", "into", "note"]
        widgets = {"on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jixiao.organisation.models import BudgetUnit

        first_level = BudgetUnit.objects.filter(parent__isnull=True).order_by("code")
        self.fields["unit"].queryset = first_level  # type: ignore[attr-defined]
        self.fields["into"].queryset = first_level  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ScopeChange.Kind.MERGED and not data.get("into"):
            self.add_error("into", "并入其他单位时须选择并入单位。")
        if data.get("into") and data.get("into") == data.get("unit"):
            self.add_error("into", "不能并入本单位。")
        return data


class ReviewForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    score = forms.DecimalField(label="审核得分", max_digits=6, decimal_places=2)
    reason = forms.CharField(label="调整理由", required=False, max_length=300)
