"""``jixiao restore ARCHIVE``: into an empty database (create it first), every SHA-256 sum checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份文件恢复到空数据库（先校验清单中每个文件的 SHA-256）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="jixiao backup 生成的 .tar.gz 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            meta = restore(Path(options["archive"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已从 {options['archive']} 恢复（备份时间 {meta['created']}）。请运行 jixiao audit verify 校验安全日志。")
