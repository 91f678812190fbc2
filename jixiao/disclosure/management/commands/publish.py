"""``jixiao publish export DIR``: write the public portal as static files; ``jixiao publish pdfs``:
print every publication version's PDF still missing (after LibreOffice was installed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("信息公开：jixiao publish export 目录 —— 将公开网站导出为静态文件（HTML、CSS、下载文件、sitemap.xml、index.json）；"
            "jixiao publish pdfs —— 补充生成尚缺的公开文本PDF")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="导出静态公开网站")
        export.add_argument("directory", help="输出目录（不存在则创建）")
        export.add_argument("--base-url", default="", help="网站地址，写入 sitemap.xml；为空时写相对路径")
        sub.add_parser("pdfs", help="补充生成尚缺（暂不可用或此前未生成）的公开文本PDF")

    def handle(self, *args: Any, **options: Any) -> None:
        from jixiao.disclosure.export import export_to_directory

        if options["action"] == "pdfs":
            from jixiao.disclosure.jobs import reprint_missing

            printed, unavailable = reprint_missing()
            self.stdout.write(f"已生成 {printed} 个PDF；{unavailable} 个暂不可用")
            if unavailable:
                raise CommandError("部分PDF未能生成：请确认已安装LibreOffice（soffice），或设置 JIXIAO_SOFFICE")
            return
        if options["action"] != "export":
            raise CommandError("未知操作")
        target = Path(options["directory"])
        if target.exists() and not target.is_dir():
            raise CommandError(f"{target} 不是目录")
        count = export_to_directory(target, options["base_url"])
        self.stdout.write(f"已导出 {count} 个文件到 {target}")
