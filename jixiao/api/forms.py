from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from jixiao.accounts.models import User

MAX_VALIDITY_DAYS = 366


class TokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(label="服务账号", queryset=User.objects.none(),
                                  help_text="令牌以该账号的角色和数据范围访问接口。")
    name = forms.CharField(label="用途", max_length=100, help_text="例如：区审计局数据比对、预算一体化系统")
    expires_on = forms.DateField(label="有效期至", widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=f"最长 {MAX_VALIDITY_DAYS} 天。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["user"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = User.objects.filter(is_active=True).exclude(role="").order_by("username")
        account.label_from_instance = lambda u: f"{u.username}（{u.real_name}，{u.get_role_display()}）"  # type: ignore[method-assign,assignment]
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=180))

    def clean_expires_on(self) -> Any:
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError("有效期应晚于今天。")
        if value > today + timedelta(days=MAX_VALIDITY_DAYS):
            raise forms.ValidationError(f"有效期最长 {MAX_VALIDITY_DAYS} 天。")
        return value
