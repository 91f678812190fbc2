"""A form renderer that writes the common widgets in Python, with Django's markup to the byte.

A target declaration form has about a hundred widgets; rendering each through three nested
templates (``text.html`` → ``input.html`` → ``attrs.html``) was most of the page's CPU time on a
deadline day. Inputs, textareas, selects and checkbox/radio lists are written here exactly as Django's templates write
them (tested against the templates); every other widget falls back to the templates.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def esc(value: Any) -> str:
    """``conditional_escape`` (what ``{{ value }}`` writes for text) without its lazy wrapper for plain text."""
    if type(value) is str:
        return html.escape(value)  # what django.utils.html.escape does to a str
    return str(conditional_escape(value))


def _text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` with autoescape."""
    if type(value) is str:
        return html.escape(value)
    return esc(value if isinstance(value, SafeString) else str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {esc(name)}")
        else:
            out.append(f' {esc(name)}="{_text(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    body = esc(value) if value else ""
    return f'<textarea name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


def _option(option: Mapping[str, Any]) -> str:
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{esc(option["label"])}</option>'


def _select(widget: Mapping[str, Any]) -> str:
    parts = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in group_choices:
            parts.append(f"\n  {_option(option)}\n")  # select_option.html ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input_option(option: Mapping[str, Any]) -> str:
    """``checkbox_option.html``/``radio_option.html`` → ``input_option.html``: the input, wrapped in its
    label when the option asks for it (``input.html`` and both option templates end with a newline)."""
    field = _input(option) + "\n"
    if not option["wrap_label"]:
        return field + "\n\n"
    option_id = option["attrs"].get("id")
    target = f' for="{esc(option_id)}"' if option_id else ""
    return f"<label{target}>{field} {esc(option['label'])}</label>\n\n"


def _multiple_input(widget: Mapping[str, Any]) -> str:
    """``multiple_input.html`` (checkbox and radio lists)."""
    widget_id = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    parts = ["<div", f' id="{esc(widget_id)}"' if widget_id else "",
             f' class="{esc(css)}"' if css else "", ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f"\n  <div><label>{esc(group_name)}</label>")
        for option in group_choices:
            parts.append(f"<div>\n    {_input_option(option)}</div>")
        if group_name:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


_INPUTS = ("text", "number", "hidden", "email", "password", "date", "time", "datetime", "url", "tel", "search",
           "color", "checkbox")
FAST_WIDGETS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/checkbox_select.html": _multiple_input,
    "django/forms/widgets/radio.html": _multiple_input,
}
#: The option templates each list widget's options must use for the Python path (a custom one falls back).
_OPTION_TEMPLATES = {
    "django/forms/widgets/select.html": "django/forms/widgets/select_option.html",
    "django/forms/widgets/checkbox_select.html": "django/forms/widgets/checkbox_option.html",
    "django/forms/widgets/radio.html": "django/forms/widgets/radio_option.html",
}


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST_WIDGETS.get(template_name)
        widget = context.get("widget")
        if fast is None or widget is None or not _plain_options(template_name, widget):
            return super().render(template_name, context, request)
        return mark_safe(fast(widget))


def _plain_options(template_name: str, widget: Mapping[str, Any]) -> bool:
    """List widgets whose options use the stock option template (a custom one falls back)."""
    stock = _OPTION_TEMPLATES.get(template_name)
    if stock is None:
        return True
    return all(
        option.get("template_name") == stock
        for _name, options, _index in widget["optgroups"]
        for option in options
    )
