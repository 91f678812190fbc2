"""Login, lockout and password services (security.md SEC-AUTH-1/2).

Every attempt on an existing account first takes one of its N attempts atomically (a row lock
and an increment in one transaction), and only then is the password checked: parallel attempts
cannot get more than N guesses. A locked, unknown or wrong-password login gets the same answer
and runs the password hasher exactly once, so neither the text nor the timing tells whether a
username exists. Per source address, too many failures in a window are refused outright.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.audit.models import EventType, Outcome, SecurityEvent
from jixiao.audit.services import client_ip, log_event

LOGIN_FAILED_MESSAGE = "用户名或密码错误，或账号已被锁定。"
THROTTLED_MESSAGE = "本机登录失败次数过多，请{minutes}分钟后再试。"
_DUMMY_HASH: list[str] = []


class LoginRefused(Exception):
    def __init__(self, message: str, *, throttled: bool = False) -> None:
        super().__init__(message)
        self.throttled = throttled


def _dummy_hash() -> str:
    """A hash made once with the current hasher: an unknown or locked account costs the same time."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password("jixiao-no-such-account"))
    return _DUMMY_HASH[0]


def ip_throttled(request: HttpRequest) -> bool:
    ip = client_ip(request)
    if ip is None:
        return False
    since = timezone.now() - timedelta(minutes=settings.JIXIAO_LOGIN_IP_WINDOW_MINUTES)
    failures = SecurityEvent.objects.filter(
        event_type=EventType.LOGIN_FAILED, ip=ip, at__gte=since,
    ).exclude(detail__reason="ip_throttled").count()
    return failures >= settings.JIXIAO_LOGIN_IP_FAILURE_LIMIT


def _reserve_attempt(username: str, now: object) -> tuple[User | None, bool]:
    """Lock the account row and count this attempt before any password is checked.

    Returns the account (None if unknown) and whether its password may be checked at all.
    """
    with transaction.atomic():
        account = User.objects.select_for_update().filter(username__iexact=username).first()
        if account is None:
            return None, False
        if account.is_locked(now):
            return account, False
        User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
        account.refresh_from_db(fields=["failed_logins"])
        if account.failed_logins > settings.JIXIAO_LOGIN_FAILURE_LIMIT:
            return account, False
        return account, True


def attempt_login(request: HttpRequest, username: str, password: str) -> User:
    """Authenticate with lockout: N consecutive failures lock the account for T minutes."""
    if ip_throttled(request):
        check_password(password, _dummy_hash())
        log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.DENIED,
                  reason="ip_throttled")
        raise LoginRefused(THROTTLED_MESSAGE.format(minutes=settings.JIXIAO_LOGIN_IP_WINDOW_MINUTES), throttled=True)
    now = timezone.now()
    account, checkable = _reserve_attempt(username, now)
    if not checkable:
        check_password(password, _dummy_hash())
        reason = "unknown" if account is None else "locked"
        log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.DENIED, reason=reason)
        if account is not None and not account.is_locked(now):
            _lock(request, account)
        raise LoginRefused(LOGIN_FAILED_MESSAGE)
    assert account is not None
    from django.contrib.auth import authenticate

    user = authenticate(request, username=account.username, password=password)
    if user is None:
        _record_failure(request, account, username)
        raise LoginRefused(LOGIN_FAILED_MESSAGE)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    if account.valid_until and account.valid_until < timezone.localdate(now):
        # Said only to whoever knows the password.
        log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.DENIED, reason="expired")
        raise LoginRefused("账号已过有效期，请联系系统管理员。")
    log_event(EventType.LOGIN, request=request, user=user)
    return user  # type: ignore[return-value]


def _record_failure(request: HttpRequest, account: User, username: str) -> None:
    log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.FAILURE)
    if account.failed_logins >= settings.JIXIAO_LOGIN_FAILURE_LIMIT:
        _lock(request, account)


def _lock(request: HttpRequest, account: User) -> None:
    until = timezone.now() + timedelta(minutes=settings.JIXIAO_LOCKOUT_MINUTES)
    with transaction.atomic():
        locked = User.objects.filter(pk=account.pk).exclude(locked_until__gt=timezone.now()).update(
            locked_until=until, failed_logins=0,
        )
        if not locked:
            return
        log_event(
            EventType.LOCKOUT, request=request, username=account.username, outcome=Outcome.SUCCESS,
            obj=account, failures=settings.JIXIAO_LOGIN_FAILURE_LIMIT, minutes=settings.JIXIAO_LOCKOUT_MINUTES,
        )
    from jixiao.audit.alerts import alert_security_admins

    alert_security_admins(
        "账号被锁定", f"账号 {account.username} 连续{settings.JIXIAO_LOGIN_FAILURE_LIMIT}次登录失败，"
        f"已锁定{settings.JIXIAO_LOCKOUT_MINUTES}分钟（来源地址 {client_ip(request) or '未知'}）。",
    )


def unlock(account: User, by: User, request: HttpRequest | None = None) -> None:
    User.objects.filter(pk=account.pk).update(locked_until=None, failed_logins=0)
    log_event(EventType.UNLOCK, request=request, user=by, obj=account, target=account.username)


def change_password(user: User, new_password: str, request: HttpRequest | None = None) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    log_event(EventType.PASSWORD_CHANGE, request=request, user=user, obj=user)


def set_active(target: User, active: bool, *, by: User, reason: str, request: HttpRequest | None = None) -> None:
    """Enable or disable an account; disabling an administrator alerts the administrators of the third kind."""
    from jixiao.accounts.roles import ADMIN_ROLES
    from jixiao.workflow.models import Notification

    User.objects.filter(pk=target.pk).update(is_active=active)
    target.is_active = active
    log_event(EventType.USER_ENABLE if active else EventType.USER_DISABLE, request=request, user=by, obj=target,
              target=target.username, reason=reason)
    if target.role in ADMIN_ROLES:
        third = ADMIN_ROLES - {target.role, by.role}
        action = "启用" if active else "停用"
        Notification.objects.bulk_create([
            Notification(recipient=admin, title=f"管理员账号已{action}：{target.username}",
                         body=f"{by}{action}了管理员账号 {target}，原因：{reason}")
            for admin in User.objects.filter(role__in=third, is_active=True)
        ])
