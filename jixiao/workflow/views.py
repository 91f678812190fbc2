from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from jixiao.core.types import AuthedRequest
from jixiao.workflow.models import Notification


class NotificationsView(View):
    """Each user's own notices (no role needed: everyone has an inbox)."""

    def get(self, request: AuthedRequest) -> HttpResponse:
        items = list(request.user.notifications.all()[:100])
        return render(request, "workflow/notifications.html", {"title": "通知", "items": items})

    def post(self, request: AuthedRequest) -> HttpResponse:
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("workflow:notifications")
