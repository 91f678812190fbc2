"""Two factors (等保 2.0 level 3: two authentication methods; security.md SEC-AUTH-3).

TOTP devices and recovery codes come from django-otp (``otp_totp``, ``otp_static``). The
performance section, the budget desks and the three administrators must enrol at their first
login; unit users may enrol (and are then always asked). The security administrator resets a
user's devices (logged). Concurrent sessions per account are limited (default 1 for administrators).
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.roles import ADMIN_ROLES, Role
from jixiao.audit.models import EventType, Outcome
from jixiao.audit.services import log_event
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedView

SECOND_FACTOR_ROLES = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK, *ADMIN_ROLES})
OTP_URL_NAMES = {"accounts:otp_verify", "accounts:otp_enrol", "accounts:logout"}
RECOVERY_CODES = 10


def second_factor_required(user: Any) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def needs_second_factor(request: HttpRequest) -> bool:
    """Signed in with the password but not yet with the second factor, where one is required or enrolled."""
    user = request.user
    if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
        return False
    return second_factor_required(user) or user_has_device(user, confirmed=True)


class TokenForm(forms.Form):
    token = forms.CharField(label="动态口令或恢复码", max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}),
                            help_text="手机身份验证器显示的6位动态口令；手机不在身边时可输入一个恢复码（每个只能用一次）。")


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else ""


class VerifyView(View):
    """The second step of the login: a code from the authenticator app, or one recovery code."""

    def get(self, request: AuthedRequest) -> HttpResponse:
        if not user_has_device(request.user, confirmed=True) and second_factor_required(request.user):
            return redirect("accounts:otp_enrol")
        return self.show(request, TokenForm())

    def show(self, request: AuthedRequest, form: TokenForm) -> HttpResponse:
        return render(request, "core/form.html", {
            "form": form, "title": "动态口令验证", "lock_version": None,
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
            if device is not None:
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    log_event(EventType.LOGIN, request=request, second_factor="recovery_code")
                return redirect(_next(request) or "core:home")
            log_event(EventType.OTP_FAILED, request=request, outcome=Outcome.FAILURE)
            form.add_error("token", "动态口令不正确或已过期，请重新输入。")
        return self.show(request, form)


def _key_text(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


class EnrolView(View):
    """First login: bind an authenticator app (TOTP), then receive the recovery codes once."""

    def get(self, request: AuthedRequest) -> HttpResponse:
        if user_has_device(request.user, confirmed=True):
            return render(request, "accounts/otp_enrol.html", {"title": "动态口令", "enrolled": True})
        return self.show(request, self.device(request), TokenForm())

    def device(self, request: AuthedRequest) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=request.user, name="手机验证器", confirmed=False)

    def show(self, request: AuthedRequest, device: TOTPDevice, form: TokenForm) -> HttpResponse:
        return render(request, "accounts/otp_enrol.html", {
            "title": "绑定动态口令", "form": form, "key": _key_text(device), "uri": device.config_url,
            "required": second_factor_required(request.user),
        })

    def post(self, request: AuthedRequest) -> HttpResponse:
        if user_has_device(request.user, confirmed=True):
            return redirect("accounts:otp_enrol")
        device = self.device(request)
        form = TokenForm(request.POST)
        if form.is_valid() and device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = issue_recovery_codes(request.user)
            otp_login(request, device)
            log_event(EventType.OTP_ENROL, request=request, obj=request.user)
            return render(request, "accounts/otp_enrol.html", {"title": "动态口令已绑定", "codes": codes})
        if form.is_valid():
            form.add_error("token", "动态口令不正确，请核对手机时间后重新输入。")
        return self.show(request, device, form)


def issue_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def reset_devices(target: Any, by: Any, request: HttpRequest | None = None) -> int:
    """Remove every second-factor device of the account; it enrols again at its next login."""
    removed = TOTPDevice.objects.filter(user=target).delete()[0] + StaticDevice.objects.filter(user=target).delete()[0]
    log_event(EventType.OTP_RESET, request=request, user=by, obj=target, target=target.username)
    return removed


class ResetView(ScopedView):
    """The security administrator resets a user's second factor (not its own)."""

    from jixiao.accounts.models import User as model

    permission_action = "reset_otp"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.accounts.views import refuse

        target = self.get_object()
        if target.pk == request.user.pk:
            raise refuse(request, target, "不能重置自己的动态口令。")
        reset_devices(target, request.user, request)
        messages.success(request, f"已重置 {target.username} 的动态口令，该用户下次登录时须重新绑定。")
        return redirect("accounts:user_detail", pk=target.pk)


def session_limit(user: Any) -> int:
    return int(settings.JIXIAO_MAX_SESSIONS_ADMIN if user.role in ADMIN_ROLES else settings.JIXIAO_MAX_SESSIONS)


@receiver(user_logged_in)
def limit_sessions(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A new login beyond the limit ends the account's oldest sessions (logged)."""
    from jixiao.accounts.models import LoginSession

    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    LoginSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})
    limit = session_limit(user)
    if limit <= 0:
        return
    keep = list(LoginSession.objects.filter(user=user).order_by("-created_at", "-pk")
                .values_list("session_key", flat=True)[:limit])
    ended = list(LoginSession.objects.filter(user=user).exclude(session_key__in=keep)
                 .values_list("session_key", flat=True))
    if ended:
        Session.objects.filter(session_key__in=ended).delete()
        LoginSession.objects.filter(session_key__in=ended).delete()
        log_event(EventType.SESSION_LIMIT, request=request, user=user, ended=len(ended), limit=limit)
