"""Reading JSON-like documents field by field, collecting every problem with the key it concerns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from jixiao.rules.numbers import fmt_plain, to_decimal

_TYPE_NAMES: Final = {
    dict: "对象",
    list: "列表",
    str: "文本",
    bool: "布尔值",
    int: "数值",
    float: "数值",
    Decimal: "数值",
    type(None): "空值(null)",
}


def type_name(value: object) -> str:
    """The Chinese name of a JSON value's type."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem of a document: the key it concerns ("funds.annual_budget") and a Chinese message."""

    key: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "message": self.message}


class DocumentError(ValueError):
    """A document that cannot be read; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("；".join(e.message for e in self.errors))


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Problems:
    """The list of problems found so far; ``context`` prefixes every message (e.g. "规则集")."""

    def __init__(self, context: str = "") -> None:
        self.context = context
        self.errors: list[FieldError] = []

    def add(self, key: str, message: str) -> None:
        self.errors.append(FieldError(key, f"{self.context}{message}"))

    def raise_if_any(self) -> None:
        if self.errors:
            raise DocumentError(self.errors)


_MISSING: Final = object()


class Reader:
    """Typed access to one JSON object; a wrong or missing field is recorded and read as None."""

    def __init__(self, problems: Problems, obj: Mapping[str, object], path: str = "") -> None:
        self.problems = problems
        self.obj = obj
        self.path = path

    def _get(self, key: str, required: bool) -> object:
        if key not in self.obj:
            if required:
                self.problems.add(join(self.path, key), f'缺少必填字段 "{join(self.path, key)}"')
            return _MISSING
        return self.obj[key]

    def _wrong(self, key: str, expected: str, value: object) -> None:
        where = join(self.path, key)
        self.problems.add(where, f'字段 "{where}" 应为{expected}，实际为{type_name(value)}')

    def _value(self, key: str, required: bool, nullable: bool, expected: str) -> object:
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if value is None and not nullable:
            self._wrong(key, expected, value)
        return value

    def text(self, key: str, *, required: bool = True, nullable: bool = False) -> str | None:
        value = self._value(key, required, nullable, "文本")
        if value is None or isinstance(value, str):
            return value
        self._wrong(key, "文本", value)
        return None

    def number(
        self,
        key: str,
        *,
        required: bool = True,
        nullable: bool = False,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        value = self._value(key, required, nullable, "数值")
        if value is None:
            return None
        where = join(self.path, key)
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self._wrong(key, "数值", value)
            return None
        number = to_decimal(value)
        if number is None:
            self.problems.add(where, f'字段 "{where}" 应为有限数值，且绝对值小于10的15次方')
        elif minimum is not None and number < minimum:
            self.problems.add(where, f'字段 "{where}" 不能小于 {fmt_plain(minimum)}')
            number = None
        elif maximum is not None and number > maximum:
            self.problems.add(where, f'字段 "{where}" 不能大于 {fmt_plain(maximum)}')
            number = None
        return number

    def integer(
        self, key: str, *, required: bool = True, nullable: bool = False, low: int, high: int
    ) -> int | None:
        value = self._value(key, required, nullable, "整数")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "整数", value)
            return None
        if not low <= value <= high:
            where = join(self.path, key)
            self.problems.add(where, f'字段 "{where}" 应在 {low} 到 {high} 之间')
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self._value(key, True, False, "布尔值")
        if value is None or isinstance(value, bool):
            return value
        self._wrong(key, "布尔值", value)
        return None

    def choice(
        self, key: str, choices: Iterable[str], *, required: bool = True, nullable: bool = False
    ) -> str | None:
        options = tuple(choices)
        value = self.text(key, required=required, nullable=nullable)
        if value is None or value in options:
            return value
        where = join(self.path, key)
        listed = "、".join(f'"{c}"' for c in options)
        self.problems.add(where, f'字段 "{where}" 应为 {listed} 之一，实际为 "{value[:40]}"')
        return None

    def child(self, key: str, *, required: bool = True) -> Reader | None:
        value = self._value(key, required, False, "对象")
        if value is None:
            return None
        if not isinstance(value, dict):
            self._wrong(key, "对象", value)
            return None
        return Reader(self.problems, value, join(self.path, key))

    def array(self, key: str, *, required: bool = True) -> list[object] | None:
        value = self._value(key, required, False, "列表")
        if value is None:
            return None
        if not isinstance(value, list):
            self._wrong(key, "列表", value)
            return None
        return value

    def item(self, index: int, value: object, key: str) -> Reader | None:
        """Element ``index`` of the list at ``key`` as an object."""
        where = f"{join(self.path, key)}[{index}]"
        if not isinstance(value, dict):
            self.problems.add(where, f'字段 "{where}" 应为对象，实际为{type_name(value)}')
            return None
        return Reader(self.problems, value, where)

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        known = set(allowed)
        for key in self.obj:
            if key not in known:
                where = join(self.path, str(key))
                self.problems.add(where, f'未知字段 "{where}"')
