"""``jixiao demo load`` builds the demo district (or province-scale benchmark data);
``jixiao demo users`` lists the demo accounts."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixiao.demo import data, services

SCALE_LABELS = {"district": "区县规模", "province": "全省规模"}


class Command(BaseCommand):
    help = "演示数据：load 生成演示区县（云溪区）或全省规模基准数据；users 列出演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,users,otp}")
        load = actions.add_parser("load", help="生成演示数据（工作方案年度N：N-1、N、N+1 三个预算年度）")
        load.add_argument(
            "--scale", choices=services.SCALES, default="district",
            help="district：云溪区约 130 个单位、600 个项目；province：25000 个单位、600000 个项目（基准测试用）",
        )
        load.add_argument("--seed", type=int, default=data.DEFAULT_SEED, help=f"随机种子（默认 {data.DEFAULT_SEED}）")
        load.add_argument(
            "--year", type=int, default=None, metavar="N",
            help="工作方案年度（默认今天所在的年度；--year 2021 重现种子方案的年度）",
        )
        load.add_argument(
            "--units", type=int, default=None, metavar="N",
            help="全省规模的单位数（默认 25000；十分之一为一级预算单位，各带 9 个下属单位）",
        )
        load.add_argument("--reset", action="store_true", help="先清空业务数据和演示账号（安全日志不受影响）")
        users = actions.add_parser("users", help="列出演示账号及统一密码")
        users.add_argument("--json", action="store_true", help="以 JSON 输出")
        otp = actions.add_parser("otp", help="显示演示账号当前的动态口令（仅演示用）")
        otp.add_argument("username", help="演示账号")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "users":
            self.list_users(as_json=options["json"])
        elif options["action"] == "otp":
            self.stdout.write(services.demo_totp_code(options["username"]))
        else:
            self.load(options["scale"], options["seed"], reset=options["reset"], year=options["year"],
                      units=options["units"])

    def load(self, scale: services.Scale, seed: int, *, reset: bool, year: int | None,
             units: int | None = None) -> None:
        from jixiao.core.years import valid_year

        if year is not None and valid_year(year) is None:
            self.stderr.write("工作方案年度须在2000—2100年之间。")
            return
        if units is not None and (scale != "province" or not 400 <= units <= 250_000):
            self.stderr.write("--units 仅用于全省规模，取值 400—250000。")
            return
        try:
            summary = services.load_demo(scale, seed, reset=reset, year=year, units=units)
        except services.DemoDataPresent:
            self.stdout.write("数据库中已有预算单位或项目数据（可能已导入过演示数据），未重复导入。如需重新生成，请加 --reset。")
            return
        self.stdout.write(
            f"已导入演示数据（{SCALE_LABELS[scale]}，随机种子 {seed}，{summary.plan_year}年度工作方案，预算年度 "
            f"{data.demo_years(summary.plan_year)[0]}—{data.demo_years(summary.plan_year)[-1]}）：一级预算单位 {summary.first_level} 个，下属单位 {summary.subordinates} 个。"
        )
        self.stdout.write(
            self.style.SUCCESS(f"单位 {summary.units} 个，项目 {summary.projects} 个，用时 {summary.seconds:.1f} 秒")
        )
        if summary.targets:
            self.stdout.write(f"绩效目标申报表 {summary.targets} 张（覆盖各审核状态）。")
        if summary.documents:
            d = summary.documents
            self.stdout.write(f"绩效目标指标 {d.get('target_indicators', 0)} 条，监控表 {d.get('monitoring_forms', 0)} 张，"
                              f"国库支付 {d.get('payments', 0)} 笔，自评表 {d.get('selfevaluations', 0)} 张。")
        self.stdout.write(
            f"演示账号 {summary.users} 个，统一密码 {data.DEMO_PASSWORD}（运行 jixiao demo users 查看全部账号）。"
        )
        if summary.skipped_users:
            self.stdout.write(f"以下账号已存在，未重新创建：{'、'.join(summary.skipped_users)}")

    def list_users(self, *, as_json: bool) -> None:
        rows = services.demo_account_rows()
        if as_json:
            self.stdout.write(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        else:
            self.stdout.write(services.accounts_table(rows))
            self.stdout.write(f"\n所有演示账号的密码均为 {data.DEMO_PASSWORD}。")
            self.stdout.write("财政局和三员账号登录时还须输入动态口令：把上表的密钥加入手机身份验证器，"
                              "或运行 jixiao demo otp 账号 显示当前口令（演示密钥是公开的，仅用于演示）。")
