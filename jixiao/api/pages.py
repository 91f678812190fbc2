"""The security administrator's pages for API tokens: list, issue (secret shown once), revoke."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jixiao.api.forms import TokenIssueForm
from jixiao.api.models import ApiToken
from jixiao.api.services import issue_token, revoke_token
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedView


class TokenListView(ScopedView):
    model = ApiToken
    title = "接口令牌"

    def get(self, request: AuthedRequest) -> HttpResponse:
        tokens = self.scoped().select_related("user", "issued_by")
        return render(request, "api/token_list.html", {
            "title": self.title, "tokens": tokens, "can_issue": request.user.can("api.apitoken", "add"),
        })


class TokenIssueView(ScopedView):
    model = ApiToken
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.show(TokenIssueForm())

    def show(self, form: TokenIssueForm, status: int = 200) -> HttpResponse:
        return render(self.request, "core/form.html", {"title": "签发接口令牌", "form": form}, status=status)

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = TokenIssueForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        end_of_day = dt.datetime.combine(form.cleaned_data["expires_on"], dt.time(23, 59, 59))
        token, secret = issue_token(form.cleaned_data["user"], form.cleaned_data["name"],
                                    timezone.make_aware(end_of_day), request.user)
        return render(request, "api/token_issued.html", {"title": "令牌已签发", "token": token, "secret": secret})


class TokenRevokeView(ScopedView):
    model = ApiToken
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        token: Any = self.get_object()
        revoke_token(token, request.user)
        messages.success(request, f"令牌“{token}”已吊销。")
        return redirect("api:token_list")
