from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from jixiao.accounts.roles import ROLE_SCOPE, ROLES_WITH_SECTORS, ROLES_WITH_UNIT, Role, Scope, can
from jixiao.core.crypto import EncryptedCharField, blind_index
from jixiao.core.scoping import SharedQuerySet


class UserQuerySet(SharedQuerySet["User"]):
    """Accounts are managed by the administrators, who see all of them."""


class JixiaoUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """One named person with exactly one role (三权分立: no account holds two admin roles)."""

    real_name = models.CharField("姓名", max_length=50)
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        "organisation.BudgetUnit", verbose_name="所属单位", null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    sectors = models.ManyToManyField("organisation.Sector", verbose_name="分管行业", blank=True)
    agency_name = models.CharField("所属机构", max_length=100, blank=True)
    #: Granted by the security administrator (logged): an external reader may then read 涉密 rows.
    classified_access = models.BooleanField("涉密查阅授权", default=False)
    phone = EncryptedCharField("联系电话", plain_max_length=20, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    failed_logins = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    valid_until = models.DateField("账号有效期至", null=True, blank=True)
    #: The year chosen in the header's switcher; empty means the plan year today falls in.
    working_year = models.PositiveSmallIntegerField("工作年度", null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = JixiaoUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]
        constraints = [models.UniqueConstraint(Lower("username"), name="username_unique_ci")]

    def __str__(self) -> str:
        return f"{self.real_name or self.username}（{self.get_role_display()}）"

    @property
    def scope(self) -> Scope:
        return ROLE_SCOPE.get(self.role, Scope.NONE)

    def can(self, model_label: str, action: str) -> bool:
        return self.is_active and can(self.role, model_label, action)

    def is_locked(self, now: Any = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    def password_expired(self) -> bool:
        if self.must_change_password:
            return True
        if self.password_changed_at is None:
            return False
        max_age = timedelta(days=settings.JIXIAO_PASSWORD_MAX_AGE_DAYS)
        return timezone.now() - self.password_changed_at > max_age

    def clean(self) -> None:
        super().clean()
        if self.is_superuser and not settings.DEBUG:
            raise ValidationError("生产环境不允许超级用户账号。")
        if self.role in ROLES_WITH_UNIT and self.unit_id is None:
            raise ValidationError({"unit": "单位用户必须指定所属单位。"})
        if self.role not in ROLES_WITH_UNIT and self.unit_id is not None and self.role not in ROLES_WITH_SECTORS:
            raise ValidationError({"unit": "该角色不属于预算单位，请勿指定所属单位。"})
        if self.role == Role.UNIT_APPROVER and self.unit and self.unit.parent_id is not None:
            raise ValidationError({"unit": "主管部门审核人必须属于一级预算单位。"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_index = blind_index(self.phone or "")
        fields = kwargs.get("update_fields")
        if fields is not None and "phone" in fields:
            kwargs["update_fields"] = {*fields, "phone_index"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """The hashes of an account's last passwords (accounts.passwords.PasswordHistoryValidator)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user_id} {self.changed_at:%Y-%m-%d %H:%M}"


class LoginSession(models.Model):
    """The sessions an account has open, so that their number can be limited (accounts.otp.limit_sessions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = "登录会话"

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
