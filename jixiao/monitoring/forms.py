from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from jixiao.core import grids
from jixiao.core.views import FilterForm
from jixiao.evaluation.models import Agency
from jixiao.monitoring.models import (
    LIGHT_CHOICES,
    POSSIBILITY_CHOICES,
    REASON_CHOICES,
    FocusRule,
    Kind,
    MonitoringForm,
    MonitoringRound,
)
from jixiao.monitoring.workflows import FORM_WORKFLOW
from jixiao.organisation.forms import AmountField
from jixiao.organisation.models import Sector

TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 80})
DATE = forms.DateInput(attrs={"type": "date"})
ANY = [("", "全部")]


def report_due(year: int) -> date:
    """The calendar's date for the 1–9月 monitoring report of ``year`` (11/30 by default)."""
    from jixiao.deadlines.models import year_entry

    return year_entry(year, "monitoring_report").due_on


def year_initial(request: Any) -> dict[str, Any]:
    """A new round's, import's or engagement's initial year and due date: the working year's monitoring."""
    from jixiao.core.years import stage_year

    year = stage_year(request, "monitoring")
    return {"year": year, "due_on": report_due(year)}


class RoundForm(forms.Form):
    year = forms.IntegerField(label="预算年度", min_value=2000, max_value=2100)
    end_month = forms.IntegerField(label="截至月份（监控期间为1月至该月）", min_value=1, max_value=12, initial=9)
    due_on = forms.DateField(label="报送截止日期", widget=DATE)
    title = forms.CharField(label="名称", max_length=100, required=False, help_text="留空则自动命名，如“2026年1-9月绩效运行监控”")


class HeaderForm(forms.ModelForm):
    forecast_fen = AmountField(label="全年预计执行数（万元）", required=False)

    class Meta:
        model = MonitoringForm
        fields = ["forecast_fen", "execution_reason", "goal_progress", "implementation", "problems", "measures",
                  "request_adjustment", "contact_person", "contact_phone", "unit_head"]
        widgets = {f: TEXTAREA for f in ("execution_reason", "goal_progress", "implementation", "problems", "measures")}


class RowForm(forms.Form):
    actual = forms.CharField(label="截至本期实际完成值", max_length=100, required=False,
                             widget=forms.TextInput(attrs={"size": 10}))
    forecast = forms.CharField(label="全年预计完成值", max_length=100, required=False,
                               widget=forms.TextInput(attrs={"size": 10}))
    reasons = forms.MultipleChoiceField(label="偏差原因", choices=REASON_CHOICES, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    other_reason = forms.CharField(label="其他原因", max_length=300, required=False,
                                   widget=forms.TextInput(attrs={"size": 14}))
    possibility = forms.ChoiceField(label="完成可能性", choices=[("", "—"), *POSSIBILITY_CHOICES], required=False)
    corrective_plan = forms.CharField(label="纠偏措施", max_length=300, required=False,
                                      widget=forms.TextInput(attrs={"size": 16}))
    note = forms.CharField(label="备注", max_length=200, required=False, widget=forms.TextInput(attrs={"size": 8}))


class FormFilterForm(FilterForm):
    year = forms.IntegerField(label="预算年度", required=False, min_value=2000, max_value=2100)
    round = forms.ModelChoiceField(label="监控轮次", queryset=MonitoringRound.objects.all(), required=False, empty_label="全部")
    kind = forms.ChoiceField(label="类型", choices=ANY + Kind.choices, required=False)
    state = forms.ChoiceField(label="状态", choices=ANY + FORM_WORKFLOW.choices(), required=False)
    light = forms.ChoiceField(label="综合预警", choices=ANY + LIGHT_CHOICES, required=False)
    sector = forms.ModelChoiceField(label="行业", queryset=Sector.objects.all(), required=False, empty_label="全部")
    paper = forms.ChoiceField(label="纸质档", choices=[*ANY, ("missing", "需报送未接收"), ("received", "已接收")], required=False)


class ExecutionFilterForm(FilterForm):
    year = forms.IntegerField(label="年度", required=False)
    month = forms.IntegerField(label="月份", required=False, min_value=1, max_value=12)
    kind = forms.ChoiceField(label="支出类型", choices=[*ANY, ("project", "项目支出"), ("basic", "基本支出")], required=False)


class UploadForm(forms.Form):
    year = forms.IntegerField(label="预算年度", min_value=2000, max_value=2100)
    file = forms.FileField(label="国库支付数据（.xlsx、.xls 或 .csv）")
    replace = forms.BooleanField(label="确认替换该年度已导入的国库支付数据", required=False)


class FocusFilterForm(FilterForm):
    round = forms.ModelChoiceField(label="监控轮次", queryset=MonitoringRound.objects.all(), required=False, empty_label="全部")
    assigned = forms.ChoiceField(label="委托", choices=[*ANY, ("yes", "已委托"), ("no", "未委托")], required=False)
    done = forms.ChoiceField(label="核查发现", choices=[*ANY, ("yes", "已提交"), ("no", "未提交")], required=False)


class FocusRuleForm(forms.ModelForm):
    red_min_budget_fen = AmountField(label="红灯项目金额标准（万元，含本数）")

    class Meta:
        model = FocusRule
        fields = ["red_min_budget_fen", "key_sector_top_n", "sample_percent", "department_count"]


class SelectForm(forms.Form):
    seed = forms.IntegerField(label="随机种子（留空自动生成并记录）", required=False, min_value=1, max_value=2**31)


class EngagementForm(forms.Form):
    agency = forms.ModelChoiceField(label="第三方机构", queryset=Agency.objects.filter(is_active=True),
                                    empty_label="（从第三方机构库选择）")
    title = forms.CharField(label="委托事项", max_length=200, initial="重点绩效跟踪监控")
    due_on = forms.DateField(label="完成期限", widget=DATE)
    ids = forms.CharField(widget=forms.HiddenInput)

    def item_ids(self) -> list[int]:
        return [int(x) for x in self.cleaned_data["ids"].split(",") if x.strip().isdigit()]


class FindingsForm(forms.Form):
    findings = forms.CharField(label="核查发现", widget=TEXTAREA)
    finding_light = forms.ChoiceField(label="核查结论预警", choices=[("", "—"), *LIGHT_CHOICES], required=False)
    recommendation = forms.CharField(label="整改建议", widget=TEXTAREA, required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


def row_form(prefix: str, data: Any = None, initial: dict[str, Any] | None = None) -> RowForm:
    return RowForm(data, prefix=prefix, initial=initial)


def light_badge(code: str, label: Any) -> str:
    """A warning light's badge (``monitoring/_light.html`` writes it through ``{% light_badge %}``)."""
    if code:
        return f'<span class="light light-{grids.text(code)}" title="{grids.text(label)}灯">{grids.text(label)}</span>'
    return '<span class="help">—</span>'


def indicator_rows(form_pk: int, row_forms: list[tuple[Any, RowForm]]) -> SafeString:
    """Section 二's rows (a row's field errors as rows under it), written in one pass (see ``core.grids``)."""
    out = []
    for counter, (row, rf) in enumerate(row_forms, 1):
        ind = row.indicator
        p = grids.text(rf.prefix)
        preview_url = grids.text(reverse("monitoring:light_preview", args=[form_pk, row.pk]))
        css = ' class="row-error"' if rf.errors else ""
        out.append(
            f"<tr{css}><td>{counter}</td>"
            f"<td>{grids.text(ind.level2)}/{grids.text(ind.name)}</td>"
            f"<td>{grids.text(ind.get_comparison_display())} {grids.text(ind.value)}{grids.text(ind.unit)}</td>\n"
            f'<td>{grids.widget(rf, "actual")}</td><td>{grids.widget(rf, "forecast")}</td>'
            f"<td hx-get=\"{preview_url}\" hx-include=\"[name='{p}-actual'],[name='{p}-possibility']\" "
            f'hx-trigger="input changed delay:400ms from:closest tr, change from:closest tr">'
            f"{light_badge(row.light, row.get_light_display())}\n</td>\n"  # as the include wrote it
            f'<td class="reasons">{grids.widget(rf, "reasons")}</td><td>{grids.widget(rf, "other_reason")}</td>'
            f'<td>{grids.widget(rf, "possibility")}</td><td>{grids.widget(rf, "corrective_plan")}</td>'
            f'<td>{grids.widget(rf, "note")}</td></tr>\n'
        )
        for field in rf if rf.errors else ():
            for error in field.errors:
                out.append(f'<tr class="row-error"><td colspan="11" class="error">第{counter}行「{grids.text(field.label)}」：'
                           f"{grids.text(error)}</td></tr>")
        out.append("\n")
    return mark_safe("".join(out))  # every part above is escaped or widget HTML
