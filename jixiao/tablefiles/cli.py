"""``jixiao selfeval import FILE [--json] [--out FILE.json]`` (no Django).

Reads a Word / Excel / PDF self-evaluation table and writes the exchange JSON
(shared/formats/selfeval-table.md): to standard output, or with ``--out`` to a file, then printing
the checked table. ``--json`` prints ``{"document": …, "check": …}``. A cell that cannot be read is
listed by row and column and nothing is written (exit status 2).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jixiao.rules.layout import CellProblem
from jixiao.tablefiles.readers import import_table


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _problems(problems: tuple[CellProblem, ...], filename: str, as_json: bool) -> None:
    lines = [f"无法读取「{filename}」中的绩效自评表："] + [f"  - {p.message}" for p in problems]
    sys.stderr.write("\n".join(lines) + "\n")
    if as_json:
        _print_json({"errors": [p.to_dict() for p in problems], "exit_status": 2})


def document_or_fail(data: bytes, filename: str, as_json: bool) -> dict[str, object] | None:
    """The exchange document read from a table file; None after reporting what could not be read."""
    result = import_table(data, filename)
    if result.document is None or result.problems:
        _problems(result.problems, filename, as_json)
        return None
    return result.document


USAGE = "用法：jixiao selfeval import 文件（.docx、.xlsx、.xls、.pdf） [--json] [--out 输出.json]\n"


def run_import(args: list[str]) -> int:
    from jixiao.rules.cli import result_places
    from jixiao.rules.conventions import check_document
    from jixiao.rules.overall import SheetResult
    from jixiao.rules.report import render_report, render_sheet_report

    as_json = "--json" in args
    out: str | None = None
    files: list[str] = []
    items = iter(args)
    for arg in items:
        if arg in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if arg == "--out":
            out = next(items, None)
            if out is None:
                sys.stderr.write("选项 --out 需要一个文件名\n" + USAGE)
                return 2
        elif arg.startswith("--out="):
            out = arg.removeprefix("--out=")
        elif arg.startswith("-") and arg != "--json":
            sys.stderr.write(f"未知选项：{arg}\n" + USAGE)
            return 2
        elif arg != "--json":
            files.append(arg)
    if len(files) != 1:
        sys.stderr.write("请指定且只指定一个要读取的文件\n" + USAGE)
        return 2
    try:
        data = Path(files[0]).read_bytes()
    except OSError:
        sys.stderr.write(f"无法读取文件：{files[0]}\n")
        return 2
    doc = document_or_fail(data, Path(files[0]).name, as_json)
    if doc is None:
        return 2
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    result = check_document(doc, None)
    if out is not None:
        Path(out).write_text(text, encoding="utf-8")
    if as_json:
        _print_json({"document": doc, "check": result.to_dict()})
    elif out is None:
        sys.stdout.write(text)
    elif isinstance(result, SheetResult):
        sys.stdout.write(f"已写入 {out}\n" + render_sheet_report(result))
    else:
        sys.stdout.write(f"已写入 {out}\n" + render_report(result, result_places(result)))
    return 0
