"""Inline-SVG bars of amounts (万元) for the board's totals; nothing from a CDN."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = {"priority": "#2e8b57", "keep": "#2f6ea5", "rectify_cut": "#d4a017", "cut": "#e67e22", "cancel": "#c0392b",
           "recover": "#7f8c8d"}


def amount_bars(rows: Sequence[tuple[str, str, Decimal]], title: str) -> SafeString:
    """Horizontal bars: (colour key, label, amount in 万元)."""
    label_w, bar_w, row_h, top = 150, 420, 22, 34
    peak = max([Decimal(1), *(abs(v) for _k, _l, v in rows)])
    height = top + row_h * max(len(rows), 1) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {label_w + bar_w + 110} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg" font-size="12">', f"<title>{escape(title)}</title>",
             f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>']
    for n, (key, label, value) in enumerate(rows):
        y = top + n * row_h
        w = float(abs(value) / peak) * bar_w
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS.get(key, "#2f6ea5")}">'
                     f"<title>{escape(label)}：{value:.2f}万元</title></rect>")
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}">{value:.2f}万元</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
