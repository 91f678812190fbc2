"""``jixiao monitoring_summary`` rebuilds the monitoring dashboard's summary lines of every round
from the forms (``jixiao.monitoring.summary``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jixiao.monitoring.summary import rebuild_all


class Command(BaseCommand):
    help = "监控汇总数：按监控表重新计算各监控轮次的汇总数（监控汇总分析页读取）"

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = rebuild_all()
        self.stdout.write(f"已重新计算{rounds}个监控轮次的汇总数。")
