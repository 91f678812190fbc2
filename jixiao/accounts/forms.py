from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from jixiao.accounts.models import User
from jixiao.accounts.roles import ADMIN_ROLES, EXTERNAL_READERS, Role


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput,
                                    help_text=password_validation.password_validators_help_text_html())
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("原密码不正确。")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        elif p1:
            if data.get("old_password") == p1:
                self.add_error("new_password1", "新密码不能与原密码相同。")
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


class UserCreateForm(forms.ModelForm):
    """System administrator: creates the account (identity); the role is assigned by the security administrator."""

    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text="用户首次登录时须修改密码。")

    class Meta:
        model = User
        fields = ["username", "real_name", "phone", "valid_until"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("该用户名已存在。")
        return username

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        password_validation.validate_password(value)
        return value


class UserEditForm(forms.ModelForm):
    """System administrator: the identity only. Disabling goes through ``UserActiveForm`` (with a reason)."""

    class Meta:
        model = User
        fields = ["real_name", "phone", "valid_until"]


class UserActiveForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="停用或启用账号须说明原因，记入安全日志。")


class RoleAssignForm(forms.ModelForm):
    """Security administrator: one role per account, and the account's data scope."""

    class Meta:
        model = User
        fields = ["role", "unit", "sectors", "agency_name", "classified_access"]
        widgets = {"sectors": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, by: User | None = None, **kwargs: Any) -> None:
        self.by = by
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if self.by is not None and self.instance.pk == self.by.pk:
            raise forms.ValidationError("不能修改自己的角色。")
        if self.initial.get("role") in ADMIN_ROLES:
            raise forms.ValidationError("管理员的角色不能由其他管理员修改。")
        if role in ADMIN_ROLES and (data.get("unit") or data.get("sectors")):
            self.add_error("unit", "管理员账号不属于任何预算单位或行业。")
        if role == Role.BUDGET_DESK and not data.get("sectors"):
            self.add_error("sectors", "业务股室用户须至少分管一个行业。")
        if data.get("classified_access") and role not in EXTERNAL_READERS:
            self.add_error("classified_access", "涉密查阅授权只适用于区人大、区审计局查阅人账号。")
        return data
