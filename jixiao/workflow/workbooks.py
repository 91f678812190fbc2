"""Offline workbooks of workflow documents: each sheet carries the document's 系统编号 and 版本号
(cells B2/D2) so an upload finds the document, refuses one the user may not edit, and refuses a
stale sheet when it is saved."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jixiao.core.imports import RowError
from jixiao.workflow.engine import can_edit

ID_LABEL = "系统编号"


def sheet_title(ws: Any) -> str:
    return f"工作表「{ws.title}」"


def identify_sheet(ws: Any, editable: QuerySet[Any], user: Any, what: str, errors: list[RowError]) -> tuple[Any, int] | None:
    """The document a sheet belongs to and the version it was downloaded at, or None with the reason
    appended to ``errors``."""
    where = sheet_title(ws)
    if ws["A2"].value != ID_LABEL:
        errors.append(RowError(0, "", f"{where}不是系统导出的{what}（缺少系统编号）。"))
        return None
    try:
        pk, version = int(ws["B2"].value), int(ws["D2"].value)
    except (TypeError, ValueError):
        errors.append(RowError(2, ID_LABEL, f"{where}的系统编号或版本号被修改。"))
        return None
    document = editable.filter(pk=pk).first()
    if document is None or not can_edit(document, user):
        errors.append(RowError(2, ID_LABEL, f"{where}：{what}不存在、不属于本单位或当前状态不可修改。"))
        return None
    return document, version
