from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator as _DjangoMinimumLength
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """At least ``min_classes`` of upper case, lower case, digits and symbols (等保 practice)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类。"


class MinimumLengthValidator(_DjangoMinimumLength):
    """Django's length rule with its message in Chinese (Django 5.2's wording has no zh-hans
    translation, so users saw "This password is too short…")."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"


class NoUsernameValidator:
    """The password does not contain the account's username (case ignored)."""

    def validate(self, password: str, user: Any = None) -> None:
        name = (getattr(user, "username", "") or "").strip().lower()
        if len(name) >= 3 and name in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


class PasswordHistoryValidator:
    """Not one of the account's last ``count`` passwords (the current one included). Every password
    an account is given is remembered as its hash (``password_changed``, called by ``User.save``)."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from jixiao.accounts.models import PasswordHistory

        recent = list(PasswordHistory.objects.filter(user_id=user.pk).order_by("-pk")
                      .values_list("password", flat=True)[: self.count])
        if any(check_password(password, h) for h in [user.password, *recent] if h):
            raise ValidationError(f"新密码不能与最近{self.count}次使用过的密码相同。", code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or not user.has_usable_password():
            return
        from jixiao.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).order_by("-pk").values_list("pk", flat=True)[: self.count]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return f"新密码不能与最近{self.count}次使用过的密码相同。"
