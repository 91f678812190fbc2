from __future__ import annotations

from django import template

from jixiao.rules.money import format_wan, format_yuan
from jixiao.rules.ruleset import rule_set_label as _rule_set_label

register = template.Library()


@register.filter
def wan(fen: int | None) -> str:
    return format_wan(fen)


@register.filter
def yuan(fen: int | None) -> str:
    return format_yuan(fen)


@register.filter
def rule_set_label(name: str) -> str:
    """A rule set's Chinese name (never its file name)."""
    return _rule_set_label(name)


@register.filter
def can(user: object, permission: str) -> bool:
    """``{% if user|can:"monitoring.executionimport.import" %}``: the declared policy (accounts.roles)."""
    label, _, action = permission.rpartition(".")
    check = getattr(user, "can", None)
    return bool(check and check(label, action))
