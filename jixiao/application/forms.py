from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from jixiao.application.models import ACTION_CHOICES, RECT_CHOICES, Decision
from jixiao.core.views import FilterForm
from jixiao.organisation.forms import AmountField
from jixiao.rules.application import (
    ACTION_LABELS,
    GRADES,
    RECOVER,
    SOURCE_LABELS,
    ApplicationRules,
    GradeRule,
)

ANY = [("", "全部")]
PLACEHOLDER_HELP = "（占位值：文献未给出具体比例，请按本年度预算编制指南确定）"


class BoardFilterForm(FilterForm):
    final_action = forms.ChoiceField(label="处理方式", choices=ANY + ACTION_CHOICES, required=False)
    decision = forms.ChoiceField(label="确认情况", choices=[("", "全部"), ("pending", "待业务股室确认"),
                                                        *[c for c in Decision.choices if c[0]]], required=False)
    rectification = forms.ChoiceField(label="整改情况", choices=ANY + RECT_CHOICES, required=False)
    departures = forms.BooleanField(label="仅看与下年度预算不一致", required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="确认", choices=[("accept", "同意建议"), ("change", "调整建议")],
                                 widget=forms.RadioSelect, initial="accept")
    action = forms.ChoiceField(label="确定处理方式", choices=ANY + ACTION_CHOICES, required=False)
    amount = AmountField(label="确定的下年度预算数（万元）", required=False)
    reason = forms.CharField(label="理由", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), help_text="调整建议时必填")


class OverrideForm(forms.Form):
    reason = forms.CharField(label="同意批复下年度绩效目标的理由", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


ORDERS = [(",".join(order), " > ".join(SOURCE_LABELS[s] for s in order)) for order in (
    ("key_evaluation", "recheck", "self_evaluation"), ("key_evaluation", "self_evaluation", "recheck"),
    ("recheck", "key_evaluation", "self_evaluation"), ("recheck", "self_evaluation", "key_evaluation"),
    ("self_evaluation", "key_evaluation", "recheck"), ("self_evaluation", "recheck", "key_evaluation"))]
GRADE_ACTIONS = [(k, v) for k, v in ACTION_LABELS.items() if k != RECOVER]


class RulesForm(forms.Form):
    """The year's rule set, field by field (no JSON): per grade the action and cut, the extra cut for
    overdue rectification, the idle-funds rule and the order of authority of results."""

    norect_extra = forms.DecimalField(label="整改逾期未完成另行压减（%）", min_value=0, max_value=100, decimal_places=2)
    cancel_poor_overdue = forms.BooleanField(label="评价为“差”且整改逾期的取消安排", required=False)
    idle_below = forms.DecimalField(label="闲置资金：1-9月执行率低于（%）", min_value=0, max_value=100, decimal_places=2)
    idle_years = forms.IntegerField(label="闲置资金：连续结余年数（含本年）", min_value=1, max_value=5)
    authority = forms.ChoiceField(label="评价结果权威顺序", choices=ORDERS)

    def __init__(self, *args: Any, rules: ApplicationRules, **kwargs: Any) -> None:
        initial = {"norect_extra": rules.norect_extra, "cancel_poor_overdue": rules.cancel_poor_overdue,
                   "idle_below": rules.idle_below, "idle_years": rules.idle_years, "authority": ",".join(rules.authority)}
        for grade in GRADES:
            initial[f"action_{grade}"] = rules.grades[grade].action
            initial[f"cut_{grade}"] = rules.grades[grade].cut
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        grade_fields: dict[str, forms.Field] = {}
        for grade in GRADES:
            grade_fields[f"action_{grade}"] = forms.ChoiceField(label=f"等级“{grade}”的处理方式", choices=GRADE_ACTIONS)
            grade_fields[f"cut_{grade}"] = forms.DecimalField(label=f"等级“{grade}”的压减比例（%）", min_value=0,
                                                              max_value=100, decimal_places=2)
        self.fields = {**grade_fields, **self.fields}
        placeholders = rules.placeholders()
        for name in placeholders:
            key = f"cut_{name}" if name in GRADES else name
            self.fields[key].help_text = PLACEHOLDER_HELP

    def to_rules(self) -> ApplicationRules:
        d = self.cleaned_data
        grades = {g: GradeRule(d[f"action_{g}"], Decimal(d[f"cut_{g}"])) for g in GRADES}
        return ApplicationRules(grades=grades, norect_extra=d["norect_extra"], cancel_poor_overdue=d["cancel_poor_overdue"],
                                idle_below=d["idle_below"], idle_years=d["idle_years"],
                                authority=tuple(d["authority"].split(",")))
