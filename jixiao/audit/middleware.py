"""Refused record requests (a 404 for a signed-in user) go to the security log with the object asked for."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

from jixiao.audit.models import EventType, Outcome
from jixiao.audit.services import log_event


class RefusedRecordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not isinstance(exception, Http404) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        asked = getattr(request, "jixiao_refused_object", "")
        view = f"{match.namespace}:{match.url_name}" if match and match.namespace else (match.url_name if match else "")
        log_event(
            EventType.RECORD_REFUSED, request=request, outcome=Outcome.DENIED, obj=asked or None,
            path=request.get_full_path()[:300], view=view or "",
            arguments={k: str(v) for k, v in (match.kwargs.items() if match else [])},
        )
        return None
