"""Navigation for the annual cycle. A section appears once it has a working page the user may open."""

from __future__ import annotations

from dataclasses import dataclass

SECTIONS = [
    ("targets", "目标管理"),
    ("monitoring", "运行监控"),
    ("evaluation", "绩效评价"),
    ("application", "结果应用"),
    ("disclosure", "信息公开"),
    ("assessment", "考核"),
    ("budget", "预算数据"),
    ("calendar", "工作日历"),
    ("system", "系统管理"),
]


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    model_label: str
    action: str = "view"


ITEMS: list[NavItem] = []


def register(*items: NavItem) -> None:
    ITEMS.extend(items)
