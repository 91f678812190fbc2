"""Access tokens of service accounts (the audit bureau's system, the budget system 一体化).

A token belongs to one user account and acts with that account's role and data scope: the API
applies the same permission policy and ``for_user`` scoping as the pages. Only a SHA-256 of the
secret is stored; the secret is shown once, when the security administrator issues it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from jixiao.core.scoping import SharedQuerySet

TOKEN_PREFIX_LENGTH = 8


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    scope_unit_field = None

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务账号", on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("令牌前缀", max_length=TOKEN_PREFIX_LENGTH, editable=False)
    digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT,
                                  related_name="+", editable=False)
    issued_at = models.DateTimeField("签发时间", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    objects = SharedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active

    @property
    def status_text(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效" if self.user.is_active else "账号已停用"
