"""`jixiao audit verify` checks the security log's hash chain; `jixiao audit archive --days N`
writes rows older than N days (N ≥ 180, 网络安全法 Art. 21) to a JSON-lines file, then removes them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.audit.models import verify_chain
from jixiao.audit.services import ArchiveError, archive_security_log


class Command(BaseCommand):
    help = "安全日志：校验哈希链，或归档并清理超过保存期限的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验安全日志哈希链")
        archive = sub.add_parser("archive", help="归档并清理超过保存期限的安全日志")
        archive.add_argument("--days", type=int, required=True, help="保存天数（不少于180）")
        archive.add_argument("--to", required=True, help="归档文件（JSON Lines）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            broken = verify_chain()
            if broken is not None:
                raise CommandError(f"安全日志完整性校验失败：第一条异常记录 #{broken.pk}（{broken}）")
            self.stdout.write("安全日志完整性校验通过。")
            return
        try:
            count = archive_security_log(options["days"], options["to"])
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已归档并清理 {count} 条安全日志，归档文件：{options['to']}")
