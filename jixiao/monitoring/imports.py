"""Import of the treasury's payment data (Excel .xlsx/.xls or CSV): 项目编码, 支付日期 or 月份, 支付金额.

Stages: file → header → each cell → codes against the year's projects (a unit code stands for that
unit's basic spending) → write. One bad row and nothing is written: the batch is recorded as
rejected with every error (row, column, message) and an annotated workbook. An accepted file is
the year's payment snapshot and replaces the payments imported before; every round of the year
is recomputed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django_tasks import task
from simple_history.utils import bulk_create_with_history

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core import jobs
from jixiao.core.filelimits import TREASURY
from jixiao.core.imports import ImportRejected, RowError, Sheet, collector_paused, read_table, text
from jixiao.core.spreadsheets import append, new_workbook, to_bytes
from jixiao.core.uploads import queue, stored_content
from jixiao.monitoring.models import ExecutionImport, ExecutionRecord, MonitoringRound
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rules.money import AmountError, parse_amount

CODE, DATE, MONTH, AMOUNT = "项目编码", "支付日期", "月份", "支付金额"
REQUIRED = [CODE, AMOUNT]
ALIASES = {
    "金额": AMOUNT, "支付金额": AMOUNT, "日期": DATE, "支付时间": DATE, "支付月份": MONTH, "项目代码": CODE, "编码": CODE,
}
TEMPLATE_HEADERS = [CODE, DATE, MONTH, "支付金额（元）", "摘要"]
DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
MONTH_TEXT = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})月?$")


@dataclass
class ImportResult:
    batch: ExecutionImport
    errors: list[RowError]


def read_file(content: bytes, filename: str) -> Sheet:
    """The treasury's export: .xlsx, .xls or CSV (UTF-8 or GBK/GB18030), title and 合计 rows allowed;
    支付金额 states its unit (元 or 万元)."""
    sheet = read_table(content, filename, REQUIRED, aliases=ALIASES, amounts=[AMOUNT], limits=TREASURY)
    if DATE not in sheet.headers and MONTH not in sheet.headers:
        raise ImportRejected([RowError(sheet.header_row, f"{DATE}或{MONTH}", "缺少该列，请使用系统提供的导入模板。")], sheet)
    return sheet


def parse_month(values: dict[str, Any], year: int, row: int, errors: list[RowError]) -> tuple[int, date | None] | None:
    """The payment's month (and date when given); the year must be the import's year."""
    raw_date, raw_month = values.get(DATE), values.get(MONTH)
    if isinstance(raw_date, datetime):
        raw_date = raw_date.date()
    if isinstance(raw_date, date):
        paid: date | None = raw_date
    elif text(raw_date):
        match = DATE_TEXT.match(text(raw_date))
        try:
            paid = date(int(match[1]), int(match[2]), int(match[3])) if match else None
        except ValueError:
            paid = None
        if paid is None:
            errors.append(RowError(row, DATE, f"「{text(raw_date)}」不是有效日期，请写成2021-03-15。"))
            return None
    else:
        paid = None
    if paid is not None:
        if paid.year != year:
            errors.append(RowError(row, DATE, f"支付日期{paid:%Y-%m-%d}不在{year}年度。"))
            return None
        return paid.month, paid
    match = MONTH_TEXT.match(text(raw_month))
    if not text(raw_month):
        errors.append(RowError(row, MONTH, "支付日期和月份至少填写一项。"))
        return None
    if not match or not 1 <= int(match[2]) <= 12 or (match[1] and int(match[1]) != year):
        errors.append(RowError(row, MONTH, f"「{text(raw_month)}」不是{year}年度的有效月份（1-12）。"))
        return None
    return int(match[2]), None


def validate(sheet: Sheet, year: int) -> tuple[list[ExecutionRecord], list[RowError]]:
    projects = {p.code: p for p in Project.objects.filter(year=year).select_related("unit")}
    units = {u.code: u for u in BudgetUnit.objects.all()}
    records: list[ExecutionRecord] = []
    errors: list[RowError] = []
    for row, values in sheet.rows:
        before = len(errors)
        code = text(values.get(CODE))
        project = projects.get(code)
        unit = project.unit if project else units.get(code)
        if not code:
            errors.append(RowError(row, CODE, "项目编码不能为空。"))
        elif unit is None:
            errors.append(RowError(row, CODE, f"「{code}」既不是{year}年度的项目编码，也不是预算单位编码。"))
        when = parse_month(values, year, row, errors)
        try:
            amount = parse_amount(values.get(AMOUNT), sheet.units[AMOUNT], allow_negative=True)
            if amount == 0:
                errors.append(RowError(row, AMOUNT, "支付金额不能为零。"))
        except AmountError as exc:
            errors.append(RowError(row, AMOUNT, str(exc)))
        if len(errors) == before and unit is not None and when is not None:
            records.append(ExecutionRecord(
                year=year, month=when[0], paid_on=when[1], unit=unit, project=project, amount_fen=amount,
                sector_id=project.sector_id if project else unit.sector_id, source_row=row,
            ))
    return records, errors + refund_errors(records)


def refund_errors(records: list[ExecutionRecord]) -> list[RowError]:
    """Refunds (红字冲销, negative amounts) net against what was paid to the same project (or unit's
    basic spending) up to their month; a refund larger than that is an error on its row."""
    errors: list[RowError] = []
    paid: dict[tuple[int, int | None], int] = {}
    for r in sorted(records, key=lambda r: (r.month, r.paid_on or date(r.year, r.month, 1), r.amount_fen < 0, r.source_row)):
        key = (r.unit_id, r.project_id)
        before = paid.get(key, 0)
        paid[key] = before + r.amount_fen
        if r.amount_fen < 0 and paid[key] < 0:
            errors.append(RowError(r.source_row, AMOUNT, f"红字冲销{-r.amount_fen / 100:,.2f}元大于截至{r.month}月"
                                                         f"已支付的{before / 100:,.2f}元，请核对冲销金额或补全原支付记录。"))
            paid[key] = before
    return errors


def queue_import(content: bytes | Iterable[bytes], filename: str, year: int, user: Any) -> ExecutionImport:
    """Store the upload as a file and hand it to the background worker; the batch page shows
    progress. A province's treasury file has millions of payments, so it never runs in a request."""
    batch = ExecutionImport(year=year, file_name=filename[:200], uploaded_by=user)
    batch.store(content)
    batch.save()
    queue(batch, process_import)
    return batch


@task()
def process_import(batch_id: int) -> str:
    batch = ExecutionImport.objects.get(pk=batch_id)
    # One attempt owns the batch (queued → running); a duplicate or superseded attempt does nothing.
    if batch.claim():
        try:
            run_import(batch)
        except jobs.Superseded:
            batch.refresh_from_db()
    return batch.status


jobs.register(process_import, ExecutionImport.fail, model=ExecutionImport, on_retry=ExecutionImport.requeue)


def run_import(batch: ExecutionImport) -> ImportResult:
    """Validate and write all rows (replacing the year's payments), or write none and record why."""
    with collector_paused():
        return _run_import(batch)


def _run_import(batch: ExecutionImport) -> ImportResult:
    user, year = batch.uploaded_by, batch.year
    sheet: Sheet | None = None
    try:
        content = stored_content(batch)
        sheet = read_file(content, batch.file_name)
        batch.set_progress(20)
        records, errors = validate(sheet, year)
        if errors:
            raise ImportRejected(errors, sheet)
        batch.set_progress(50)
        with transaction.atomic():
            batch.hold()
            ExecutionRecord.objects.filter(year=year).delete()
            for r in records:
                r.batch = batch
            bulk_create_with_history(records, ExecutionRecord, batch_size=2000, default_user=user,
                                     default_change_reason="导入国库支付数据")
            from jixiao.monitoring.services import refresh_execution

            for rnd in MonitoringRound.objects.filter(year=year):
                refresh_execution(rnd)
            batch.complete(len(records), total_fen=sum(r.amount_fen for r in records), notes=sheet.notes())
    except ImportRejected as exc:
        batch.reject(exc.errors, exc.sheet or sheet)
        log_event(EventType.IMPORT, user=user, outcome="failure", obj=batch, errors=len(exc.errors))
        return ImportResult(batch, exc.errors)
    log_event(EventType.IMPORT, user=user, obj=batch, rows=len(records))
    return ImportResult(batch, [])


def template_workbook() -> bytes:
    wb = new_workbook()
    ws = wb.create_sheet("国库支付数据")
    append(ws, TEMPLATE_HEADERS)
    append(ws, ["（项目编码，基本支出填单位编码）", "2021-03-15", "", 12345.67, "示例行，导入前请删除"])
    append(ws, ["（红字冲销填负数）", "2021-04-02", "", -345.67, "示例行，导入前请删除"])
    return to_bytes(wb)
