from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class JixiaoBackend(ModelBackend):
    """Django's backend, except that a superuser cannot log in to a production system (三权分立)."""

    def user_can_authenticate(self, user: Any) -> bool:
        if user.is_superuser and getattr(settings, "JIXIAO_PRODUCTION", False):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of a request, with the unit every page's header names (one query, not two)."""
        model = get_user_model()
        user = model._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
