"""``jixiao backup [--to DIR]``: database, media files and audit checkpoints in one dated archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份：数据库（PostgreSQL 为 pg_dump 自定义格式，SQLite 为在线备份）、附件和安全日志检查点，附 SHA-256 清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", default=str(Path(settings.VAR_DIR) / "backups"), help="备份目录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = backup(Path(options["to"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已备份到 {archive}")
        self.stdout.write(str(archive))
