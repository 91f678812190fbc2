"""Typed values parsed from target (年度指标值) and actual (实际完成值) texts.

Every value is an immutable NamedTuple with ``to_dict()`` in the shapes of
``shared/formats/selfeval-table.md`` ("Parsed target value"). NamedTuples rather than frozen
dataclasses because the parser builds one or two per indicator and a frozen dataclass costs more
than twice as much to build; the ``kind`` field keeps values of different types unequal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, NamedTuple

Op = Literal[">=", ">", "=", "<=", "<"]
POSITIVE_OPS: frozenset[str] = frozenset({">=", ">"})
REVERSE_OPS: frozenset[str] = frozenset({"<=", "<"})


def json_number(value: Decimal) -> int | float:
    """A Decimal as JSON wants it: an int when integral, else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


class Quantitative(NamedTuple):
    """A comparison with a number: "≥50个" → op ">=", value 50, unit "个"."""

    op: Op
    value: Decimal
    unit: str
    kind: Literal["quantitative"] = "quantitative"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "op": self.op, "value": json_number(self.value), "unit": self.unit}


class DatePoint(NamedTuple):
    """A calendar point as written: month always, year and day when given."""

    month: int
    year: int | None = None
    day: int | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.year is not None:
            out["year"] = self.year
        out["month"] = self.month
        if self.day is not None:
            out["day"] = self.day
        return out


class Deadline(NamedTuple):
    """A completion deadline: "9月前" → month 9; "2021年12月31日前" → year, month, day."""

    month: int
    year: int | None = None
    day: int | None = None
    op: Literal["<="] = "<="
    kind: Literal["deadline"] = "deadline"

    @property
    def point(self) -> DatePoint:
        return DatePoint(self.month, self.year, self.day)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "op": self.op, **self.point.to_dict()}


class Period(NamedTuple):
    """A time span: "2021.1.1-12.31", "2021年1月-12月"."""

    start: DatePoint
    end: DatePoint
    kind: Literal["period"] = "period"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "start": self.start.to_dict(), "end": self.end.to_dict()}


class Qualitative(NamedTuple):
    """Words a rater judges: "效果明显", "是", "有效"."""

    text: str
    kind: Literal["qualitative"] = "qualitative"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text}


class Unparsed(NamedTuple):
    """Anything else, with the reason in Chinese."""

    text: str
    reason: str
    kind: Literal["unparsed"] = "unparsed"

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "reason": self.reason}


ParsedValue = Quantitative | Deadline | Period | Qualitative | Unparsed
