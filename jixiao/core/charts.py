"""The one chart module: inline SVG for the pages, PNG (matplotlib) for the Word reports, with one
CJK font lookup (:func:`cjk_font`). Nothing comes from a CDN.

Bar colours are the lights of ``jixiao.rules`` (the caller passes them); the dashed line is the
time progress (序时进度, 75% for 1–9月).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = {"red": "#c0392b", "yellow": "#d4a017", "green": "#2e8b57", "blue": "#2f6ea5", "": "#9aa5b1"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal  # percent
    light: str = ""


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}%"


def execution_svg(bars: Sequence[Bar], time_progress: Decimal, title: str) -> SafeString:
    """Horizontal bars of execution rates with their labels and a dashed time-progress line."""
    label_w, bar_w, row_h, top = 190, 460, 22, 34
    scale_max = max([Decimal(100), *(b.value for b in bars)])
    height = top + row_h * max(len(bars), 1) + 30
    x = lambda v: label_w + float(v / scale_max) * bar_w  # noqa: E731
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {label_w + bar_w + 80} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg" font-size="12">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>']
    for n, bar in enumerate(bars):
        y = top + n * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(bar.label[:16])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{x(bar.value) - label_w:.1f}" height="{row_h - 8}" '
                     f'fill="{COLOURS.get(bar.light, COLOURS[""])}"><title>{escape(bar.label)}：{_fmt(bar.value)}</title></rect>')
        parts.append(f'<text x="{x(bar.value) + 4:.1f}" y="{y + 14}">{_fmt(bar.value)}</text>')
    if not bars:
        parts.append(f'<text x="{label_w}" y="{top + 14}">暂无数据</text>')
    line_x = x(time_progress)
    bottom = top + row_h * max(len(bars), 1)
    parts.append(f'<line x1="{line_x:.1f}" y1="{top - 4}" x2="{line_x:.1f}" y2="{bottom}" stroke="#1d2733" '
                 f'stroke-dasharray="5,4" stroke-width="1.5"/>')
    parts.append(f'<text x="{line_x:.1f}" y="{bottom + 16}" text-anchor="middle">序时进度 {_fmt(time_progress)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def lights_svg(counts: Sequence[tuple[str, str, int]], title: str) -> SafeString:
    """Vertical bars: how many items are red, yellow, green, blue."""
    width, height, base, bar_w = 420, 230, 190, 60
    top = max([1, *(n for _c, _l, n in counts)])
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg" font-size="12">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>']
    for n, (code, label, count) in enumerate(counts):
        h = 140 * count / top
        x = 30 + n * (bar_w + 35)
        parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{COLOURS.get(code, COLOURS[""])}">'
                     f'<title>{escape(label)}灯：{count}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base - h - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base + 18}" text-anchor="middle">{escape(label)}灯</text>')
    parts.append(f'<line x1="20" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#1d2733"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def counts_svg(counts: Sequence[tuple[str, int]], title: str, colour: str = COLOURS["blue"]) -> SafeString:
    """Vertical bars of counts by category (e.g. how many evaluations got each grade)."""
    bar_w, gap, base = 60, 35, 190
    width, height = max(420, 30 + len(counts) * (bar_w + gap)), 230
    top = max([1, *(n for _l, n in counts)])
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg" font-size="12">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>']
    for n, (label, count) in enumerate(counts):
        h = 140 * count / top
        x = 30 + n * (bar_w + gap)
        parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{colour}">'
                     f'<title>{escape(label)}：{count}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base - h - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base + 18}" text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="20" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#1d2733"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The installed CJK font every chart uses (WenQuanYi, Noto CJK, …), or None."""
    import logging

    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # wqy-zenhei has one weight only
    wanted = ("WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei",
              "Microsoft YaHei")
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in wanted if name in names), None)


def _figure(height: float) -> tuple[object, object]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    font = cjk_font()
    plt.rcParams["font.family"] = [font, "sans-serif"] if font else ["sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(7.2, height), dpi=110)


def _png(fig: object) -> bytes:
    from matplotlib import pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buf.getvalue()


def execution_png(bars: Sequence[Bar], time_progress: Decimal, title: str) -> bytes:
    fig, ax = _figure(max(2.5, 0.28 * len(bars) + 1.2))
    labels = [b.label[:14] for b in bars][::-1]
    values = [float(b.value) for b in bars][::-1]
    ax.barh(labels, values, color=[COLOURS.get(b.light, COLOURS[""]) for b in bars][::-1])  # type: ignore[attr-defined]
    for y, v in enumerate(values):
        ax.text(v + 1, y, f"{v:.2f}%", va="center", fontsize=7)  # type: ignore[attr-defined]
    ax.axvline(float(time_progress), color="#1d2733", linestyle="--", linewidth=1)  # type: ignore[attr-defined]
    ax.set_title(f"{title}（虚线：序时进度 {time_progress:.2f}%）", fontsize=10)  # type: ignore[attr-defined]
    ax.tick_params(axis="y", labelsize=7)  # type: ignore[attr-defined]
    ax.set_xlim(0, max([100.0, *values]) * 1.12)  # type: ignore[attr-defined]
    return _png(fig)


def lights_png(counts: Sequence[tuple[str, str, int]], title: str) -> bytes:
    fig, ax = _figure(2.8)
    labels = [f"{label}灯" for _c, label, _n in counts]
    values = [n for _c, _l, n in counts]
    ax.bar(labels, values, color=[COLOURS.get(c, COLOURS[""]) for c, _l, _n in counts])  # type: ignore[attr-defined]
    for x, v in enumerate(values):
        ax.text(x, v, str(v), ha="center", va="bottom", fontsize=8)  # type: ignore[attr-defined]
    ax.set_title(title, fontsize=10)  # type: ignore[attr-defined]
    return _png(fig)


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> bytes:
    """Grouped bars as PNG (e.g. weight beside score per indicator group)."""
    fig, ax = _figure(3.2)
    width = 0.8 / max(1, len(series))
    for n, (name, values) in enumerate(series):
        ax.bar([i + n * width for i in range(len(labels))], values, width=width, label=name)  # type: ignore[attr-defined]
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels)  # type: ignore[attr-defined]
    ax.set_title(title, fontsize=10)  # type: ignore[attr-defined]
    ax.legend()  # type: ignore[attr-defined]
    return _png(fig)


ACTION_COLOURS = {"priority": "#2e8b57", "keep": "#2f6ea5", "rectify_cut": "#d4a017", "cut": "#e67e22", "cancel": "#c0392b",
           "recover": "#7f8c8d"}


def amount_bars(rows: Sequence[tuple[str, str, Decimal]], title: str) -> SafeString:
    """Horizontal bars of amounts (万元) with their labels, coloured by key (e.g. a result-application action)."""
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
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{ACTION_COLOURS.get(key, "#2f6ea5")}">'
                     f"<title>{escape(label)}：{value:.2f}万元</title></rect>")
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}">{value:.2f}万元</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
