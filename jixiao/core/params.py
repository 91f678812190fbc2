"""Every request parameter is validated before a view sees it (issue 17 item 9).

Views read their parameters through forms, ``years.valid_year`` and ``Paginator.get_page``; this
middleware holds what they cannot see: a ``year`` outside 2000–2100 (or not a number) and a number
too large for a database integer give the Chinese 400 page; such a number in the URL's path is a
record that does not exist (404). Unknown sort keys and bad page numbers are ignored by the list view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

from jixiao.core.years import MAX_YEAR, MIN_YEAR, valid_year

#: The largest value a database integer column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_DB_INT = 2**63 - 1
NUMBER = re.compile(r"^[+-]?\d+$")
LABELS = {"year": "年度", "round": "监控轮次", "page": "页码", "ids": "编号"}


def _too_large(value: str) -> bool:
    return len(value) > 30 or abs(int(value)) > MAX_DB_INT


class ParameterGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]) -> HttpResponse | None:
        if getattr(view, "cls", None) is not None:
            return None  # the REST API validates its own parameters and answers 400 in JSON (api.filters)
        for value in kwargs.values():
            if isinstance(value, int) and abs(value) > MAX_DB_INT:
                raise Http404("记录不存在或您无权查看。")
        for name, values in request.GET.lists():
            label = LABELS.get(name, f"「{name}」")
            for value in values:
                if "\x00" in value:  # never valid text (PostgreSQL refuses it in any text comparison)
                    raise BadRequest(f"参数{label}含有不允许的字符。")
                value = value.strip()
                if (name == "year" or name.endswith("_year")) and value and valid_year(value) is None:
                    raise BadRequest(f"参数{label}的值「{value[:20]}」无效：应为{MIN_YEAR}–{MAX_YEAR}之间的年份。")
                for part in value.split(","):
                    if NUMBER.match(part.strip()) and _too_large(part.strip()):
                        raise BadRequest(f"参数{label}的值「{value[:20]}」无效：数字过大。")
        return None
