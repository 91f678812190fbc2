from __future__ import annotations

from django import template

from jixiao.rules.money import format_wan, format_yuan

register = template.Library()


@register.filter
def wan(fen: int | None) -> str:
    return format_wan(fen)


@register.filter
def yuan(fen: int | None) -> str:
    return format_yuan(fen)
