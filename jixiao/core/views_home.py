"""The home page of every role: what is due for me, what waits for my review, my key numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from jixiao.core.types import AuthedRequest
from jixiao.rules.money import format_wan

#: Stages register functions returning (label, count, url) of documents waiting for this user.
REVIEW_QUEUES: list[Callable[[Any], list[tuple[str, int, str]]]] = []


def key_numbers(user: Any) -> list[tuple[str, str]]:
    from jixiao.accounts.models import User
    from jixiao.audit.models import SecurityEvent
    from jixiao.organisation.models import BudgetUnit, Project

    year = timezone.localdate().year
    numbers: list[tuple[str, str]] = []
    if user.can("organisation.project", "view"):
        projects = Project.objects.for_user(user)
        latest = projects.order_by("-year").values_list("year", flat=True).first() or year
        agg = projects.filter(year=latest).aggregate(n=Count("pk"), total=Sum("adjusted_budget_fen"))
        numbers += [
            (f"{latest}年度预算项目", f"{agg['n']} 个"),
            (f"{latest}年度项目预算", f"{format_wan(agg['total'] or 0)} 万元"),
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
        from jixiao.deadlines.services import due_items

        user = request.user
        queues = [q for provider in REVIEW_QUEUES for q in provider(user)]
        return render(request, "core/home.html", {
            "title": "首页",
            "numbers": key_numbers(user),
            "queues": queues,
            "today": timezone.localdate(),
            "has_role": bool(user.role),
            **due_items(user),
        })


def healthz(request: AuthedRequest) -> JsonResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
