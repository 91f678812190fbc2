from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
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
        items = list(request.user.notifications.all()[:100])
        return render(request, "workflow/notifications.html", {"title": "通知", "items": items})

    def post(self, request: AuthedRequest) -> HttpResponse:
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
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
