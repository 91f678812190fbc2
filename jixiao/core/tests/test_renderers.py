"""The Python widget renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from jixiao.core.renderers import FastWidgetRenderer


class EveryWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"size": 8, "data-x": '"<&>', "readonly": True,
                                                         "disabled": False}))
    number = forms.DecimalField(widget=forms.NumberInput(attrs={"step": "0.01"}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    check = forms.BooleanField(required=False)
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    choice = forms.ChoiceField(choices=[("", "---"), ("a", "甲 <b>"), ("b", "乙 & 丙")])
    grouped = forms.ChoiceField(choices=[("组<1>", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")])
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S <&>")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二 & 三")], required=False,
                                      widget=forms.CheckboxSelectMultiple(attrs={"class": "reasons"}))
    grouped_boxes = forms.MultipleChoiceField(choices=[("组<1>", [("x", "X"), ("y", "Y")]), ("z", "Z")],
                                              widget=forms.CheckboxSelectMultiple)


VALUES: list[dict[str, Any]] = [
    {},
    {"text": '<script>"x"</script>', "number": "12.50", "hidden": "h&h", "email": "a@b.cn", "password": "p<w>",
     "date": "2026-11-29", "check": "on", "area": "第一行\n<第二行>", "choice": "a", "grouped": "y",
     "many": ["1", "3"], "radio": "r",
     "boxes": ["2"], "grouped_boxes": ["y", "z"]},
    {"text": mark_safe("<i>safe</i>"), "area": "", "choice": "b", "grouped": "z", "check": ""},
]


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize("bound", [True, False])
def test_fast_widgets_match_the_templates(data: dict[str, Any], bound: bool) -> None:
    form = EveryWidget(data=data or None) if bound else EveryWidget(initial=data)
    for field in form:
        fast = field.field.widget.render(
            field.html_name, field.value(), attrs=field.build_widget_attrs({"id": field.auto_id}),
            renderer=FastWidgetRenderer())
        slow = field.field.widget.render(
            field.html_name, field.value(), attrs=field.build_widget_attrs({"id": field.auto_id}),
            renderer=DjangoTemplates())
        assert fast == slow, field.name


def test_the_project_uses_the_fast_renderer_for_whole_forms() -> None:
    form = EveryWidget(data=VALUES[1])
    assert isinstance(form.renderer, FastWidgetRenderer)
    slow = EveryWidget(data=VALUES[1], renderer=DjangoTemplates())
    assert str(form) == str(slow)
