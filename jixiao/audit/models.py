"""The append-only, keyed and checkpointed security log (security.md SEC-AUD-1…5).

Rows are only ever inserted. The model refuses updates and deletes, and database triggers
(SQLite and PostgreSQL, see the migrations) refuse them for any client, the application
included. Against a database user who gets past the triggers, every row carries a gap-free
sequence number and an HMAC-SM3 over its content and its predecessor's hash, keyed outside the
database, and signed checkpoints outside the database (a file and syslog) record the head;
``verify_log`` reports exactly which rows are missing or altered (``jixiao.audit.chain``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from jixiao.audit.chain import HASH_ALGORITHM, Report, canonical_row, read_checkpoints, row_mac, verify_rows
from jixiao.core.scoping import ScopedQuerySet


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
    USER_EDIT = "user_edit", "修改用户信息"
    RECORD_REFUSED = "record_refused", "拒绝访问记录"
    OTP_ENROL = "otp_enrol", "绑定动态口令"
    OTP_RESET = "otp_reset", "重置动态口令"
    OTP_FAILED = "otp_failed", "动态口令错误"
    SESSION_LIMIT = "session_limit", "超出并发会话数"
    BACKUP = "backup", "备份"


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

    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
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
        indexes = [models.Index(fields=["ip", "event_type", "at"], name="securityevent_ip_type_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_event_type_display()}"

    def canonical(self) -> str:
        return canonical_row({f: getattr(self, f) for f in CHAIN_FIELDS})

    def compute_hash(self) -> str:
        return row_mac(self.prev_hash, self.canonical())

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("安全日志只能追加，不能修改。")
        with transaction.atomic():
            _serialise_writers()
            last = SecurityEvent.objects.order_by("-seq").only("hash", "seq").first()
            if last is None:
                anchor = read_checkpoints([_checkpoint_file()])
                self.prev_hash, self.seq = anchor.archived_hash, anchor.archived_through + 1
            else:
                self.prev_hash, self.seq = last.hash, last.seq + 1
            self.hash = self.compute_hash()
            super().save(*args, **kwargs)
            seq, head, at = self.seq, self.hash, self.at.isoformat()
            transaction.on_commit(lambda: _checkpoint(seq, head, at))

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


CHAIN_FIELDS = ("seq", "at", "event_type", "outcome", "username", "user_display", "role", "ip", "user_agent",
                "object_repr", "detail")


def _checkpoint(seq: int, head: str, at: str) -> None:
    from jixiao.audit.chain import write_checkpoint

    write_checkpoint(seq, head, at)


def _checkpoint_file() -> Path:
    from jixiao.audit.chain import checkpoint_path

    return checkpoint_path()


TRIGGERS = {
    "sqlite": ("securityevent_no_update", "securityevent_no_delete"),
    "postgresql": ("securityevent_guard", "securityevent_no_truncate"),
}


def missing_triggers() -> list[str]:
    names = TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_securityevent'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_securityevent'::regclass "
                           "AND tgenabled <> 'D'")
        else:  # pragma: no cover
            return []
        present = {r[0] for r in cursor.fetchall()}
    return [n for n in names if n not in present]


def verify_log(extra_checkpoints: list[Path] | None = None) -> Report:
    """Compare the table with its keys, its sequence and the checkpoints outside the database."""
    checkpoints = read_checkpoints([_checkpoint_file(), *(extra_checkpoints or [])])
    report = Report()
    rows = SecurityEvent.objects.order_by("seq").values("prev_hash", "hash", *CHAIN_FIELDS).iterator(chunk_size=2000)
    verify_rows(rows, checkpoints, report)
    for name in missing_triggers():
        report.add("trigger", f"数据库触发器 {name} 缺失或被停用：安全日志可被直接修改。")
    return report


def verify_chain() -> SecurityEvent | None:
    """The first row found altered or after a gap, or None when nothing is wrong with the rows."""
    report = verify_log()
    seqs = [f.seq for f in report.findings if f.seq is not None and f.kind in ("altered", "missing")]
    if not seqs:
        return None
    return SecurityEvent.objects.filter(seq__gte=min(seqs)).order_by("seq").first()


__all__ = ["HASH_ALGORITHM", "AppendOnlyError", "EventType", "Outcome", "SecurityEvent", "verify_chain", "verify_log"]
