"""``jixiao selfeval …``: the self-evaluation checker on the command line (no Django).

    jixiao selfeval check FILE [--rules NAME] [--json]    FILE may be "-" for standard input, or a
                                                          .docx/.xlsx/.xls/.pdf table (read by import)
    jixiao selfeval import FILE [--json] [--out FILE.json]  a Word/Excel/PDF table → exchange JSON
    jixiao selfeval rules                                 list the rule sets
    jixiao selfeval parse TEXT…                           show how texts parse

Exit status: 0 no error finding, 1 an error finding, 2 a malformed document or bad usage.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from jixiao.rules.checker import EXIT_MALFORMED, EXIT_OK, CheckResult
from jixiao.rules.conventions import check_document
from jixiao.rules.overall import SheetResult
from jixiao.rules.parsing import parse_value
from jixiao.rules.report import render_errors, render_report, render_sheet_report
from jixiao.rules.ruleset import UnknownRuleSetError, available_rule_sets, get_rule_set
from jixiao.rules.table import decode_json
from jixiao.rules.validation import DocumentError

TABLE_FILES = (".docx", ".xlsx", ".xls", ".pdf")

USAGE = """用法：
  jixiao selfeval check 文件 [--rules 规则集] [--json]   检查绩效自评表（JSON、Word、Excel 或 PDF；文件为 - 时读标准输入）；
                                                        不指定规则集时按表格所符合的口径检查
  jixiao selfeval import 文件 [--json] [--out 输出.json] 读取 Word、Excel、PDF 中的绩效自评表，输出交换格式 JSON
  jixiao selfeval rules                                 列出可用规则集
  jixiao selfeval parse 文本 [文本…]                     显示指标值文本的解析结果
退出状态：0 无错误；1 有错误级问题；2 文档格式错误或用法错误。
"""


class UsageError(Exception):
    """Bad command-line usage; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class CheckOptions:
    file: str
    rules: str | None  # None: the convention the table follows
    as_json: bool


def _print(text: str) -> None:
    sys.stdout.write(text)


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _fail(message: str, key: str, as_json: bool) -> int:
    sys.stderr.write(message.rstrip("\n") + "\n")
    if as_json:
        _print_json({"errors": [{"key": key, "message": message.strip()}], "exit_status": EXIT_MALFORMED})
    return EXIT_MALFORMED


def parse_check_args(args: list[str]) -> CheckOptions:
    """Options of ``check``; raises UsageError."""
    files: list[str] = []
    rules: str | None = None
    as_json = False
    items = iter(args)
    for arg in items:
        if arg == "--json":
            as_json = True
        elif arg == "--rules":
            value = next(items, None)
            if value is None:
                raise UsageError("选项 --rules 需要一个规则集名称")
            rules = value
        elif arg.startswith("--rules="):
            rules = arg.removeprefix("--rules=")
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"未知选项：{arg}")
        else:
            files.append(arg)
    if len(files) != 1:
        raise UsageError("请指定且只指定一个要检查的文件（标准输入用 -）")
    return CheckOptions(files[0], rules, as_json)


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"文件不存在：{file}") from None
    except OSError:
        raise UsageError(f"无法读取文件：{file}") from None


def run_check(args: list[str]) -> int:
    if "-h" in args or "--help" in args:
        _print(USAGE)
        return EXIT_OK
    as_json = "--json" in args
    try:
        options = parse_check_args(args)
        rule_set = None if options.rules is None else get_rule_set(options.rules)
        data = _read(options.file)
    except UsageError as exc:
        return _fail(f"{exc}\n{USAGE}", "", as_json)
    except UnknownRuleSetError as exc:
        return _fail(str(exc), "--rules", as_json)
    doc: object
    if options.file.lower().endswith(TABLE_FILES):
        from jixiao.tablefiles.cli import document_or_fail

        doc = document_or_fail(data, options.file, as_json)
        if doc is None:
            return EXIT_MALFORMED
    else:
        try:
            doc = decode_json(data)
        except DocumentError as exc:
            doc = exc
    result = check_document(doc, rule_set)
    if isinstance(result, SheetResult):
        if options.as_json:
            _print_json(result.to_dict())
        elif result.sheet is not None:
            _print(render_sheet_report(result))
        if result.errors:
            sys.stderr.write(render_errors(result))
        return result.exit_status
    _output(result, options.as_json, result_places(result))
    return result.exit_status


def result_places(result: CheckResult) -> int:
    return get_rule_set(result.rule_set).rounding_places


def _output(result: CheckResult, as_json: bool, places: int) -> None:
    if as_json:
        _print_json(result.to_dict())
    elif not result.malformed:
        _print(render_report(result, places))
    if result.malformed:
        sys.stderr.write(render_errors(result))


def run_rules() -> int:
    for name in available_rule_sets():
        _print(f"{name}\t{get_rule_set(name).display_name}\n")
    return EXIT_OK


def run_parse(texts: list[str]) -> int:
    if not texts:
        return _fail(f"请给出要解析的文本\n{USAGE}", "", False)
    for text in texts:
        _print_json({"text": text, "parsed": parse_value(text).to_dict()})
    return EXIT_OK


def main(args: list[str]) -> int:
    """Entry point of ``jixiao selfeval``; returns the exit status."""
    if not args:
        return _fail(USAGE, "", False)
    command, rest = args[0], args[1:]
    if command in ("-h", "--help", "help"):
        _print(USAGE)
        return EXIT_OK
    if command == "check":
        return run_check(rest)
    if command == "import":
        from jixiao.tablefiles.cli import run_import

        return run_import(rest)
    if command == "rules":
        return run_rules()
    if command == "parse":
        return run_parse(rest)
    return _fail(f"未知子命令：{command}\n{USAGE}", "", "--json" in rest)
