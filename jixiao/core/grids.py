"""Pieces for writing a form grid's rows in Python, with the markup a template loop would write.

The target declaration's indicator grid and the monitoring form's rows hold most of a deadline
day's widgets; a template loop resolving ``{{ form.x }}`` and ``{{ form.x.errors }}`` per cell cost
more CPU than the widgets themselves. The grids are written in one pass from these helpers; every
value that is not already safe HTML is escaped.
"""

from __future__ import annotations

from typing import Any

from django import forms

from jixiao.core.renderers import esc


def widget(form: forms.BaseForm, name: str) -> str:
    """``{{ form.name }}``: the field's widget (with its hidden initial when the field asks for one)."""
    return str(form[name])


def errors(form: forms.BaseForm, name: str) -> str:
    """``{{ form.name.errors }}``: the field's error list, empty when it has none (a valid or unbound form)."""
    found = form.errors.get(name) if form.is_bound else None
    return str(found) if found else ""


def hidden_fields(form: forms.BaseForm) -> str:
    """``{% for hidden in form.hidden_fields %}{{ hidden }}{% endfor %}``."""
    return "".join(str(field) for field in form.hidden_fields())


def text(value: Any) -> str:
    """``{{ value }}`` for text and whole numbers (escaped unless already safe)."""
    return esc(value)
