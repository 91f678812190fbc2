"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.workflow.models import Notification

    notice = Notification.objects.create(recipient=users["unit_filler"], title="测试通知", link="/")
    return {"workflow:notification_open": [("unit_filler 的通知", {"pk": notice.pk}, "")]}
