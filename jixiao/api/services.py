"""Issuing and revoking API tokens (security administrator only; both in the security log)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.api.models import TOKEN_PREFIX_LENGTH, ApiToken, token_digest
from jixiao.audit.models import EventType
from jixiao.audit.services import log_event


@transaction.atomic
def issue_token(account: Any, name: str, expires_at: datetime, issued_by: Any) -> tuple[ApiToken, str]:
    """A new token for ``account``; returns it with the secret, which is never stored."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=account, name=name, prefix=secret[:TOKEN_PREFIX_LENGTH], digest=token_digest(secret),
        issued_by=issued_by, expires_at=expires_at,
    )
    log_event(EventType.ROLE_CHANGE, user=issued_by, obj=token, action="签发接口令牌", account=account.username)
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, revoked_by: Any) -> None:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._change_reason = "吊销接口令牌"  # type: ignore[attr-defined]
        token.save(update_fields=["revoked_at"])
        log_event(EventType.ROLE_CHANGE, user=revoked_by, obj=token, action="吊销接口令牌",
                  account=token.user.username)
