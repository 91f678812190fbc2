from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from jixiao.core import grids
from jixiao.core.views import FilterForm
from jixiao.organisation.forms import AmountField
from jixiao.organisation.models import Sector
from jixiao.targets.models import (
    GRADE_CHOICES,
    LEVEL2_CHOICES,
    IndicatorLibraryItem,
    Kind,
    MainTask,
    TargetDeclaration,
    TargetIndicator,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 80})


class ProjectDeclarationForm(forms.ModelForm):
    fiscal_fen = AmountField(label="资金来源：财政拨款（万元）", required=False)
    other_fen = AmountField(label="资金来源：其他资金（万元）", required=False)

    class Meta:
        model = TargetDeclaration
        fields = ["long_term_goal", "annual_goal", "fiscal_fen", "other_fen", "start_month", "basis",
                  "implementation_plan", "safeguards", "contact_person", "contact_phone", "unit_head"]
        widgets = {f: TEXTAREA for f in ("long_term_goal", "annual_goal", "basis", "implementation_plan", "safeguards")}


class DepartmentDeclarationForm(forms.ModelForm):
    class Meta:
        model = TargetDeclaration
        fields = ["functions", "staff_quota", "staff_actual", "annual_goal", "contact_person", "contact_phone",
                  "unit_head"]
        widgets = {"functions": TEXTAREA, "annual_goal": TEXTAREA}


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = TargetIndicator
        fields = ["level1", "level2", "name", "comparison", "value", "unit", "weight", "explanation", "data_source"]
        widgets = {
            "name": forms.TextInput(attrs={"size": 18}), "value": forms.TextInput(attrs={"size": 10}),
            "unit": forms.TextInput(attrs={"size": 5}), "weight": forms.NumberInput(attrs={"style": "width:5em"}),
            "explanation": forms.TextInput(attrs={"size": 14}), "data_source": forms.TextInput(attrs={"size": 10}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        from jixiao.rules.targets import FRAMEWORK

        if data.get("level1") and data.get("level2") and data["level2"] not in FRAMEWORK[data["level1"]]:
            self.add_error("level2", f"二级指标「{data['level2']}」不属于「{data['level1']}」。")
        return data


IndicatorFormSet = inlineformset_factory(
    TargetDeclaration, TargetIndicator, form=IndicatorForm, extra=2, can_delete=True,
)


class MainTaskForm(forms.ModelForm):
    fiscal_fen = AmountField(label="财政拨款（万元）")
    other_fen = AmountField(label="其他资金（万元）", required=False)

    class Meta:
        model = MainTask
        fields = ["name", "content", "fiscal_fen", "other_fen"]
        widgets = {"content": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def clean_other_fen(self) -> int:
        return self.cleaned_data.get("other_fen") or 0


MainTaskFormSet = inlineformset_factory(TargetDeclaration, MainTask, form=MainTaskForm, extra=1, can_delete=True)


def _target_states() -> list[tuple[str, str]]:
    from jixiao.targets.workflows import TARGET_WORKFLOW

    return TARGET_WORKFLOW.choices()


class DeclarationFilterForm(FilterForm):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *Kind.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=lambda: [("", "全部"), *_target_states()])
    grade = forms.ChoiceField(label="审核等级", required=False, choices=[("", "全部"), *GRADE_CHOICES])
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.all(), required=False, empty_label="全部")
    current = forms.ChoiceField(label="版本", required=False, choices=[("", "现行版本"), ("all", "全部版本")])
    overdue = forms.BooleanField(label="申报期已过仍未提交", required=False)



class BulkReviewForm(forms.Form):
    ids = forms.CharField()
    action = forms.ChoiceField(choices=[("approve", "审核通过并批复"), ("return", "退回修改")])
    grade = forms.ChoiceField(choices=[("优", "优"), ("良", "良"), ("中", "中")])
    comment = forms.CharField(required=False)


class AdjustForm(forms.Form):
    reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class LibraryItemForm(forms.ModelForm):
    class Meta:
        model = IndicatorLibraryItem
        fields = ["sector", "level1", "level2", "name", "comparison", "unit", "reference_value", "explanation", "is_active"]


class LibraryFilterForm(FilterForm):
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.all(), required=False, empty_label="全部")
    level2 = forms.ChoiceField(label="二级指标", required=False,
                               choices=[("", "全部"), *LEVEL2_CHOICES])


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel文件", help_text="从本系统下载的绩效目标工作簿；任何一行有错误时整个文件都不导入。")


def indicator_rows(formset: Any) -> SafeString:
    """The indicator grid's rows (``<tr>`` per form, the parse preview's htmx span included), written in
    one pass: a template loop over ~100 cells cost more CPU than the widgets (see ``core.grids``)."""
    preview_url = grids.text(reverse("targets:parse_preview"))
    rows = []
    for counter, form in enumerate(formset, 1):
        p = grids.text(form.prefix)
        rows.append(
            f'<tr class="{"row-error" if form.errors else ""}">{grids.hidden_fields(form)}\n'
            f'<td>{counter}</td><td>{grids.widget(form, "level1")}</td>'
            f'<td>{grids.widget(form, "level2")}{grids.errors(form, "level2")}</td>'
            f'<td>{grids.widget(form, "name")}{grids.errors(form, "name")}</td>\n'
            f'<td>{grids.widget(form, "comparison")}</td>'
            f'<td>{grids.widget(form, "value")}{grids.errors(form, "value")}</td><td>{grids.widget(form, "unit")}</td>\n'
            f'<td><span id="parse-{p}" hx-get="{preview_url}?prefix={p}-" hx-include="[name=\'{p}-comparison\'],'
            f"[name='{p}-value'],[name='{p}-unit']\" hx-trigger=\"load, input changed delay:400ms from:closest tr, "
            f'change from:closest tr"></span></td>\n'
            f'<td>{grids.widget(form, "weight")}{grids.errors(form, "weight")}</td>'
            f'<td>{grids.widget(form, "explanation")}</td><td>{grids.widget(form, "data_source")}</td>'
            f'<td>{grids.widget(form, "DELETE") if form.instance.pk else ""}</td></tr>'
        )
    return mark_safe("".join(rows))  # every part above is escaped or widget HTML
