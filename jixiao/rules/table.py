"""The project self-evaluation table exchange format (shared/formats/selfeval-table.md) as typed data.

``parse_table(doc)`` validates a decoded JSON document and returns a ``SelfEvalTable``, or raises
``DocumentError`` listing every problem with the key it concerns. ``decode_json`` turns text into a
document with exact decimals.

Key rules (the format doc's "required" column covers the document; nested objects list their
fields): every listed field of ``funds`` and of each indicator must be present; amounts, weights,
claimed scores and notes may be null; names, levels, target and actual texts must be text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, cast

from jixiao.rules.numbers import ZERO
from jixiao.rules.validation import DocumentError, FieldError, Problems, Reader

KIND: Final = "project_self_eval"
AMOUNT_UNITS: Final = ("元", "万元")
GRADES: Final = ("优", "良", "中", "差")


@dataclass(frozen=True, slots=True)
class Funds:
    annual_initial_budget: Decimal | None
    annual_budget: Decimal | None
    executed: Decimal | None
    weight: Decimal | None
    score: Decimal | None


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    index: int
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: Decimal | None
    score: Decimal | None
    note: str | None

    @property
    def row(self) -> int:
        """The 1-based row number messages use (第3行)."""
        return self.index + 1

    @property
    def label(self) -> str:
        return f"第{self.row}行指标「{self.name}」"

    @property
    def has_note(self) -> bool:
        return bool(self.note and self.note.strip())


@dataclass(frozen=True, slots=True)
class SelfEvalTable:
    year: int
    unit: str
    title: str
    amount_unit: str
    funds: Funds
    indicators: tuple[IndicatorRow, ...]
    total: Decimal | None
    grade: str | None
    execution_note: str | None
    kind: str = KIND

    @property
    def has_execution_note(self) -> bool:
        return bool(self.execution_note and self.execution_note.strip())


class _ConstantError(ValueError):
    pass


def _reject_constant(name: str) -> Decimal:
    raise _ConstantError(name)


def decode_json(text: str | bytes) -> object:
    """Decode JSON with exact decimals; raises DocumentError (key "") on malformed text."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        return json.loads(text.lstrip("\ufeff"), parse_float=Decimal, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        message = "文件不是有效的 UTF-8 编码"
    except json.JSONDecodeError as exc:
        message = f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列，{_json_error_cn(exc.msg)}"
    except _ConstantError as exc:
        message = f"JSON 格式错误：不允许出现 {exc}"
    except ValueError:
        message = "JSON 格式错误：数值位数过多，无法处理"
    except RecursionError:
        message = "JSON 格式错误：嵌套层数过多"
    raise DocumentError([FieldError("", message)])


_JSON_ERRORS_CN: Final = {
    "Expecting value": "此处应为一个值",
    "Expecting property name enclosed in double quotes": "此处应为带双引号的字段名",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Extra data": "文档结束后还有多余内容",
    "Unterminated string starting at": "字符串没有结束引号",
    "Invalid control character at": "字符串中有非法控制字符",
}


def _json_error_cn(msg: str) -> str:
    return _JSON_ERRORS_CN.get(msg, "无法解析")


def parse_table(doc: object) -> SelfEvalTable:
    """Validate a decoded document; raises DocumentError listing every problem."""
    problems = Problems()
    if not isinstance(doc, dict):
        kind = "列表" if isinstance(doc, list) else type(doc).__name__
        problems.add("", f"文档应为 JSON 对象，实际为{kind}")
        problems.raise_if_any()
    r = Reader(problems, cast(dict[str, object], doc))
    r.choice("kind", (KIND,))
    year = r.integer("year", low=1000, high=9999)
    unit, title = r.text("unit"), r.text("title")
    amount_unit = r.choice("amount_unit", AMOUNT_UNITS, required=False) or "万元"
    funds = _read_funds(r)
    indicators = _read_indicators(r)
    total = r.number("total", required=False, nullable=True)
    grade = r.choice("grade", GRADES, required=False, nullable=True)
    note = r.text("execution_note", required=False, nullable=True)
    problems.raise_if_any()
    return SelfEvalTable(
        year=cast(int, year),
        unit=cast(str, unit),
        title=cast(str, title),
        amount_unit=amount_unit,
        funds=cast(Funds, funds),
        indicators=indicators,
        total=total,
        grade=grade,
        execution_note=note,
    )


def _read_funds(r: Reader) -> Funds | None:
    f = r.child("funds")
    if f is None:
        return None
    amounts = [
        f.number(k, nullable=True, minimum=ZERO)
        for k in ("annual_initial_budget", "annual_budget", "executed")
    ]
    weight = f.number("weight", nullable=True, minimum=ZERO)
    score = f.number("score", nullable=True)
    return Funds(amounts[0], amounts[1], amounts[2], weight, score)


def _read_indicators(r: Reader) -> tuple[IndicatorRow, ...]:
    rows: list[IndicatorRow] = []
    for index, raw in enumerate(r.array("indicators") or []):
        item = r.item(index, raw, "indicators")
        if item is None:
            continue
        texts = [item.text(k) for k in ("level1", "level2", "name", "target", "actual")]
        weight = item.number("weight", nullable=True, minimum=ZERO)
        score = item.number("score", nullable=True)
        note = item.text("note", nullable=True)
        if all(t is not None for t in texts):
            level1, level2, name, target, actual = (cast(str, t) for t in texts)
            rows.append(IndicatorRow(index, level1, level2, name, target, actual, weight, score, note))
    return tuple(rows)
