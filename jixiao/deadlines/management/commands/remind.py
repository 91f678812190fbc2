"""`jixiao remind [--days 7] [--date YYYY-MM-DD]`: today's deadline reminders (run daily by cron)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixiao.deadlines.services import send_reminders


class Command(BaseCommand):
    help = "向相关用户发送即将到期事项的站内提醒（每天运行一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="提前提醒的天数（默认7天）")
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="按指定日期计算（默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_reminders(options["date"], options["days"])
        self.stdout.write(f"已发送 {sent} 条到期提醒。")
