"""`jixiao audit verify` checks the security log's keyed chain, sequence and triggers against the
checkpoints outside the database (``--checkpoints`` adds a syslog copy) and lists every finding; `jixiao audit archive --days N`
writes rows older than N days (N ≥ 180, 网络安全法 Art. 21) to a JSON-lines file, then removes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jixiao.audit.models import verify_log
from jixiao.audit.services import ArchiveError, archive_security_log


class Command(BaseCommand):
    help = "安全日志：校验哈希链，或归档并清理超过保存期限的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验安全日志（密钥签名链、序号、检查点、触发器）")
        verify.add_argument("--checkpoints", action="append", default=[],
                            help="另一份检查点记录（如 syslog 的副本），可多次指定")
        archive = sub.add_parser("archive", help="归档并清理超过保存期限的安全日志")
        archive.add_argument("--days", type=int, required=True, help="保存天数（不少于180）")
        archive.add_argument("--to", required=True, help="归档文件（JSON Lines）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            report = verify_log([Path(p) for p in options["checkpoints"]])
            span = f"第{report.first_seq}—{report.last_seq}条，" if report.rows else ""
            self.stdout.write(f"安全日志共{report.rows}条（{span}检查点{report.checkpoints}个）。")
            for finding in report.findings:
                self.stdout.write(f"  ✗ {finding.message}")
            if not report.ok:
                raise CommandError(f"安全日志完整性校验失败：发现{len(report.findings)}处问题。")
            self.stdout.write("安全日志完整性校验通过。")
            return
        try:
            count = archive_security_log(options["days"], options["to"])
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已归档并清理 {count} 条安全日志，归档文件：{options['to']}")
