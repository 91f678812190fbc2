from __future__ import annotations

from django import forms

from jixiao.core.views import FilterForm
from jixiao.evaluation.forms import EvidenceForm
from jixiao.organisation.forms import AmountField
from jixiao.rectification.models import Measure, Source
from jixiao.rectification.workflows import RECTIFICATION_WORKFLOW

TEXTAREA = forms.Textarea(attrs={"rows": 3, "cols": 80})
DATE = forms.DateInput(attrs={"type": "date"})
ANY = [("", "全部")]

__all__ = ["EvidenceForm", "FeedbackForm", "FilterForm", "IssueForm", "MeasureForm", "RegisterFilterForm", "RetargetForm"]


class RegisterFilterForm(FilterForm):
    source = forms.ChoiceField(label="来源", choices=ANY + Source.choices, required=False)
    kind = forms.ChoiceField(label="措施", choices=ANY + Measure.choices, required=False)
    state = forms.ChoiceField(label="状态", choices=ANY + RECTIFICATION_WORKFLOW.choices(), required=False)
    year = forms.IntegerField(label="所涉年度", required=False, min_value=2000, max_value=2100)
    overdue = forms.BooleanField(label="仅看逾期", required=False)


class IssueForm(forms.Form):
    """A finding of an evaluation or re-check; the deadline defaults to the calendar's."""

    problem = forms.CharField(label="存在问题", widget=TEXTAREA)
    requirement = forms.CharField(label="整改要求", widget=TEXTAREA)
    deadline = forms.DateField(label="整改期限", widget=DATE, required=False, help_text="不填则按工作日历的整改期限")


class MeasureForm(forms.Form):
    """纠偏措施 on a monitoring form."""

    kind = forms.ChoiceField(label="措施", choices=[c for c in Measure.choices if c[0] != Measure.RECTIFY])
    description = forms.CharField(label="问题及要求", widget=TEXTAREA)
    owner = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(label="整改期限", widget=DATE, required=False, help_text="不填则按工作日历的整改期限")
    reduce_fen = AmountField(label="调减（收回）金额（万元）", required=False)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label="整改反馈", widget=TEXTAREA)
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class RetargetForm(forms.Form):
    reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
