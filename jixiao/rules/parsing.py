"""Parse target and actual texts as real tables write them (selfeval-table.md "Parsed target value").

``parse_value`` never raises: whatever it cannot read becomes ``Unparsed`` with a Chinese reason.
``parse_cached`` is the same function behind an LRU cache (tables repeat their texts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Final

from jixiao.rules.values import (
    DatePoint,
    Deadline,
    Op,
    ParsedValue,
    Period,
    Qualitative,
    Quantitative,
    Unparsed,
)

MAX_NUMBER_DIGITS: Final = 30
MAX_PARSE_LENGTH: Final = 80
MAX_UNIT_LENGTH: Final = 10

REASON_EMPTY: Final = "指标值为空"
REASON_PLACEHOLDER: Final = "未填写有效指标值"
REASON_NOT_TEXT: Final = "指标值不是文本"
REASON_NO_NUMBER: Final = "有比较符号但缺少数值"
REASON_TOO_LONG: Final = "文本过长，无法识别为数值或日期"
REASON_TOO_MANY_DIGITS: Final = "数值位数过多"
REASON_RANGE: Final = "暂不支持区间形式的指标值（如“90%-95%”）"
REASON_CONFLICT: Final = "比较方向相互矛盾（如同时写了“不低于”和“以下”）"
REASON_UNIT: Final = "数值后的单位无法识别"
REASON_MONTH: Final = "月份超出范围（应为1-12月）"
REASON_DAY: Final = "日期无效"
REASON_AFTER: Final = "不支持“以后”类时间要求"
REASON_PERIOD_ORDER: Final = "起止时间颠倒"
REASON_UNKNOWN: Final = "无法识别的指标值格式"


# --- normalisation -------------------------------------------------------------------------------


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update(
        {
            ord(k): v
            for k, v in {
                "≧": "≥",
                "⩾": "≥",
                "≮": "≥",
                "≦": "≤",
                "⩽": "≤",
                "≯": "≤",
                "═": "=",
                "﹦": "=",
                "≈": "=",
                "≒": "=",
                "﹤": "<",
                "﹥": ">",
                "﹪": "%",
                "—": "-",
                "–": "-",
                "―": "-",
                "−": "-",
                "〜": "~",
                "・": "·",
                "•": "·",
                "‧": "·",
                "∙": "·",
                "㎡": "平方米",
                "㎞": "公里",
            }.items()
        }
    )
    deleted = [*range(0x00, 0x21), *range(0x7F, 0xA1), *range(0x2000, 0x2010), 0x2028, 0x2029]
    deleted += [*range(0x202A, 0x2030), 0x205F, 0x2060, 0x3000, 0xFEFF]
    table.update(dict.fromkeys(deleted))
    return table


def _character_class(code_points: Iterable[int]) -> str:
    """A regex character class matching exactly ``code_points`` (consecutive runs as ranges)."""
    runs: list[list[int]] = []
    for cp in sorted(code_points):
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return "[" + "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in runs) + "]"


_TABLE: Final = _translation_table()
_TRANSLATED_RE: Final = re.compile(_character_class(_TABLE))
"""Any character ``_TABLE`` changes: most texts have none, and a search is cheaper than ``translate``."""
_OP_SPELLINGS: Final = (
    ("≥=", "≥"),
    (">=", "≥"),
    ("=>", "≥"),
    ("≤=", "≤"),
    ("<=", "≤"),
    ("=<", "≤"),
    ("==", "="),
)
_THOUSANDS_RE: Final = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_TRAILING_PUNCT: Final = "。.,;；!！、"


def normalise_text(text: str) -> str:
    """Full-width and look-alike symbols to ASCII/≥≤, whitespace and control characters removed."""
    s = text if _TRANSLATED_RE.search(text) is None else text.translate(_TABLE)
    if "=" in s:
        for spelling, symbol in _OP_SPELLINGS:
            s = s.replace(spelling, symbol)
    if "," in s:
        s = _THOUSANDS_RE.sub("", s)
    if "(" in s:
        s = s.replace("(含)", "").replace("(含本数)", "")
    return s.rstrip(_TRAILING_PUNCT)


# --- vocabulary ----------------------------------------------------------------------------------

_SYMBOL_OPS: Final[dict[str, Op]] = {"≥": ">=", ">": ">", "=": "=", "≤": "<=", "<": "<"}
_WORD_OPS: Final[dict[str, Op]] = {
    **dict.fromkeys(
        (
            *("不低于", "不少于", "不小于", "不下于", "不得低于", "不得少于", "大于等于", "大于或等于"),
            *("高于或等于", "多于或等于", "至少", "最少", "最低", "达到", "达"),
        ),
        ">=",
    ),
    **dict.fromkeys(["大于", "高于", "多于", "超过", "超出"], ">"),
    **dict.fromkeys(
        (
            *(
                "不高于",
                "不超过",
                "不大于",
                "不多于",
                "不得高于",
                "不得超过",
                "不超出",
                "小于等于",
                "小于或等于",
            ),
            *("低于或等于", "少于或等于", "最多", "至多", "最高", "控制在"),
        ),
        "<=",
    ),
    **dict.fromkeys(["小于", "低于", "少于", "不足"], "<"),
    **dict.fromkeys(["等于", "约为", "约", "为"], "="),
}
_SUFFIX_OPS: Final[dict[str, Op]] = {
    **dict.fromkeys(["及以上", "及其以上", "或以上", "以上", "或更多", "或更高", "及更高"], ">="),
    **dict.fromkeys(["及以下", "及其以下", "或以下", "以下", "以内", "之内", "内", "或更少", "或更低"], "<="),
    "左右": "=",
}
_NEUTRAL_WORDS: Final = [
    "累计完成",
    "实际完成",
    "已完成",
    "累计",
    "全年",
    "年度",
    "年均",
    "平均",
    "人均",
    "共计",
    "合计",
    "总计",
    "预计",
    "计划",
    "力争",
    "确保",
    "实际",
    "完成",
    "实现",
    "新增",
    "新建",
    "改造",
    "开展",
    "组织",
    "举办",
    "召开",
    "发放",
    "覆盖",
    "补助",
    "资助",
    "共",
]
_PER_WORDS: Final = {
    "每月": "月",
    "月均": "月",
    "每年": "年",
    "每周": "周",
    "每天": "天",
    "每日": "天",
    "每季度": "季度",
    "每人": "人",
    "每户": "户",
    "每亩": "亩",
}
_PLACEHOLDERS: Final = frozenset(
    {"-", "--", "/", "\\", "~", "N/A", "n/a", "NA", "na", "null", "NULL", "None", "none", "nan", "NaN"}
    | {"暂无", "待定", "空", "未填", "未填写", "略", "?", "？"}
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUM: Final = r"[-+]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
_OPS_ALT: Final = _alternation([*_SYMBOL_OPS, *_WORD_OPS])
_NEUTRAL_ALT: Final = _alternation(_NEUTRAL_WORDS)
_PER_ALT: Final = _alternation(_PER_WORDS)
_SUFFIX_ALT: Final = _alternation(_SUFFIX_OPS)
_CJK: Final = "\u4e00-\u9fff"

_QUANT_RE: Final = re.compile(
    rf"^(?P<per>{_PER_ALT})?(?:[{_CJK}A-Za-z]{{1,20}}(?=[≥≤<>=]))?(?:{_NEUTRAL_ALT})*"
    rf"(?P<op1>{_OPS_ALT})?(?:{_NEUTRAL_ALT})*(?P<op2>{_OPS_ALT})?(?P<pct>百分之)?(?P<num>{_NUM})"
    rf"(?P<unit>[^0-9≥≤<>=]*?)(?P<suf>{_SUFFIX_ALT})?$"
)
_SIMPLE_RE: Final = re.compile(
    r"^([≥≤<>=])?([0-9]{1,15}(?:\.[0-9]{1,12})?)([^0-9≥≤<>=~.+\-月年季前底末完止]{0,6})$"
)
_SUFFIX_LAST_CHARS: Final = frozenset(word[-1] for word in _SUFFIX_OPS)
_RANGE_RE: Final = re.compile(rf"^(?:{_NEUTRAL_ALT}|{_OPS_ALT})*{_NUM}[^0-9]*?(?:-|~|至|到){_NUM}[^0-9]*$")
_DIGIT_RE: Final = re.compile(r"[0-9]")
_OP_SYMBOL_RE: Final = re.compile(r"[≥≤<>=%‰]")
_WORDY_RE: Final = re.compile(rf"[{_CJK}A-Za-z]")

_CN_MONTHS: Final = {
    **{c: i for i, c in enumerate("一二三四五六七八九", start=1)},
    **{"十": 10, "十一": 11, "十二": 12},
}
_DATE_PREFIX: Final = (
    "(?:已于|已在|预计于|计划于|预计|计划|力争|确保|截至到|截止到|截至|截止|最迟|不晚于|不迟于|于|在)?"
)
_TAIL: Final = rf"(?P<tail>[{_CJK}]*)"
_CN_MONTH: Final = r"[0-9]{1,2}|十[一二]?|[一二三四五六七八九]"
_DEADLINE_CN_RE: Final = re.compile(
    rf"^{_DATE_PREFIX}(?:(?P<y>[0-9]{{4}})年)?(?P<m>{_CN_MONTH})月(?:份)?(?:(?P<d>[0-9]{{1,2}})[日号])?{_TAIL}$"
)
_YEAR_WORDS_RE: Final = re.compile(
    rf"^{_DATE_PREFIX}(?:(?P<y>(?:19|20)[0-9]{{2}})年?)?"
    r"(?P<w>年底|年末|年内|年度内|年度末|年终|年中|上半年|下半年|第?[一二三四1-4]季度(?:末|底)?"
    rf"|底|末|内|终|度内|度末|){_TAIL}$"
)
_DATE_NUM_RE: Final = re.compile(
    rf"^{_DATE_PREFIX}(?P<y>(?:19|20)[0-9]{{2}})(?P<sep>[-./])(?P<m>[0-9]{{1,2}})"
    r"(?:(?P=sep)(?P<d>[0-9]{1,2}))?(?P<tail>(?:底|末)?(?:前|之前|以前|止)?(?:已?全?部?完成|完工|到位)?)$"
)
_PERIOD_CN_RE: Final = re.compile(
    r"^(?:(?P<y1>[0-9]{4})年)?(?P<m1>[0-9]{1,2})(?:月(?:(?P<d1>[0-9]{1,2})[日号])?)?(?:-|~|至|到)"
    rf"(?:(?P<y2>[0-9]{{4}})年)?(?P<m2>[0-9]{{1,2}})月(?:(?P<d2>[0-9]{{1,2}})[日号])?(?:份)?{_TAIL}$"
)
_PERIOD_NUM_RE: Final = re.compile(
    r"^(?P<y1>[0-9]{4})[./](?P<m1>[0-9]{1,2})(?:[./](?P<d1>[0-9]{1,2}))?(?:-|~|至|到)"
    rf"(?:(?P<y2>[0-9]{{4}})[./])?(?P<m2>[0-9]{{1,2}})(?:[./](?P<d2>[0-9]{{1,2}}))?{_TAIL}$"
)
_PERIOD_DASH_RE: Final = re.compile(
    r"^(?P<y1>[0-9]{4})-(?P<m1>[0-9]{1,2})(?:-(?P<d1>[0-9]{1,2}))?(?:~|至|到)"
    rf"(?:(?P<y2>[0-9]{{4}})-)?(?P<m2>[0-9]{{1,2}})(?:-(?P<d2>[0-9]{{1,2}}))?{_TAIL}$"
)
_YEAR_WORD_MONTHS: Final = {
    **dict.fromkeys(["年底", "年末", "年内", "年度内", "年度末", "年终", "下半年"], 12),
    **dict.fromkeys(["底", "末", "内", "终", "度内", "度末", ""], 12),
    **dict.fromkeys(["年中", "上半年"], 6),
}
_YEAR_WORDS_NEEDING_YEAR: Final = frozenset({"底", "末", "内", "终", "度内", "度末", ""})
_QUARTER_RE: Final = re.compile(r"^第?(?P<q>[一二三四1-4])季度")
_QUARTERS: Final = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
_AFTER_WORDS: Final = ("后", "以后", "之后")


# --- dates ---------------------------------------------------------------------------------------


def _days_in_month(year: int | None, month: int) -> int:
    if month == 2:
        leap = year is None or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else _CN_MONTHS[text]


def _date_point(year: str | None, month: str, day: str | None) -> DatePoint | str:
    """A validated DatePoint, or the Chinese reason it is invalid."""
    m = _month_number(month)
    if not 1 <= m <= 12:
        return REASON_MONTH
    y = int(year) if year else None
    d = int(day) if day else None
    if d is not None and not 1 <= d <= _days_in_month(y, m):
        return REASON_DAY
    return DatePoint(m, y, d)


def _bad_tail(tail: str) -> bool:
    return any(word in tail for word in _AFTER_WORDS)


def _deadline(text: str, year: str | None, month: str, day: str | None, tail: str) -> ParsedValue:
    if _bad_tail(tail):
        return Unparsed(text, REASON_AFTER)
    point = _date_point(year, month, day)
    if isinstance(point, str):
        return Unparsed(text, point)
    return Deadline(point.month, point.year, point.day)


def _parse_year_words(text: str, s: str) -> ParsedValue | None:
    m = _YEAR_WORDS_RE.match(s)
    if m is None:
        return None
    word, year = m["w"], m["y"]
    if year is None and word in _YEAR_WORDS_NEEDING_YEAR:
        return None
    if _bad_tail(m["tail"]):
        return Unparsed(text, REASON_AFTER)
    quarter = _QUARTER_RE.match(word)
    month = _QUARTERS[quarter["q"]] if quarter else _YEAR_WORD_MONTHS[word]
    return Deadline(month, int(year) if year else None)


def _parse_period(text: str, m: re.Match[str]) -> ParsedValue:
    if _bad_tail(m["tail"]):
        return Unparsed(text, REASON_AFTER)
    start = _date_point(m["y1"], m["m1"], m["d1"])
    end = _date_point(m["y2"], m["m2"], m["d2"])
    if isinstance(start, str):
        return Unparsed(text, start)
    if isinstance(end, str):
        return Unparsed(text, end)
    end_year = end.year if end.year is not None else start.year
    start_key = (start.year or 0, start.month, start.day or 1)
    end_key = (end_year or 0, end.month, end.day or 31)
    if start_key > end_key:
        return Unparsed(text, REASON_PERIOD_ORDER)
    return Period(start, end)


def _parse_date_like(text: str, s: str) -> ParsedValue | None:
    """Deadlines and periods; None when the text is not date-like at all."""
    if "月" in s:
        m = _DEADLINE_CN_RE.match(s)
        if m is not None:
            return _deadline(text, m["y"], m["m"], m["d"], m["tail"])
        m = _PERIOD_CN_RE.match(s)
        if m is not None:
            return _parse_period(text, m)
    if "年" in s or "季" in s:
        found = _parse_year_words(text, s)
        if found is not None:
            return found
    if "." in s or "-" in s or "/" in s:
        for regex in (_PERIOD_NUM_RE, _PERIOD_DASH_RE):
            m = regex.match(s)
            if m is not None:
                return _parse_period(text, m)
        m = _DATE_NUM_RE.match(s)
        # "2021.12" alone reads as a number; a day, a tail or a "-" / "/" makes it a date.
        if m is not None and 1 <= int(m["m"]) <= 12 and (m["sep"] != "." or m["d"] or m["tail"]):
            return _deadline(text, m["y"], m["m"], m["d"], m["tail"])
    return None


# --- quantities ----------------------------------------------------------------------------------


def _resolve_op(candidates: list[Op]) -> Op | None:
    """The comparison several spellings agree on; None when they contradict each other."""
    directional = [op for op in candidates if op != "="]
    if not directional:
        return "="
    up = any(op in (">=", ">") for op in directional)
    down = any(op in ("<=", "<") for op in directional)
    if up and down:
        return None
    return directional[0]


def _op_of(spelling: str | None) -> Op | None:
    if spelling is None:
        return None
    return _SYMBOL_OPS.get(spelling) or _WORD_OPS[spelling]


def _parse_simple_quantity(s: str) -> Quantitative | None:
    """Fast path for the common forms "≥95%", "126公里", "≤1.60万元": symbol, number, short unit."""
    m = _SIMPLE_RE.match(s)
    if m is None:
        return None
    op, num, unit = m.group(1, 2, 3)
    if unit and (unit[-1] in _SUFFIX_LAST_CHARS or unit == "百分比"):
        return None
    return Quantitative(_SYMBOL_OPS[op] if op else "=", Decimal(num), unit)


def written_op(text: str) -> Op | None:
    """The comparison a quantity's text spells itself ("≤95%" → "<=", "不低于90%" → ">="); None
    when it spells none ("95%") or is no quantity. A target form's chosen 计算符号 applies then."""
    s = normalise_text(text)
    m = _SIMPLE_RE.match(s)
    if m is not None and m.group(1):
        return _SYMBOL_OPS[m.group(1)]
    q = _QUANT_RE.match(s)
    if q is None:
        return None
    candidates = [op for op in (_op_of(q["op1"]), _op_of(q["op2"]), _SUFFIX_OPS.get(q["suf"] or "")) if op]
    return _resolve_op(candidates) if candidates else None


def _parse_quantity(text: str, s: str) -> ParsedValue | None:
    m = _QUANT_RE.match(s)
    if m is None:
        return None
    num = m["num"]
    if len(num) > MAX_NUMBER_DIGITS and sum(c.isdigit() for c in num) > MAX_NUMBER_DIGITS:
        return Unparsed(text, REASON_TOO_MANY_DIGITS)
    unit = m["unit"]
    if "-" in unit or "~" in unit or len(unit) > MAX_UNIT_LENGTH:
        return Unparsed(text, REASON_UNIT)
    if unit == "百分比" or (m["pct"] and not unit):
        unit = "%"
    if m["per"]:
        unit = f"{unit}/{_PER_WORDS[m['per']]}"
    candidates = [op for op in (_op_of(m["op1"]), _op_of(m["op2"]), _SUFFIX_OPS.get(m["suf"] or "")) if op]
    op = _resolve_op(candidates)
    if op is None:
        return Unparsed(text, REASON_CONFLICT)
    return Quantitative(op, Decimal(num.lstrip("+")), unit)


# --- entry points --------------------------------------------------------------------------------


def parse_value(text: str | None) -> ParsedValue:
    """Parse one target or actual text. Never raises."""
    if text is None:
        return Unparsed("", REASON_EMPTY)
    if not isinstance(text, str):
        if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
            return parse_value(str(text))
        return Unparsed(repr(text), REASON_NOT_TEXT)
    s = normalise_text(text)
    quick = _parse_simple_quantity(s)
    if quick is not None:
        return quick
    shown = text.strip()
    if not s:
        return Unparsed(shown, REASON_EMPTY)
    if s in _PLACEHOLDERS:
        return Unparsed(shown, REASON_PLACEHOLDER)
    if _DIGIT_RE.search(s) is None:
        return _parse_wordy(shown, s)
    if len(s) > MAX_PARSE_LENGTH:
        return Unparsed(shown, REASON_TOO_LONG)
    found = _parse_date_like(shown, s) or _parse_quantity(shown, s)
    if found is not None:
        return found
    if _RANGE_RE.match(s):
        return Unparsed(shown, REASON_RANGE)
    return Unparsed(shown, REASON_UNKNOWN)


def _parse_wordy(shown: str, s: str) -> ParsedValue:
    """A text without digits: a deadline in words, qualitative words, or symbols without a number."""
    if len(s) <= MAX_PARSE_LENGTH:
        found = _parse_date_like(shown, s)
        if found is not None:
            return found
    if _OP_SYMBOL_RE.search(s) is not None or _WORDY_RE.search(s) is None:
        return Unparsed(shown, REASON_NO_NUMBER)
    return Qualitative(shown)


parse_cached = lru_cache(maxsize=1 << 16)(parse_value)
"""``parse_value`` with an LRU cache: values are immutable and tables repeat their texts."""
