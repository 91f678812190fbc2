"""Default-deny access, idle timeout and forced password change (security.md SEC-AC-1, SEC-AUTH-1/2)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event

PUBLIC_URL_NAMES = {"accounts:login", "core:healthz", "api:schema"}
API_PREFIX = "/api/v1/"
#: The public portal (信息公开, jixiao.disclosure.urls_portal): read-only pages for everyone.
PUBLIC_PREFIX = "/gongkai/"
PASSWORD_CHANGE_URL_NAMES = {"accounts:password_change", "accounts:logout"}
LAST_SEEN_KEY = "jixiao_last_seen"
#: The idle stamp is refreshed at most this often, so a page view does not write the session
#: (on SQLite a write takes the database's write lock) unless something else changed it.
LAST_SEEN_RESOLUTION_SECONDS = 60


def url_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Exception:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def stamp_login(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """user_logged_in: the login itself writes the session, so it carries the first idle stamp."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()


class IdleTimeoutMiddleware:
    """A session idle longer than the configured minutes is ended server-side."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN_KEY, now)
            if now - last > settings.JIXIAO_IDLE_TIMEOUT_MINUTES * 60:
                log_event(EventType.SESSION_TIMEOUT, request=request, user=request.user)
                logout(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?timeout=1")
            if now - last >= LAST_SEEN_RESOLUTION_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class LoginRequiredMiddleware:
    """Every page needs a login except an explicit allow-list; expired passwords must be changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = url_name(request)
        static = request.path_info.startswith(settings.STATIC_URL)
        api = request.path_info.startswith(API_PREFIX)  # the API authenticates its own requests (tokens)
        portal = request.path_info.startswith(PUBLIC_PREFIX)
        if not request.user.is_authenticated and name not in PUBLIC_URL_NAMES and not static and not api and not portal:
            return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
        from jixiao.accounts.otp import OTP_URL_NAMES, needs_second_factor

        if not static and name not in OTP_URL_NAMES and needs_second_factor(request):
            return redirect(f"{reverse('accounts:otp_verify')}?next={request.path}")
        if (
            request.user.is_authenticated
            and name not in PASSWORD_CHANGE_URL_NAMES
            and not static
            and request.user.password_expired()
        ):
            return redirect("accounts:password_change")
        response = self.get_response(request)
        if request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response
