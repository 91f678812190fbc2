"""The append-only, hash-chained security log (security.md SEC-AUD-1…5).

Rows are only ever inserted. The model refuses updates and deletes, and database triggers
(SQLite and PostgreSQL, see the migration) refuse them for any client, the application
included, so no application role can change the log. ``verify_chain`` finds the first row
whose content no longer matches its hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from jixiao.core.scoping import ScopedQuerySet

HASH_ALGORITHM = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


class EventType(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账号锁定"
    UNLOCK = "unlock", "账号解锁"
    LOGOUT = "logout", "退出登录"
    SESSION_TIMEOUT = "session_timeout", "会话超时"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PASSWORD_RESET = "password_reset", "重置密码"
    USER_CREATE = "user_create", "创建用户"
    USER_DISABLE = "user_disable", "停用用户"
    USER_ENABLE = "user_enable", "启用用户"
    ROLE_CHANGE = "role_change", "变更角色或数据范围"
    PERMISSION_DENIED = "permission_denied", "拒绝访问"
    EXPORT = "export", "导出数据"
    IMPORT = "import", "导入数据"
    SETTINGS_CHANGE = "settings_change", "修改参数"


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILURE = "failure", "失败"


class AppendOnlyError(Exception):
    pass


class SecurityEventQuerySet(ScopedQuerySet["SecurityEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("安全日志只能追加，不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("安全日志只能追加，不能删除。")


class SecurityEvent(models.Model):
    scope_unit_field = None

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    event_type = models.CharField("事件类型", max_length=30, choices=EventType.choices, db_index=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    username = models.CharField("账号", max_length=150, db_index=True)
    user_display = models.CharField("姓名", max_length=100, blank=True)
    role = models.CharField("角色", max_length=20, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=200, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = "安全日志"
        verbose_name_plural = "安全日志"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_event_type_display()}"

    def canonical(self) -> str:
        return json.dumps(
            [
                self.at.isoformat(), self.event_type, self.outcome, self.username, self.user_display,
                self.role, self.ip, self.user_agent, self.object_repr, self.detail,
            ],
            ensure_ascii=False, sort_keys=True, default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.new(HASH_ALGORITHM, (self.prev_hash + self.canonical()).encode()).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("安全日志只能追加，不能修改。")
        with transaction.atomic():
            _serialise_writers()
            last = SecurityEvent.objects.order_by("-pk").only("hash").first()
            self.prev_hash = last.hash if last else ""
            self.hash = self.compute_hash()
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("安全日志只能追加，不能删除。")


CHAIN_LOCK_KEY = 0x6A697869  # "jixi": one advisory lock for appending to the chain


def _serialise_writers() -> None:
    """One writer at a time appends to the chain, so no two rows link to the same predecessor.

    SQLite's IMMEDIATE transactions already serialise writers; PostgreSQL takes a transaction-level
    advisory lock (a row lock on the last row would not stop two inserts reading the same last row).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def verify_chain() -> SecurityEvent | None:
    """Return the first row whose hash or link is wrong, or None when the chain is intact.

    After an archive the earliest remaining row links to an archived one: its ``prev_hash`` is the
    anchor (the archive file keeps the rows it points to).
    """
    first = SecurityEvent.objects.order_by("pk").first()
    prev = first.prev_hash if first else ""
    for event in SecurityEvent.objects.order_by("pk").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return event
        prev = event.hash
    return None
