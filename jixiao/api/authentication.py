"""``Authorization: Bearer <token>`` for service accounts; the token acts as its account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from jixiao.api.models import ApiToken, token_digest
from jixiao.audit.models import EventType, Outcome
from jixiao.audit.services import log_event

#: ``last_used_at`` is refreshed at most this often, so reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("令牌格式不正确：应为“Bearer 令牌”。")
        secret = header[1].decode(errors="replace")
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
        if token is None or not token.is_valid:
            log_event(EventType.PERMISSION_DENIED, request=request._request, outcome=Outcome.DENIED,
                      action="接口令牌无效", prefix=secret[:8])
            raise exceptions.AuthenticationFailed("令牌无效、已过期或已吊销。")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer token in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "令牌"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "安全管理员签发的接口令牌"}
