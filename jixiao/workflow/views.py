from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from jixiao.core.locking import StaleEdit
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedView
from jixiao.workflow.engine import WorkflowError, perform_transition
from jixiao.workflow.forms import TransitionForm
from jixiao.workflow.models import Notification


class NotificationsView(View):
    """Each user's own notices (no role needed: everyone has an inbox)."""

    def get(self, request: AuthedRequest) -> HttpResponse:
        unread_only = request.GET.get("unread") == "1"
        items = request.user.notifications.all()
        if unread_only:
            items = items.filter(read_at__isnull=True)
        return render(request, "workflow/notifications.html",
                      {"title": "通知", "items": list(items[:100]), "unread_only": unread_only})

    def post(self, request: AuthedRequest) -> HttpResponse:
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("workflow:notifications")


class NotificationOpenView(View):
    """Opening one notice marks it read and goes to what it is about (a POST: GETs never write)."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notice.read_at is None:
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at"])
        if notice.link and url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()}):
            return redirect(notice.link)
        return redirect("workflow:notifications")


class TransitionView(ScopedView):
    """Every workflow button of every document type posts to a subclass of this view
    (``model = …``); the engine checks role, scope, state, version and required comment."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = self.get_object()
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请求不完整，请刷新页面后重试。")
            return redirect(obj)
        data = form.cleaned_data
        try:
            perform_transition(obj, data["transition"], request.user, comment=data["comment"],
                               expected_version=data["lock_version"], grade=data["grade"])
        except (WorkflowError, StaleEdit) as exc:
            messages.error(request, str(exc))
        else:
            obj.refresh_from_db()
            messages.success(request, f"操作成功，当前状态：{obj.state_label}。")
        return redirect(obj)
