"""Login, lockout and password services (security.md SEC-AUTH-1/2)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.audit.models import EventType, Outcome
from jixiao.audit.services import log_event

LOGIN_FAILED_MESSAGE = "用户名或密码错误。"


class LoginRefused(Exception):
    pass


def attempt_login(request: HttpRequest, username: str, password: str) -> User:
    """Authenticate with lockout: N consecutive failures lock the account for T minutes.

    The message never says whether the username or the password was wrong.
    """
    account = User.objects.filter(username__iexact=username).first()
    now = timezone.now()
    if account is not None and account.is_locked(now):
        log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.DENIED, reason="locked")
        minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)  # type: ignore[operator]
        raise LoginRefused(f"账号已被锁定，请{minutes}分钟后再试，或联系系统管理员解锁。")
    if account is not None and account.valid_until and account.valid_until < timezone.localdate(now):
        log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.DENIED, reason="expired")
        raise LoginRefused("账号已过有效期，请联系系统管理员。")
    user = authenticate(request, username=account.username if account else username, password=password)
    if user is None:
        _record_failure(request, account, username)
        raise LoginRefused(LOGIN_FAILED_MESSAGE)
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    log_event(EventType.LOGIN, request=request, user=user)
    return user  # type: ignore[return-value]


def _record_failure(request: HttpRequest, account: User | None, username: str) -> None:
    log_event(EventType.LOGIN_FAILED, request=request, username=username, outcome=Outcome.FAILURE)
    if account is None:
        return
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(failed_logins=F("failed_logins") + 1)
        account.refresh_from_db(fields=["failed_logins"])
        if account.failed_logins >= settings.JIXIAO_LOGIN_FAILURE_LIMIT:
            until = timezone.now() + timedelta(minutes=settings.JIXIAO_LOCKOUT_MINUTES)
            User.objects.filter(pk=account.pk).update(locked_until=until, failed_logins=0)
            log_event(
                EventType.LOCKOUT, request=request, username=account.username, outcome=Outcome.SUCCESS,
                obj=account, failures=settings.JIXIAO_LOGIN_FAILURE_LIMIT, minutes=settings.JIXIAO_LOCKOUT_MINUTES,
            )


def unlock(account: User, by: User, request: HttpRequest | None = None) -> None:
    User.objects.filter(pk=account.pk).update(locked_until=None, failed_logins=0)
    log_event(EventType.UNLOCK, request=request, user=by, obj=account, target=account.username)


def change_password(user: User, new_password: str, request: HttpRequest | None = None) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    log_event(EventType.PASSWORD_CHANGE, request=request, user=user, obj=user)
