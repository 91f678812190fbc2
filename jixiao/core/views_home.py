"""The home page of every role: what is due for me, what waits for my review, my key numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from jixiao.core.types import AuthedRequest
from jixiao.rules.money import format_wan

#: Stages register functions returning (label, count, url) of documents waiting for this user.
REVIEW_QUEUES: list[Callable[[Any], list[tuple[str, int, str]]]] = []


def key_numbers(user: Any, year: int) -> list[tuple[str, str]]:
    """The working year's key numbers (``year``: the budget year of the user's working year)."""
    from jixiao.accounts.models import User
    from jixiao.audit.models import SecurityEvent
    from jixiao.organisation.models import BudgetUnit, Project

    numbers: list[tuple[str, str]] = []
    if user.can("organisation.project", "view"):
        agg = Project.objects.for_user(user).filter(year=year).aggregate(n=Count("pk"), total=Sum("adjusted_budget_fen"))
        numbers += [
            (f"{year}年度预算项目", f"{agg['n']} 个"),
            (f"{year}年度项目预算", f"{format_wan(agg['total'] or 0)} 万元"),
        ]
    if user.can("organisation.budgetunit", "view"):
        numbers.append(("预算单位", f"{BudgetUnit.objects.for_user(user).count()} 个"))
    if user.can("accounts.user", "view"):
        users = User.objects.all()
        numbers += [("用户", f"{users.count()} 个"),
                    ("锁定中的账号", f"{users.filter(locked_until__gt=timezone.now()).count()} 个")]
    if user.can("audit.securityevent", "view"):
        today = timezone.localdate()
        events = SecurityEvent.objects.filter(at__date=today)
        numbers += [("今日安全事件", f"{events.count()} 条"),
                    ("今日登录失败", f"{events.filter(event_type='login_failed').count()} 次")]
    return numbers


class HomeView(View):
    def get(self, request: AuthedRequest) -> HttpResponse:
        from jixiao.core.years import stage_year, working_year
        from jixiao.deadlines.services import due_items

        user = request.user
        queues = [q for provider in REVIEW_QUEUES for q in provider(user)]
        return render(request, "core/home.html", {
            "title": "首页",
            "plan_year": working_year(request),
            "numbers": key_numbers(user, stage_year(request, "targets")),
            "queues": queues,
            "today": timezone.localdate(),
            "has_role": bool(user.role),
            **due_items(user, plan_year=working_year(request)),
        })


class WorkingYearView(View):
    """The header's switcher: POST a year, remembered for this user, and back to the page it came from."""

    def post(self, request: AuthedRequest) -> HttpResponse:
        from django.contrib import messages
        from django.utils.http import url_has_allowed_host_and_scheme

        from jixiao.core.years import choose_working_year, valid_year

        year = valid_year(request.POST.get("year"))
        if year is None:
            messages.error(request, "请选择有效的工作年度（2000–2100年）。")
        else:
            choose_working_year(request.user, year)
            messages.success(request, f"工作年度已切换为{year}年，各页面按该年度显示。")
        back = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = "/"
        # A page's own ?year= would hide the switch; go back to the page without it.
        path, _, query = back.partition("?")
        kept = "&".join(p for p in query.split("&") if p and not p.startswith("year="))
        return redirect(f"{path}?{kept}" if kept else path)


def healthz(request: AuthedRequest) -> JsonResponse:
    """For monitoring (not a page): the database answers; the background queue's backlog.
    ``queue.alert`` is true when the oldest waiting job waits longer than JIXIAO_QUEUE_ALERT_SECONDS
    (no worker running, or the worker stuck)."""
    from django.db import connection

    from jixiao.core.jobs import queue_state

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    queue = queue_state()
    return JsonResponse({"status": "queue_delayed" if queue.get("alert") else "ok", "queue": queue})


def bad_request(request: Any, exception: Exception) -> HttpResponse:
    """The 400 page with what was wrong (a parameter refused by core.params), in Chinese."""
    message = str(exception) if exception.args and any("\u4e00" <= ch <= "\u9fff" for ch in str(exception)) else ""
    return render(request, "400.html", {"exception": message, "title": "请求有误"}, status=400)


def server_error(request: Any) -> HttpResponse:
    """The 500 page; when the database connection is down (a restart) the 503 page, which says so
    and asks to retry. Neither touches the database. The next request reconnects by itself
    (CONN_HEALTH_CHECKS), so the app recovers without a restart."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.template import loader

    lost: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    try:  # raised unwrapped e.g. when a server-side cursor is closed on a cut connection
        import psycopg

        lost += (psycopg.OperationalError, psycopg.InterfaceError)
    except ImportError:  # pragma: no cover - SQLite-only install
        pass
    error: BaseException | None = sys.exc_info()[1]
    database_down = False
    for _ in range(5):  # the error itself or what it was raised from
        if error is None:
            break
        if isinstance(error, lost):
            database_down = True
            break
        error = error.__cause__ or error.__context__
    template = loader.get_template("503.html" if database_down else "500.html")
    response = HttpResponse(template.render(), status=503 if database_down else 500)
    if database_down:
        response["Retry-After"] = "5"
    return response
