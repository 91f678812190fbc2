from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class JixiaoBackend(ModelBackend):
    """Django's backend, except that a superuser cannot log in to a production system (三权分立)."""

    def user_can_authenticate(self, user: Any) -> bool:
        if user.is_superuser and getattr(settings, "JIXIAO_PRODUCTION", False):
            return False
        return super().user_can_authenticate(user)
