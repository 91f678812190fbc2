"""Limits on uploaded files, checked before anything is parsed (issue 17 item 1).

:func:`guard` looks at what a workbook declares and contains without building it: the zip's
entries, their uncompressed sizes and compression ratios (zip bombs), every worksheet's declared
dimension and its real row and cell counts (streamed, stopping at the first limit passed). A CSV
is checked for its size and rows. A refused file raises :class:`FileRefused` with a Chinese
message; the caller records it as a file-level import error.

:func:`run_limited` then runs the parser in a forked child with an address-space limit and an
alarm, so a file that still explodes kills only that child, never the worker or the web process.
"""

from __future__ import annotations

import contextlib
import faulthandler
import marshal
import os
import pickle
import re
import resource
import select
import signal
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one kind of import accepts. Rows and columns count the used area of every sheet."""

    label: str
    max_bytes: int = 20 * MIB
    max_uncompressed: int = 200 * MIB
    max_ratio: int = 100
    max_entries: int = 500
    max_sheets: int = 20
    max_rows: int = 100_000
    max_columns: int = 100
    max_cells: int = 2_000_000

    def describe_bytes(self) -> str:
        return f"{self.max_bytes // MIB}MB"


#: Limits per import, chosen to fit a province's data on a small server.
BUDGET_DATA = Limits("预算数据", max_uncompressed=400 * MIB, max_rows=700_000, max_columns=60, max_cells=15_000_000)
TREASURY = Limits("国库支付数据", max_uncompressed=400 * MIB, max_rows=1_500_000, max_columns=30,
                  max_cells=20_000_000)
TARGET_WORKBOOK = Limits("绩效目标工作簿", max_sheets=310, max_entries=1000, max_rows=500, max_columns=30,
                         max_cells=1_000_000)
SELFEVAL_WORKBOOK = Limits("绩效自评表", max_sheets=310, max_entries=1000, max_rows=500, max_columns=30,
                           max_cells=1_000_000)
EVIDENCE = Limits("佐证材料")


class FileRefused(Exception):
    """The file is over a limit; ``str(exc)`` is the Chinese message shown to the user."""


def guard(content: bytes, filename: str, limits: Limits) -> None:
    """Refuse ``content`` (raise FileRefused) when it is over ``limits``; nothing is parsed."""
    if len(content) > limits.max_bytes:
        raise FileRefused(f"文件大小{size_text(len(content))}，超过{limits.label}导入允许的{limits.describe_bytes()}，"
                          "文件未读取。请拆分后分批上传。")
    name = filename.lower()
    if name.endswith(".csv"):
        _guard_csv(content, limits)
    elif content.startswith(XLSX_MAGIC):
        _guard_xlsx(content, limits)
    # .xls (BIFF) declares nothing cheaply readable: its size limit above and the parser's
    # memory and time limits (run_limited) hold it.


def size_text(n: int) -> str:
    return f"{n / MIB:.1f}".removesuffix(".0") + "MB" if n >= MIB else f"{max(1, n // 1024)}KB"


def _guard_csv(content: bytes, limits: Limits) -> None:
    rows = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if rows > limits.max_rows + 1:
        raise FileRefused(f"文件有{rows}行，超过{limits.label}导入允许的{limits.max_rows}行，文件未读取。请拆分后分批上传。")


def _guard_xlsx(content: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise FileRefused("文件不是有效的Excel工作簿（.xlsx），文件未读取。请用Excel另存为 .xlsx 后重新上传。") from None
    if len(entries) > limits.max_entries:
        raise FileRefused(f"工作簿包含{len(entries)}个部件，超过允许的{limits.max_entries}个，文件未读取。")
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed:
        raise FileRefused(f"工作簿解压后为{size_text(total)}，超过{limits.label}导入允许的"
                          f"{limits.max_uncompressed // MIB}MB，文件未读取。请拆分后分批上传。")
    for e in entries:
        if e.file_size > MIB and e.file_size > limits.max_ratio * max(e.compress_size, 1):
            raise FileRefused(f"工作簿的压缩比异常（{e.file_size // max(e.compress_size, 1)}倍），"
                              "疑似压缩炸弹，文件未读取。请用Excel重新保存后上传。")
    sheets = _sheet_names(archive)
    if len(sheets) > limits.max_sheets:
        raise FileRefused(f"工作簿有{len(sheets)}个工作表，超过允许的{limits.max_sheets}个，文件未读取。")
    cells = 0
    for path, title in sheets.items():
        cells = _guard_sheet(archive, path, title, limits, cells)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → its title, in workbook order (falls back to the part names)."""
    names: dict[str, str] = {}
    try:
        workbook = archive.read("xl/workbook.xml")[: 4 * MIB].decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels")[: 4 * MIB].decode("utf-8", "replace")
    except KeyError:
        workbook = rels = ""
    targets = {m["id"]: m["target"] for m in re.finditer(
        r'<Relationship\b(?=[^>]*\bId="(?P<id>[^"]+)")(?=[^>]*\bTarget="(?P<target>[^"]+)")[^>]*>', rels)}
    for m in re.finditer(r'<(?:\w+:)?sheet\b(?=[^>]*\bname="(?P<name>[^"]*)")(?=[^>]*\br:id="(?P<id>[^"]+)")[^>]*>',
                         workbook):
        target = targets.get(m["id"], "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        names[path] = _unescape(m["name"])
    existing = {e.filename for e in archive.infolist()}
    for path in sorted(existing):
        if path.startswith("xl/worksheets/") and path.endswith(".xml") and path not in names:
            names[path] = path.rsplit("/", 1)[-1].removesuffix(".xml")
    return {p: n for p, n in names.items() if p in existing}


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')
ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
CELL_TAG = re.compile(rb"<(?:\w+:)?c\b")
#: the row numbers of r="B12" (cells) and r="12" (rows), and the column letters of cells
REF_ROWS = re.compile(rb'r="[A-Z]{0,3}(\d{1,7})"')
REF_COLUMNS = re.compile(rb'r="([A-Z]{1,3})\d{1,7}"')


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _guard_sheet(archive: zipfile.ZipFile, path: str, title: str, limits: Limits, cells: int) -> int:
    """Stream one worksheet's XML; stop at the first limit passed. Returns the running cell count."""
    rows = max_row = max_col = 0
    seen_dimension = False
    for chunk in _xml_chunks(archive, path):
        if not seen_dimension and b"dimension" in chunk and (m := DIMENSION.search(chunk)):
            seen_dimension = True
            last_col, last_row = (m[3], m[4]) if m[3] else (m[1], m[2])
            declared_rows, declared_cols = int(last_row), column_number(last_col)
            _check_area(title, declared_rows, declared_cols, limits, "声明的范围")
        # counted by substring search (a budget export has hundreds of thousands of cells): "<c" also counts
        # the few other elements starting with c (<col>, <cfRule>) and "<row" a <rowBreaks>, which only errs
        # towards the limit; tags with a namespace prefix (<x:row>) by the regular expressions
        if b":row" in chunk or b":c " in chunk:
            rows += len(ROW_TAG.findall(chunk))
            cells += len(CELL_TAG.findall(chunk))
        else:
            rows += chunk.count(b"<row")
            cells += chunk.count(b"<c")
        # r="B12" of cells, r="12" of rows (an attribute merely ending in r adds nothing large); the distinct
        # values only (a few columns, one number per row) are converted
        if numbers := set(REF_ROWS.findall(chunk)):
            max_row = max(max_row, *map(int, numbers))
        if letters := set(REF_COLUMNS.findall(chunk)):
            max_col = max(max_col, *map(column_number, letters))
        _check_area(title, max(rows, max_row), max_col, limits, "实际使用的范围")
        if cells > limits.max_cells:
            raise FileRefused(f"工作簿的单元格超过{limits.label}导入允许的{limits.max_cells}个，文件未读取。请拆分后分批上传。")
    return cells


def _check_area(title: str, rows: int, cols: int, limits: Limits, what: str) -> None:
    if rows > limits.max_rows + 1 or cols > limits.max_columns or rows * cols > limits.max_cells:
        raise FileRefused(
            f"工作表「{title}」{what}为{rows}行×{cols}列，超过{limits.label}导入允许的"
            f"{limits.max_rows}行×{limits.max_columns}列，文件未读取。请删除多余的行和列（或拆分文件）后重新上传。")


def _xml_chunks(archive: zipfile.ZipFile, path: str, size: int = 256 * 1024) -> Iterator[bytes]:
    """The part's XML in pieces that each end at a tag boundary (so no tag is split)."""
    tail = b""
    try:
        with archive.open(path) as stream:
            while block := stream.read(size):
                data = tail + block
                cut = data.rfind(b">") + 1
                tail = data[cut:]
                if len(tail) > 4 * size:
                    raise FileRefused("工作簿的工作表内容格式异常，文件未读取。")
                if cut:
                    yield data[:cut]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        raise FileRefused("工作簿已损坏（解压校验失败），文件未读取。请用Excel重新保存后上传。") from None
    if tail:
        yield tail


# --- running a parser with memory and time limits ------------------------------------------------

PARSE_LIMIT_MESSAGE = "解析该文件超出了内存或时间限制（{detail}），文件未导入。请删除多余的行列、拆分文件后重新上传。"


def parse_memory_bytes() -> int:
    return int(getattr(settings, "JIXIAO_PARSE_MEMORY_MB", 2048)) * MIB


def parse_seconds() -> int:
    return int(getattr(settings, "JIXIAO_PARSE_SECONDS", 300))


#: the first byte of a result sent as marshal (a pickle starts with b"\\x80")
MARSHALLED = b"M"


def run_limited(fn: Callable[..., T], *args: Any, memory_bytes: int | None = None, seconds: int | None = None) -> T:
    """``fn(*args)`` in a forked child limited to ``memory_bytes`` more memory and ``seconds``.

    The result (or the exception ``fn`` raised) comes back marshalled or pickled. A child killed by the kernel,
    aborted by a failed allocation or out of time raises FileRefused; the caller's process is
    untouched. ``fn`` must not use the database.
    """
    memory = parse_memory_bytes() if memory_bytes is None else memory_bytes
    limit = parse_seconds() if seconds is None else seconds
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read_end)
        _child(fn, args, memory, limit, write_end)
    os.close(write_end)
    deadline = time.monotonic() + limit + 2
    chunks: list[bytes] = []
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], min(remaining, 1.0))
            if ready:
                block = os.read(read_end, 1 << 20)
                if not block:
                    break
                chunks.append(block)
    finally:
        os.close(read_end)
        if timed_out:
            kill_process(pid)
        _, status = os.waitpid(pid, 0)
    payload = b"".join(chunks)
    if timed_out or not payload:
        if timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM):
            raise FileRefused(PARSE_LIMIT_MESSAGE.format(detail=f"超过{limit}秒"))
        raise FileRefused(PARSE_LIMIT_MESSAGE.format(detail=f"超过{memory // MIB}MB内存"))
    ok, value = marshal.loads(payload[1:]) if payload[:1] == MARSHALLED else pickle.loads(payload)
    if ok:
        return value  # type: ignore[no-any-return]
    if isinstance(value, MemoryError):
        raise FileRefused(PARSE_LIMIT_MESSAGE.format(detail=f"超过{memory // MIB}MB内存"))
    raise value


def kill_process(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _child(fn: Callable[..., Any], args: tuple[Any, ...], memory: int, seconds: int, out: int) -> None:  # pragma: no cover
    code = 0
    try:
        faulthandler.disable()  # a killed parser is expected here, not a crash to report
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory, resource.RLIM_INFINITY))
        signal.alarm(max(1, seconds))
        try:
            result = fn(*args)
            try:  # plain cells (text, numbers, blanks) go as marshal: several times faster than pickle
                payload = MARSHALLED + marshal.dumps((True, result))
            except ValueError:  # dates, objects
                payload = pickle.dumps((True, result))
        except BaseException as exc:
            try:
                payload = pickle.dumps((False, exc))
            except Exception:
                payload = pickle.dumps((False, RuntimeError(str(exc))))
        view = memoryview(payload)
        while view:
            view = view[os.write(out, view):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _address_space() -> int:
    """The current process's virtual size (the child's limit is this plus its allowance)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()
