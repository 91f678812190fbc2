"""Offline workbooks of workflow documents.

Each sheet shows the document's 系统编号 and 版本号 (B2/D2) for people, but the upload trusts only a
hidden, locked cell holding a value signed by the server (document kind, key, version and the
visible code). A changed 系统编号, a token copied from another sheet or a sheet whose visible code
was edited is refused, naming the sheet; a document the user may not edit is refused too, and a
stale sheet is refused when it is saved.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db.models import QuerySet

from jixiao.core.imports import RowError
from jixiao.core.spreadsheets import set_cell
from jixiao.workflow.engine import can_edit

ID_LABEL = "系统编号"
#: the hidden cell holding the signed identity (column K is hidden and locked)
TOKEN_CELL = "K2"
TOKEN_COLUMN = "K"
SALT = "jixiao.workbook-identity"


def sheet_title(ws: Any) -> str:
    return f"工作表「{ws.title}」"


def write_identity(ws: Any, document: Any, code: str) -> None:
    """The visible 系统编号/版本号 (row 2) and the signed identity in the hidden cell."""
    label = document._meta.label_lower
    for column, value in enumerate([ID_LABEL, document.pk, "版本号", document.lock_version,
                                    "（系统编号和版本号请勿修改）"], start=1):
        set_cell(ws, 2, column, value)
    token = signing.dumps({"m": label, "pk": document.pk, "v": document.lock_version, "code": code}, salt=SALT)
    set_cell(ws, 2, 11, token)
    ws.column_dimensions[TOKEN_COLUMN].hidden = True


def identify_sheet(ws: Any, editable: QuerySet[Any], user: Any, what: str, errors: list[RowError],
                   code_cell: str = "") -> tuple[Any, int] | None:
    """The document a sheet belongs to and the version it was downloaded at, or None with the reason
    appended to ``errors``. ``code_cell`` is the visible code cross-checked with the signed one."""
    where = sheet_title(ws)
    if ws["A2"].value != ID_LABEL:
        errors.append(RowError(0, "", f"{where}不是系统导出的{what}（缺少系统编号）。"))
        return None
    try:
        identity = signing.loads(str(ws[TOKEN_CELL].value or ""), salt=SALT)
        pk, version = int(identity["pk"]), int(identity["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        errors.append(RowError(2, ID_LABEL, f"{where}的系统标识缺失或被修改，请重新下载工作簿后填写。"))
        return None
    if identity.get("m") != editable.model._meta.label_lower:
        errors.append(RowError(2, ID_LABEL, f"{where}不是{what}。"))
        return None
    shown = ws["B2"].value, ws["D2"].value
    if str(shown[0]) != str(pk) or str(shown[1]) != str(version):
        errors.append(RowError(2, ID_LABEL, f"{where}的系统编号或版本号被修改（应为{pk}、{version}），请恢复后重新上传。"))
        return None
    if code_cell and _text(ws[code_cell].value) != str(identity.get("code", "")):
        errors.append(RowError(ws[code_cell].row, "", f"{where}的编码「{_text(ws[code_cell].value)}」与系统记录"
                                                      f"「{identity.get('code', '')}」不一致，该工作表不是这条记录的，请勿复制粘贴工作表内容。"))
        return None
    document = editable.filter(pk=pk).first()
    if document is None or not can_edit(document, user):
        errors.append(RowError(2, ID_LABEL, f"{where}：{what}不存在、不属于本单位或当前状态不可修改。"))
        return None
    return document, version


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()
