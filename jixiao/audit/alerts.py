"""站内信 to the security administrators: lockouts and bursts of refusals (security.md SEC-AUD-4)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def alert_security_admins(title: str, body: str, link: str = "") -> int:
    from jixiao.accounts.models import User
    from jixiao.accounts.roles import Role
    from jixiao.workflow.models import Notification

    admins = list(User.objects.filter(role=Role.SEC_ADMIN, is_active=True))
    Notification.objects.bulk_create(
        [Notification(recipient=a, title=f"安全告警：{title}", body=body, link=link) for a in admins]
    )
    return len(admins)


REFUSAL_TYPES = ("permission_denied", "record_refused")


def note_refusal(username: str) -> None:
    """The N-th refusal of one account within the window alerts once (the next alert after N more)."""
    from jixiao.audit.models import SecurityEvent

    if not username:
        return
    since = timezone.now() - timedelta(minutes=settings.JIXIAO_REFUSAL_BURST_MINUTES)
    count = SecurityEvent.objects.filter(username=username, event_type__in=REFUSAL_TYPES, at__gte=since).count()
    if count and count % settings.JIXIAO_REFUSAL_BURST == 0:
        alert_security_admins(
            "频繁越权访问", f"账号 {username} 在{settings.JIXIAO_REFUSAL_BURST_MINUTES}分钟内被拒绝访问{count}次，"
            "请在安全日志中核查。",
        )
