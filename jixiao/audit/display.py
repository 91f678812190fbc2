"""How audit records read to people: Chinese labels for the security log's details and the history
page's before/after values, local time to the second (never codes, dicts or UTC timestamps)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from django.utils import timezone

DETAIL_LABELS: Final[dict[str, str]] = {
    "list": "清单", "count": "数量", "format": "格式", "file": "文件", "filters": "筛选条件", "sheets": "工作表数",
    "tables": "自评表数", "errors": "错误数", "created": "新增", "updated": "更新", "rows": "行数", "reason": "原因",
    "target": "对象账号", "before": "变更前", "after": "变更后", "action": "操作", "note": "备注", "year": "年度",
    "role": "角色", "unit": "单位编号", "sectors": "行业编号", "outcome": "结果", "kind": "类型", "id": "编号",
}
VALUE_LABELS: Final[dict[str, str]] = {
    "expired": "密码已过期", "locked": "账号已锁定", "archive_security_log": "归档安全日志", "failure": "失败",
    "docx": "Word文档", "json": "数据文件", "xlsx": "Excel工作簿",
}


def local_time(value: datetime) -> str:
    """Local time to the second: 2021-03-05 14:07:31."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def role_label(code: str) -> str:
    from jixiao.accounts.roles import Role

    return str(dict(Role.choices).get(code, code)) if code else ""


def value_text(key: str, value: Any) -> str:
    """One detail value in words; nested records as 键：值 pairs, lists joined with 、."""
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_LABELS.get(k, '其他')}：{value_text(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_text(key, v) for v in value) or "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "无"
    if key == "role":
        return role_label(str(value))
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if key == "filters":
        return "有" if value else "无"
    return VALUE_LABELS.get(str(value), str(value))


def detail_text(detail: dict[str, Any]) -> str:
    return "；".join(f"{DETAIL_LABELS.get(k, '其他')}：{value_text(k, v)}" for k, v in detail.items())
