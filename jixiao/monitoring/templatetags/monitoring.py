"""``{% light_badge code label %}``: a warning light's badge, the markup ``monitoring.forms.light_badge``
writes for the form's rows too (one source)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from jixiao.monitoring.forms import light_badge as badge

register = template.Library()


@register.simple_tag
def light_badge(code: str, label: Any) -> SafeString:
    return mark_safe(badge(code, label))  # escaped by badge
