"""Banded scoring: a value falls in the first band whose bounds hold and earns that band's share of w.

A band is written as data, e.g. ``{"gt": 0, "le": 10, "share": 0.75}`` for "(0, 10] → 75% of w";
bounds that are absent do not limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from jixiao.rules.numbers import ONE, ZERO, fmt_plain
from jixiao.rules.validation import Problems, Reader

BOUND_KEYS = ("gt", "ge", "lt", "le")


@dataclass(frozen=True, slots=True)
class Band:
    share: Decimal
    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None

    def contains(self, value: Decimal) -> bool:
        return (
            (self.gt is None or value > self.gt)
            and (self.ge is None or value >= self.ge)
            and (self.lt is None or value < self.lt)
            and (self.le is None or value <= self.le)
        )

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for key in BOUND_KEYS:
            bound = getattr(self, key)
            if bound is not None:
                out[key] = float(bound)
        out["share"] = float(self.share)
        return out

    def describe(self) -> str:
        """The band in interval words: "(0, 10]"."""
        low = self.gt if self.gt is not None else self.ge
        high = self.lt if self.lt is not None else self.le
        left = "(" if self.ge is None else "["
        right = ")" if self.le is None else "]"
        low_text = "-∞" if low is None else fmt_plain(low)
        high_text = "+∞" if high is None else fmt_plain(high)
        return f"{left}{low_text}, {high_text}{right}"


def band_share(value: Decimal, bands: Iterable[Band]) -> Decimal:
    """The share of the first band containing ``value``; 0 when none does."""
    for band in bands:
        if band.contains(value):
            return band.share
    return ZERO


def read_bands(problems: Problems, reader: Reader, key: str) -> tuple[Band, ...]:
    """Read a list of bands at ``key`` (each an object with bounds and a share in [0, 1])."""
    items = reader.array(key)
    bands: list[Band] = []
    for index, raw in enumerate(items or []):
        item = reader.item(index, raw, key)
        if item is None:
            continue
        item.reject_unknown((*BOUND_KEYS, "share"))
        share = item.number("share", minimum=ZERO, maximum=ONE)
        bounds = {k: item.number(k, required=False) for k in BOUND_KEYS}
        if share is not None:
            bands.append(Band(share, **bounds))
    return tuple(bands)


def bands_from_dicts(data: Iterable[Mapping[str, object]]) -> tuple[Band, ...]:
    """Bands from plain dicts; raises DocumentError listing every problem."""
    problems = Problems()
    bands = read_bands(problems, Reader(problems, {"bands": list(data)}), "bands")
    problems.raise_if_any()
    return bands
