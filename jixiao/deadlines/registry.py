"""The annual calendar's due items, declared by each stage of the cycle.

A stage registers its due items here with the plan's dates as defaults; ``ensure_year``
copies them into editable :class:`CalendarEntry` rows for a budget year, and every home page
and the due/overdue table read those rows. Stages with per-document deadlines also register a
provider that lists the user's own due documents (see ``register_provider``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DueItemType:
    code: str
    stage: str
    label: str
    #: (month, day) in the budget year the item belongs to; ``year_offset`` shifts it.
    opens: tuple[int, int] | None
    due: tuple[int, int]
    roles: frozenset[str]
    year_offset: int = 0
    basis: str = ""
    #: The page where the item is done (a URL name taking ``?year=``), linked from the due tables.
    url_name: str = ""


@dataclass(frozen=True)
class DueDocument:
    """One document a user must act on by a date (from a stage's provider)."""

    label: str
    due_on: date
    state_label: str
    url: str


ITEM_TYPES: dict[str, DueItemType] = {}
PROVIDERS: list[Callable[[Any, date], Iterable[DueDocument]]] = []


def register(item: DueItemType) -> DueItemType:
    ITEM_TYPES[item.code] = item
    return item


def register_provider(provider: Callable[[Any, date], Iterable[DueDocument]]) -> None:
    PROVIDERS.append(provider)


STAGE_LABELS = {
    "targets": "目标管理",
    "monitoring": "运行监控",
    "evaluation": "绩效评价",
    "application": "结果应用",
    "disclosure": "信息公开",
    "assessment": "考核",
}

_UNIT = frozenset({"unit_filler", "unit_approver"})
_FIN = frozenset({"perf_section", "budget_desk"})
_ALL = _UNIT | _FIN

# The plan's dates (云溪区2021年度预算绩效管理工作方案 三; domain.md §8) as editable defaults.
for _item in (
    DueItemType("targets_declare", "targets", "单位申报绩效目标（部门整体支出及项目支出）", (2, 20), (4, 15), _ALL,
                basis="方案三(一)：2月下旬至4月中旬"),
    DueItemType("key_eval_topics", "evaluation", "重点评价选题报区人大审定", None, (4, 30), frozenset({"perf_section"}),
                basis="方案三(二)2：4月底前"),
    DueItemType("selfeval_submit", "evaluation", "上年度绩效自评材料报送财政局", (5, 1), (6, 15), _ALL,
                basis="方案三(二)1：6月15日前"),
    DueItemType("unit_key_eval_reports", "evaluation", "部门重点评价报告印发、备案并公开", None, (6, 30), _UNIT,
                basis="方案三(二)2：7月前"),
    DueItemType("selfeval_publish", "disclosure", "自评报告公开", None, (7, 15), _UNIT,
                basis="方案三(二)1：7月15日前"),
    DueItemType("key_findings_publish", "disclosure", "上年度重点评价问题及整改情况公开", (1, 1), (6, 30), _UNIT,
                basis="方案三(三)1：1-6月"),
    DueItemType("monitoring_report", "monitoring", "报送1-9月绩效监控情况表（纸质及电子）", (11, 1), (11, 30), _ALL,
                basis="方案三(二′)1：11月"),
    DueItemType("focused_monitoring", "monitoring", "第三方重点绩效跟踪监控", (10, 1), (11, 30),
                frozenset({"perf_section", "agency"}), basis="方案三(二′)2：10-11月底"),
    DueItemType("key_eval_reports", "evaluation", "重点评价报告完成并报送区人大、区政府", (6, 1), (12, 31),
                frozenset({"perf_section", "agency", "expert"}), basis="方案三(二)2：12月底前"),
    DueItemType("assessment", "assessment", "年度绩效管理工作考核，结果报区绩效办", (12, 1), (12, 31), _ALL,
                basis="方案三(三)3：12月底前", url_name="assessment:overview"),
):
    register(_item)
