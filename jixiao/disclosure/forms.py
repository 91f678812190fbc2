from __future__ import annotations

from django import forms

from jixiao.core.views import FilterForm
from jixiao.disclosure.models import ExternalSite, Kind


class PublicationFilterForm(FilterForm):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="公开类型", required=False, choices=[("", "全部"), *Kind.choices])
    withdrawn = forms.ChoiceField(label="状态", required=False,
                                  choices=[("", "全部"), ("no", "公开中"), ("yes", "已撤回")])


class CorrectForm(forms.Form):
    note = forms.CharField(label="更正说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                           help_text="按记录的当前内容公开新版本；旧版本仍可查阅，新版本显示本说明。")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             help_text="撤回后公开网站保留撤回公告及原因。")


class PostingForm(forms.Form):
    site = forms.ChoiceField(label="公开渠道", choices=ExternalSite.choices)
    url = forms.URLField(label="网址", max_length=500, assume_scheme="https")
    posted_on = forms.DateField(label="公开日期", widget=forms.DateInput(attrs={"type": "date"}))
