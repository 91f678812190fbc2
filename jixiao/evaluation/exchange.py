"""Self-evaluation tables in and out: the Excel template laid out like domain.md §2.7 and the JSON
exchange format (shared/formats/selfeval-table.md). An upload is read into the tables it fills,
checked by the same checker as the form and ``jixiao selfeval check``, and written all at once —
or not at all, with every problem listed by sheet, row and column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.filelimits import SELFEVAL_WORKBOOK
from jixiao.core.imports import XLSX_MAGIC, ImportRejected, RowError, open_workbook
from jixiao.core.locking import StaleEdit
from jixiao.core.spreadsheets import (
    HEADER_FILL,
    Formula,
    append,
    decimal,
    new_workbook,
    print_setup,
    protect,
    protect_structure,
    restore_text,
    set_cell,
    to_bytes,
    wan,
)
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedView
from jixiao.core.years import valid_year
from jixiao.evaluation.forms import UploadForm
from jixiao.evaluation.models import SelfEvalIndicator, SelfEvaluation
from jixiao.evaluation.services import refresh_scores, selfeval_document
from jixiao.rules.checker import check_table
from jixiao.rules.money import AmountError, fen_to_wan, parse_amount
from jixiao.rules.numbers import fmt_plain, to_decimal
from jixiao.rules.table import GRADES, decode_json, parse_table
from jixiao.rules.validation import DocumentError
from jixiao.workflow.engine import WorkflowDocument, WorkflowError, can_edit, save_document
from jixiao.workflow.workbooks import identify_sheet, sheet_title, write_identity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 9
COLUMNS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
EDITABLE_COLUMNS = ("实际完成值", "得分", "偏差原因分析及改进措施")
THIN = Side(style="thin", color="999999")
MAX_BYTES = 20 * 1024 * 1024
_FEN = {"元": 100, "万元": 1_000_000}


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def build_workbook(selfevals: list[SelfEvaluation]) -> bytes:
    """One protected sheet per table, named by the project's code and name; only the yellow cells are
    for the unit (the signed identity is hidden)."""
    wb = new_workbook()
    used: set[str] = set()
    for se in selfevals:
        _selfeval_sheet(wb.create_sheet(sheet_name(se, used)), se)
    if not selfevals:
        append(wb.create_sheet("说明"), ["没有可填报的绩效自评表。"])
    protect_structure(wb)
    return to_bytes(wb)


_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\'"})


def sheet_name(se: SelfEvaluation, used: set[str]) -> str:
    """The sheet's name: the project's code and name (or the unit's), within Excel's 31 characters, unique."""
    code = se.project.code if se.project_id and se.project else se.unit.code
    base = f"{code} {se.subject}".translate(_SHEET_FORBIDDEN)[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _selfeval_sheet(ws: Any, se: SelfEvaluation) -> None:
    ws.merge_cells("A1:H1")
    set_cell(ws, 1, 1, f"{se.form_title}（{se.year}年度）")
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    write_identity(ws, se, se.subject)
    set_cell(ws, 2, 5, "（系统编号和版本号请勿修改；黄色单元格由单位填写）")
    rows: list[list[Any]] = [
        ["项目名称" if se.project_id else "部门(单位)名称", se.subject, "主管部门",
         se.unit.root.name if se.unit.root else se.unit.name, "实施单位", se.unit.name],
        ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", wan(se.initial_budget_fen), wan(se.budget_fen), wan(se.executed_fen),
         decimal(se.funds_weight), Formula('IF(C5>0,D5/C5,"")'), decimal(se.funds_score)],
        ["执行率偏低原因", se.execution_note],
        ["年度总体目标", se.goal, "", "实际完成情况", se.goal_actual],
        [],
        COLUMNS,
    ]
    for n, values in enumerate(rows, start=3):
        for column, value in enumerate(values, start=1):
            set_cell(ws, n, column, value)
    ws["F5"].number_format = "0.00%"
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    row = HEADER_ROW
    for r in se.indicators.all():
        row += 1
        for column, value in enumerate([r.level1, r.level2, r.name, r.target, r.actual, decimal(r.weight),
                                        decimal(r.score), r.note], start=1):
            set_cell(ws, row, column, value)
    last = row
    for column, value in enumerate(["总分", decimal(se.claimed_total), "自评等级", se.claimed_grade], start=1):
        set_cell(ws, last + 1, column, value)
    inputs = [ws[c] for c in ("D5", "G5", "B6", "E7", f"B{last + 1}", f"D{last + 1}")]
    inputs += [cell for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=last, min_col=5, max_col=8)
               for cell in r if cell.column != 6]
    grade = DataValidation(type="list", formula1=f'"{",".join(GRADES)}"', allow_blank=True)
    grade.error, grade.errorTitle = "请选择 优、良、中、差", "输入无效"
    ws.add_data_validation(grade)
    grade.add(f"D{last + 1}")
    for r in ws.iter_rows(min_row=3, max_row=last + 1, max_col=8):
        for cell in r:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    for letter, width in zip("ABCDEFGH", (14, 16, 22, 14, 16, 8, 8, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")
    protect(ws, inputs)


@dataclass
class Parsed:
    """One uploaded table applied (in memory) to the self-evaluation it fills."""

    selfeval: SelfEvaluation
    version: int
    rows: list[SelfEvalIndicator]
    where: str
    excel_rows: list[int] = field(default_factory=list)
    #: The table exactly as uploaded (selfeval-table.md): what the checker reads, as the CLI would.
    document: dict[str, Any] = field(default_factory=dict)


def _text(value: Any) -> str:
    value = restore_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _decimal(value: Any, where: str, row: int, column: str, errors: list[RowError]) -> Decimal | None:
    text = _text(value)
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        errors.append(RowError(row, column, f"{where}「{column}」的值「{text}」不是数字。"))
        return None


def _editable(user: Any) -> Any:
    return SelfEvaluation.objects.for_user(user, "change").select_related("unit", "project")


def parse_workbook(content: bytes, user: Any) -> tuple[list[Parsed], list[RowError]]:
    errors: list[RowError] = []
    try:
        wb = open_workbook(content, "selfeval.xlsx", SELFEVAL_WORKBOOK)
    except ImportRejected as exc:
        return [], exc.errors
    parsed = []
    for ws in wb.worksheets:
        where = sheet_title(ws)
        found = identify_sheet(ws, _editable(user), user, "自评表", errors, code_cell="B3")
        if found is None:
            continue
        se, version = found
        if _untouched(ws, se):
            continue  # a sheet the unit did not fill: neither checked nor written, never blocks another
        executed = _text(ws["D5"].value)
        try:
            se.executed_fen = parse_amount(executed, "万元") if executed else None
        except AmountError as exc:
            errors.append(RowError(5, "全年执行数", f"{where}「全年执行数」：{exc}"))
        se.funds_score = _decimal(ws["G5"].value, where, 5, "得分", errors)
        se.execution_note = _text(ws["B6"].value)
        se.goal_actual = _text(ws["E7"].value)
        rows = list(se.indicators.all())
        excel_rows = []
        for n, row in enumerate(rows):
            excel = HEADER_ROW + 1 + n
            cells = dict(zip(COLUMNS, (ws.cell(row=excel, column=c).value for c in range(1, 9)), strict=True))
            if _text(cells["三级指标"]) != row.name:
                errors.append(RowError(excel, "三级指标", f"{where}第{excel}行应为批复的指标「{row.name}」，"
                                                           f"实际为「{_text(cells['三级指标'])}」；指标不能增删或改名。"))
            row.actual = _text(cells["实际完成值"])[:120]
            row.score = _decimal(cells["得分"], where, excel, "得分", errors)
            row.note = _text(cells["偏差原因分析及改进措施"])[:500]
            excel_rows.append(excel)
        total_row = HEADER_ROW + 1 + len(rows)
        if _text(ws.cell(row=total_row, column=1).value) != "总分":
            errors.append(RowError(total_row, "总分", f"{where}第{total_row}行应为“总分”行；指标行不能增删。"))
        se.claimed_total = _decimal(ws.cell(row=total_row, column=2).value, where, total_row, "总分", errors)
        grade = _text(ws.cell(row=total_row, column=4).value)
        if grade and grade not in GRADES:
            errors.append(RowError(total_row, "自评等级", f"{where}「自评等级」应为 优、良、中、差 之一，实际为「{grade}」。"))
        se.claimed_grade = grade if grade in GRADES else ""
        document = selfeval_document(se, rows)
        document["funds"]["weight"] = _decimal(ws["E5"].value, where, 5, "分值", errors)
        for n, item in enumerate(document["indicators"]):
            item["weight"] = _decimal(ws.cell(row=HEADER_ROW + 1 + n, column=6).value, where, HEADER_ROW + 1 + n,
                                      "分值", errors)
        parsed.append(Parsed(se, version, rows, where, excel_rows, document))
    return parsed, errors


def _untouched(ws: Any, se: SelfEvaluation) -> bool:
    """Nothing the unit fills differs from what the template was downloaded with."""
    rows = se.indicators.count()
    filled = [ws["G5"].value, ws["B6"].value, ws["E7"].value]
    filled += [ws.cell(row=HEADER_ROW + 1 + n, column=c).value for n in range(rows) for c in (5, 7, 8)]
    filled += [ws.cell(row=HEADER_ROW + 1 + rows, column=c).value for c in (2, 4)]
    before = [se.funds_score, se.execution_note, se.goal_actual]
    before += [v for r in se.indicators.all() for v in (r.actual, r.score, r.note)]
    before += [se.claimed_total, se.claimed_grade]
    executed = _text(ws["D5"].value)
    same_executed = executed == ("" if se.executed_fen is None else _text(float(fen_to_wan(se.executed_fen))))
    return same_executed and [_text(v) for v in filled] == [_text(_plain(v)) for v in before]


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def parse_json(content: bytes, user: Any) -> tuple[list[Parsed], list[RowError]]:
    """One document or a list of documents; each fills the editable table of the same year, unit and title."""
    try:
        data = decode_json(content)
    except DocumentError as exc:
        return [], [RowError(0, "", e.message) for e in exc.errors]
    docs = data if isinstance(data, list) else [data]
    parsed, errors = [], []
    editable = list(_editable(user))
    for n, doc in enumerate(docs, start=1):
        where = f"第{n}个文档" if len(docs) > 1 else "文档"
        try:
            table = parse_table(doc)
        except DocumentError as exc:
            errors += [RowError(0, e.key, f"{where}：{e.message}") for e in exc.errors]
            continue
        se = next((s for s in editable if (s.year, s.unit.name, s.subject) == (table.year, table.unit, table.title)), None)
        if se is None or not can_edit(se, user):
            errors.append(RowError(0, "title", f"{where}：找不到本单位可填报的{table.year}年度自评表「{table.unit} / {table.title}」。"))
            continue
        rows = list(se.indicators.all())
        if [r.name for r in rows] != [i.name for i in table.indicators]:
            errors.append(RowError(0, "indicators", f"{where}：指标与批复的绩效目标不一致（应为：{'、'.join(r.name for r in rows)}）；指标不能增删或改名。"))
            continue
        try:
            se.executed_fen = None if table.funds.executed is None else parse_amount(table.funds.executed, table.amount_unit)
        except AmountError as exc:
            errors.append(RowError(0, "funds.executed", f"{where}「funds.executed」：{exc}"))
        budget = table.funds.annual_budget
        if budget is not None and se.budget_fen is not None and budget * _FEN[table.amount_unit] != se.budget_fen:
            errors.append(RowError(0, "funds.annual_budget", f"{where}：全年预算数 {fmt_plain(budget)}{table.amount_unit} 与系统记录的"
                                                             f"全年预算数 {fen_to_wan(se.budget_fen)}万元 不一致，预算数不能修改。"))
        se.funds_score, se.execution_note = table.funds.score, table.execution_note or ""
        se.claimed_total, se.claimed_grade = table.total, table.grade or ""
        for row, item in zip(rows, table.indicators, strict=True):
            row.actual, row.score, row.note = item.actual[:120], item.score, (item.note or "")[:500]
        parsed.append(Parsed(se, se.lock_version, rows, where, [i + 1 for i in range(len(rows))], doc))
    return parsed, errors


def weight_findings(p: Parsed) -> list[RowError]:
    """Uploaded weights must be the approved target's (the prefilled table's): each difference, by row."""
    out = []
    funds = p.document.get("funds") or {}
    claimed = _as_decimal(funds.get("weight") if isinstance(funds, dict) else None)
    if claimed is not None and claimed != p.selfeval.funds_weight:
        out.append(RowError(0, "分值", f"{p.where}：预算执行的分值 {fmt_plain(claimed)} 与规定的分值 "
                                       f"{fmt_plain(p.selfeval.funds_weight)} 不一致，分值不能修改。"))
    items = p.document.get("indicators") or []
    for n, (row, item) in enumerate(zip(p.rows, items, strict=False)):
        weight = _as_decimal(item.get("weight") if isinstance(item, dict) else None)
        if row.weight is not None and weight is not None and weight != row.weight:
            out.append(RowError(p.excel_rows[n], "分值", f"{p.where}第{n + 1}行指标「{row.name}」的分值 {fmt_plain(weight)} "
                                                        f"与批复的绩效目标的分值 {fmt_plain(row.weight)} 不一致，分值不能修改。"))
    return out


def _as_decimal(value: Any) -> Decimal | None:
    return None if value is None or isinstance(value, bool) else to_decimal(value)


def checker_findings(parsed: list[Parsed]) -> tuple[list[RowError], list[RowError]]:
    """The checker's errors and warnings on each table exactly as uploaded (``check_table``, as
    ``jixiao selfeval check`` runs it on the same file), each with its row; and uploaded weights
    that differ from the approved target's."""
    errors: list[RowError] = []
    warnings: list[RowError] = []
    for p in parsed:
        result = check_table(p.document, p.selfeval.rule_set)
        errors += weight_findings(p)
        errors += [RowError(0, "", f"{p.where}：{e.message}") for e in result.errors]
        for finding in result.findings:
            row = p.excel_rows[finding.indicator] if finding.indicator is not None else 0
            item = RowError(row, "", f"{p.where}：{finding.message}")
            (errors if finding.severity == "error" else warnings).append(item)
    return errors, warnings


def _row_saver(rows: list[SelfEvalIndicator]) -> Callable[[WorkflowDocument], None]:
    """After a table is saved, write its rows' unit-filled columns."""

    def save_rows(saved: WorkflowDocument) -> None:
        SelfEvalIndicator.objects.bulk_update(rows, ["actual", "score", "note"])

    return save_rows


def apply(parsed: list[Parsed], user: Any) -> int:
    """Write every table in one transaction; a stale or locked table refuses the whole file."""
    with transaction.atomic():
        for p in parsed:
            with_reason(p.selfeval, "上传自评表")
            save_document(p.selfeval, user, p.version, after_save=_row_saver(p.rows))
            refresh_scores(p.selfeval)
    return len(parsed)


class TemplateView(ScopedView):
    model = SelfEvaluation
    permission_action = "export"

    def get(self, request: AuthedRequest) -> HttpResponse:
        # Only the tables the user can fill now, of one year (the one asked for, else the latest
        # with fillable tables): never old returned ones bundled with this year's.
        fillable = self.scoped("change").filter(state__in=("draft", "returned"))
        year = valid_year(request.GET.get("year")) or fillable.aggregate(y=Max("year"))["y"]
        qs = fillable.filter(year=year).select_related("unit__root", "project")
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.isdigit()]
        if ids:
            qs = self.scoped("view").filter(pk__in=ids).select_related("unit__root", "project")
        selfevals = list(qs.prefetch_related("indicators").order_by("unit__code", "project__code")[:300])
        log_event(EventType.EXPORT, request=request, list="绩效自评表模板", count=len(selfevals))
        response = HttpResponse(build_workbook(selfevals), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=selfeval-{timezone.localdate():%Y%m%d}.xlsx"
        return response


class UploadView(ScopedView):
    model = SelfEvaluation
    permission_action = "import"
    upload_limits = SELFEVAL_WORKBOOK
    title = "上传绩效自评表"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "evaluation/upload.html", {"title": self.title, "form": UploadForm()})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = bind_upload_form(UploadForm, request)
        if not form.is_valid():
            return render(request, "evaluation/upload.html", {"title": self.title, "form": form}, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_BYTES + 1)
        parsed: list[Parsed] = []
        if len(content) > MAX_BYTES:
            errors = [RowError(0, "", "文件超过20MB。")]
        elif upload.name.lower().endswith(".json"):
            parsed, errors = parse_json(content, request.user)
        elif upload.name.lower().endswith(".xlsx") and content.startswith(XLSX_MAGIC):
            parsed, errors = parse_workbook(content, request.user)
        else:
            errors = [RowError(0, "", "只接受系统提供的Excel模板（.xlsx）或 JSON 文件（.json）。")]
        warnings: list[RowError] = []
        if not errors and not parsed:
            errors = [RowError(0, "", "文件中没有填写过的自评表（未改动的工作表不导入）。")]
        if not errors:
            errors, warnings = checker_findings(parsed)
        if not errors:
            try:
                count = apply(parsed, request.user)
            except (StaleEdit, WorkflowError) as exc:
                errors = [RowError(0, "", f"{exc}（整个文件未导入）")]
            else:
                log_event(EventType.IMPORT, request=request, list="绩效自评表", tables=count)
                messages.success(request, f"已导入 {count} 张自评表，系统检查未发现错误（警告 {len(warnings)} 条）。")
                return redirect("evaluation:selfeval_list")
        log_event(EventType.IMPORT, request=request, outcome="failure", list="绩效自评表", errors=len(errors))
        return render(request, "evaluation/upload.html", {
            "title": self.title, "form": UploadForm(), "errors": errors, "warnings": warnings}, status=400)
