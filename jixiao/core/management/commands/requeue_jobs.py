"""``jixiao requeue_jobs``: list (and enqueue again) background jobs that Redis lost (issue 16 item 3).

Redis keeps nothing on disk here: a restart loses every job that waited. The database keeps the
truth (each upload or report is "queued" or "running" until a job finishes it), so every such
record whose job Redis no longer has is listed and enqueued again; the job's claim on its record
makes a duplicate harmless. RQ workers do the same at start and every few minutes.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "列出并重新排队在队列服务（Redis）中丢失的后台任务（导入、报告）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出，不重新排队")
        parser.add_argument("--older-than", type=int, default=0,
                            help="只处理等待超过这么多秒的任务 (default: %(default)s)")

    def handle(self, *args: Any, dry_run: bool = False, older_than: int = 0, **options: Any) -> None:
        if settings.TASKS["default"]["BACKEND"] != "jixiao.core.rqjobs.Backend":
            raise CommandError("后台任务使用数据库队列（db_worker），任务不会丢失，无需重新排队。")
        from jixiao.core import rqjobs

        found = rqjobs.lost_jobs(older_than) if dry_run else rqjobs.requeue_lost(older_than)
        for _path, record, status in found:
            state = "处理中" if status == "running" else "排队中"
            self.stdout.write(f"{record._meta.verbose_name}「{record}」（编号{record.pk}，{state}）"
                              f"{'队列中已丢失' if dry_run else '已重新排队'}")
        self.stdout.write(f"共{len(found)}个任务{'在队列中丢失' if dry_run else '已重新排队'}。")
