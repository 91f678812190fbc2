"""Excel round trip and Word print of target declarations.

A unit downloads its editable declarations as a workbook (one sheet per form, laid out like the
printed form), fills it offline and uploads it back. The upload checks every sheet and row, and
writes everything or nothing; the refused workbook comes back annotated.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.filelimits import TARGET_WORKBOOK, guard
from jixiao.core.imports import ImportRejected, RowError, open_workbook
from jixiao.core.locking import StaleEdit
from jixiao.core.spreadsheets import (
    HEADER_FILL,
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
from jixiao.reports.rendering import render as render_report
from jixiao.rules.money import AmountError, format_wan, parse_amount
from jixiao.rules.targets import COMPARISONS, FRAMEWORK
from jixiao.targets.forms import UploadForm
from jixiao.targets.models import Kind, MainTask, TargetDeclaration, TargetIndicator
from jixiao.workflow.engine import WorkflowError, save_document
from jixiao.workflow.workbooks import identify_sheet, sheet_title, write_identity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 8  # of a project sheet; a department sheet has its 年度主要任务 above the indicators
COLUMNS = ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "权重", "指标解释", "数据来源"]
TASK_COLUMNS = ["任务名称", "主要内容", "财政拨款（万元）", "其他资金（万元）"]
LABEL_TO_COMPARISON = {label: code for code, label in COMPARISONS.items()} | {"≥": ">=", "≤": "<=", ">=": ">=", "<=": "<="}
EMPTY_ROWS = 10
EMPTY_TASK_ROWS = 5
KEY_COLUMN = 10  # J: the row's indicator/task key (hidden, locked)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
COMMON_UNITS = "%,‰,个,项,人,人次,户,次,家,所,座,台,套,件,公里,米,平方米,亩,公顷,吨,千克,元,万元,天,个月,年,分"
INDICATOR_FIELDS = ("level1", "level2", "name", "comparison", "value", "unit", "weight", "explanation", "data_source")
TASK_FIELDS = ("name", "content", "fiscal_fen", "other_fen")


def _sheet_name(d: TargetDeclaration, used: set[str]) -> str:
    base = (d.project.code if d.project else f"整体{d.unit.code}")[:28]
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}_{n}", n + 1
    used.add(name)
    return name


def _code(d: TargetDeclaration) -> str:
    return d.project.code if d.project else d.unit.code


def build_workbook(declarations: list[TargetDeclaration]) -> bytes:
    """One protected sheet per form, laid out like the printed form: only the yellow cells are
    input; the signed identity and the rows' keys are hidden."""
    wb = new_workbook()
    used: set[str] = set()
    for d in declarations:
        _declaration_sheet(wb.create_sheet(_sheet_name(d, used)), d)
    if not declarations:
        append(wb.create_sheet("说明"), ["没有可填报的绩效目标申报表。"])
    protect_structure(wb)
    return to_bytes(wb)


def _declaration_sheet(ws: Any, d: TargetDeclaration) -> None:
    ws.merge_cells("A1:I1")
    set_cell(ws, 1, 1, f"{d.year}年度{d.form_title}")
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    write_identity(ws, d, _code(d))
    for column, value in enumerate(["项目名称" if d.kind == Kind.PROJECT else "部门(单位)名称",
                                    d.project.name if d.project else d.unit.name,
                                    "项目编码" if d.kind == Kind.PROJECT else "单位编码", _code(d)], start=1):
        set_cell(ws, 3, column, value)
    funds: list[Any] = ["填报单位", d.unit.name, "年度资金总额（万元）", wan(d.budget_fen or 0)]
    for column, item in enumerate(funds, start=1):
        set_cell(ws, 4, column, item)
    set_cell(ws, 5, 1, "长期目标")
    set_cell(ws, 5, 2, d.long_term_goal)
    set_cell(ws, 6, 1, "年度目标")
    set_cell(ws, 6, 2, d.annual_goal)
    for row in (5, 6):
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=9)
        ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 48
    inputs: list[Any] = [ws["B5"], ws["B6"]]
    header = HEADER_ROW
    if d.kind == Kind.DEPARTMENT:
        header = _tasks_block(ws, d, inputs)
    _header(ws, header, COLUMNS)
    row = header
    for i in d.indicators.all():
        row += 1
        values: list[Any] = [i.level1, i.level2, i.name, COMPARISONS.get(i.comparison, i.comparison), i.value, i.unit,
                  decimal(i.weight) if i.weight is not None else None, i.explanation, i.data_source]
        for column, value in enumerate(values, start=1):
            set_cell(ws, row, column, value)
        set_cell(ws, row, KEY_COLUMN, i.pk)
    last = row + EMPTY_ROWS
    _indicator_validations(ws, header + 1, last)
    for r in ws.iter_rows(min_row=header, max_row=last, max_col=len(COLUMNS)):
        for cell in r:
            cell.border = BORDER
    inputs += [ws.iter_rows(min_row=header + 1, max_row=last, max_col=len(COLUMNS))]
    for letter, width in zip("ABCDEFGHI", (12, 16, 24, 10, 14, 10, 8, 24, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["J"].hidden = True
    for cell in ws[2]:
        cell.font = Font(color="888888", size=9)
    ws.freeze_panes = f"A{header + 1}"
    ws.print_options.gridLines = False
    print_setup(ws, f"{header}:{header}")
    protect(ws, [c for item in inputs for c in ([item] if not hasattr(item, "__next__") else
                                                 [cell for r in item for cell in r])])


def _header(ws: Any, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = set_cell(ws, row, column, label)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _tasks_block(ws: Any, d: TargetDeclaration, inputs: list[Any]) -> int:
    """年度主要任务 (rows 7…): name, content and the amounts in 万元; returns the indicator header row."""
    set_cell(ws, 7, 1, "年度主要任务").font = Font(bold=True)
    _header(ws, 8, TASK_COLUMNS)
    row = 8
    for t in d.main_tasks.all():
        row += 1
        task_values: list[Any] = [t.name, t.content, wan(t.fiscal_fen), wan(t.other_fen)]
        for column, value in enumerate(task_values, start=1):
            set_cell(ws, row, column, value)
        set_cell(ws, row, KEY_COLUMN, t.pk)
    last = row + EMPTY_TASK_ROWS
    for r in ws.iter_rows(min_row=8, max_row=last, max_col=len(TASK_COLUMNS)):
        for cell in r:
            cell.border = BORDER
    for r in ws.iter_rows(min_row=9, max_row=last, min_col=3, max_col=4):
        for cell in r:
            cell.number_format = "#,##0.00"
    amounts = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    amounts.error, amounts.errorTitle = "请填写不小于0的金额（万元）", "输入无效"
    ws.add_data_validation(amounts)
    amounts.add(f"C9:D{last}")
    inputs.append(ws.iter_rows(min_row=9, max_row=last, max_col=len(TASK_COLUMNS)))
    return last + 2


def _indicator_validations(ws: Any, start: int, end: int) -> None:
    lists = [
        ("A", ",".join(FRAMEWORK), "stop"),
        ("B", ",".join(v for values in FRAMEWORK.values() for v in values), "stop"),
        ("D", ",".join(COMPARISONS.values()), "stop"),
        ("F", COMMON_UNITS, "warning"),  # other units may be typed
    ]
    for col, values, style in lists:
        dv = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True, errorStyle=style)
        dv.error, dv.errorTitle = "请从下拉列表中选择", "输入无效"
        ws.add_data_validation(dv)
        dv.add(f"{col}{start}:{col}{end}")
    weight = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
    weight.error, weight.errorTitle = "权重应为0到100之间的数字", "输入无效"
    ws.add_data_validation(weight)
    weight.add(f"G{start}:G{end}")


@dataclass
class ParsedSheet:
    title: str
    declaration: TargetDeclaration
    version: int
    long_term_goal: str
    annual_goal: str
    rows: list[dict[str, Any]]
    tasks: list[dict[str, Any]] | None = None  # department sheets only


def _text(value: Any) -> str:
    value = restore_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _find_row(ws: Any, label: str, start: int = 7) -> int | None:
    for n in range(start, min(ws.max_row, 400) + 1):
        if _text(ws.cell(row=n, column=1).value) == label:
            return n
    return None


def parse_workbook(content: bytes, user: Any) -> tuple[list[ParsedSheet], list[RowError]]:
    errors: list[RowError] = []
    try:
        wb = open_workbook(content, "targets.xlsx", TARGET_WORKBOOK)
    except ImportRejected as exc:
        return [], [RowError(0, "", "文件不是 .xlsx 工作簿，请上传从本系统下载的绩效目标工作簿。")
                    if "不是Excel" in str(exc) else exc.errors[0]]
    sheets = []
    editable = TargetDeclaration.objects.for_user(user, "change").select_related("project", "unit")
    for ws in wb.worksheets:
        where = sheet_title(ws)
        found = identify_sheet(ws, editable, user, "申报表", errors, code_cell="D3")
        if found is None:
            continue
        declaration, version = found
        header = _find_row(ws, COLUMNS[0]) or HEADER_ROW
        rows = []
        for n, values in enumerate(ws.iter_rows(min_row=header + 1, max_col=KEY_COLUMN, values_only=True),
                                   start=header + 1):
            cells = dict(zip(COLUMNS, (_text(v) for v in values[:len(COLUMNS)]), strict=True))
            if not any(cells.values()):
                continue
            rows.append(_row(cells, n, where, errors) | {"key": _key(values[KEY_COLUMN - 1])})
        tasks = None
        if declaration.kind == Kind.DEPARTMENT:
            tasks = _tasks(ws, header, where, errors)
        sheets.append(ParsedSheet(ws.title, declaration, version, _text(ws["B5"].value), _text(ws["B6"].value),
                                  rows, tasks))
    return sheets, errors


def _key(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _tasks(ws: Any, indicator_header: int, where: str, errors: list[RowError]) -> list[dict[str, Any]]:
    start = _find_row(ws, TASK_COLUMNS[0])
    if start is None:
        errors.append(RowError(0, "", f"{where}缺少“年度主要任务”表，请使用系统下载的工作簿。"))
        return []
    tasks = []
    for n, values in enumerate(ws.iter_rows(min_row=start + 1, max_row=indicator_header - 1, max_col=KEY_COLUMN,
                                            values_only=True), start=start + 1):
        name, content = _text(values[0]), _text(values[1])
        if not any(_text(v) for v in values[:4]):
            continue
        if not name:
            errors.append(RowError(n, "任务名称", f"{where}任务名称不能为空。"))
        amounts = {}
        for column, field_name, value in (("财政拨款（万元）", "fiscal_fen", values[2]), ("其他资金（万元）", "other_fen", values[3])):
            try:
                amounts[field_name] = parse_amount(value, "万元") if _text(value) else 0
            except AmountError as exc:
                errors.append(RowError(n, column, f"{where}{exc}"))
        tasks.append({"name": name[:100], "content": content, "fiscal_fen": amounts.get("fiscal_fen", 0),
                      "other_fen": amounts.get("other_fen", 0), "key": _key(values[KEY_COLUMN - 1])})
    return tasks


def _row(cells: dict[str, str], n: int, where: str, errors: list[RowError]) -> dict[str, Any]:
    def bad(column: str, message: str) -> None:
        errors.append(RowError(n, column, f"{where}{message}"))

    level1, level2 = cells["一级指标"], cells["二级指标"]
    if level1 not in FRAMEWORK:
        bad("一级指标", f"「{level1}」不是一级指标（可选：{'、'.join(FRAMEWORK)}）。" if level1 else "一级指标不能为空。")
    elif level2 not in FRAMEWORK[level1]:
        bad("二级指标", f"「{level2}」不属于「{level1}」（可选：{'、'.join(FRAMEWORK[level1])}）。")
    if not cells["三级指标"]:
        bad("三级指标", "三级指标不能为空。")
    comparison = LABEL_TO_COMPARISON.get(cells["计算符号"])
    if comparison is None:
        bad("计算符号", f"「{cells['计算符号']}」不是有效的计算符号（可选：{'、'.join(COMPARISONS.values())}）。")
    if not cells["指标值"]:
        bad("指标值", "指标值不能为空。")
    weight = None
    if cells["权重"]:
        try:
            weight = Decimal(cells["权重"]).quantize(Decimal("0.01")) if _close(cells["权重"]) else Decimal(cells["权重"])
            if weight <= 0 or weight.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
        except InvalidOperation:
            bad("权重", f"「{cells['权重']}」不是大于0、最多两位小数的数字。")
    return {"level1": level1, "level2": level2, "name": cells["三级指标"][:100], "comparison": comparison or ">=",
            "value": cells["指标值"][:100], "unit": cells["计量单位"][:20], "weight": weight,
            "explanation": cells["指标解释"][:300], "data_source": cells["数据来源"][:100]}


def _close(text: str) -> bool:
    """Float noise from a spreadsheet (20.000000000000004) stands for the two-decimal weight."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and abs(value - value.quantize(Decimal("0.01"))) < Decimal("0.0000001")


def _changes(sheet: ParsedSheet) -> bool:
    """Whether the sheet differs from the stored declaration in any field the workbook carries."""
    d = sheet.declaration
    if (d.long_term_goal, d.annual_goal) != (sheet.long_term_goal, sheet.annual_goal):
        return True
    stored = [{f: getattr(i, f) for f in INDICATOR_FIELDS} | {"key": i.pk} for i in d.indicators.all()]
    if stored != sheet.rows:
        return True
    if sheet.tasks is not None:
        tasks = [{f: getattr(t, f) for f in TASK_FIELDS} | {"key": t.pk} for t in d.main_tasks.all()]
        return tasks != sheet.tasks
    return False


def _sync(manager: Any, model: Any, rows: list[dict[str, Any]], fields: tuple[str, ...], parent: Any) -> None:
    """Update the rows the sheet carries in place (a reviewer's comments and library links stay),
    add new ones, delete the ones removed; unchanged rows are not touched."""
    existing = {obj.pk: obj for obj in manager.all()}
    kept = set()
    for position, row in enumerate(rows):
        obj = existing.get(row["key"]) if row["key"] is not None else None
        if obj is None or obj.pk in kept:
            obj = model(declaration=parent, position=position)
        kept.add(obj.pk)
        values = {f: row[f] for f in fields} | {"position": position}
        if obj.pk is None or any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            with_reason(obj, "Excel上传")
            obj.save()
    for pk, obj in existing.items():
        if pk not in kept:
            with_reason(obj, "Excel上传")
            obj.delete()


def apply_sheets(sheets: list[ParsedSheet], user: Any) -> int:
    """Write the changed sheets in one transaction; an unchanged sheet writes nothing and makes no
    version. A stale changed sheet refuses the whole file. Returns how many sheets changed."""
    changed = 0
    with transaction.atomic():
        for sheet in sheets:
            if not _changes(sheet):
                continue
            d = sheet.declaration
            d.long_term_goal, d.annual_goal = sheet.long_term_goal, sheet.annual_goal
            with_reason(d, "Excel上传")

            def write_rows(saved: Any, s: ParsedSheet = sheet) -> None:
                _sync(saved.indicators, TargetIndicator, s.rows, INDICATOR_FIELDS, saved)
                if s.tasks is not None:
                    _sync(saved.main_tasks, MainTask, s.tasks, TASK_FIELDS, saved)

            save_document(d, user, sheet.version, after_save=write_rows)
            changed += 1
    return changed


class WorkbookDownloadView(ScopedView):
    model = TargetDeclaration
    permission_action = "export"

    def get(self, request: AuthedRequest) -> HttpResponse:
        qs = self.scoped("view").select_related("project", "unit").prefetch_related("indicators")
        if request.GET.get("year"):
            qs = qs.filter(year=request.GET["year"])
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.isdigit()]
        qs = qs.filter(pk__in=ids) if ids else qs.filter(state__in=("draft", "returned"))
        declarations = [d for d in qs.order_by("unit__code", "project__code")[:300]]
        log_event(EventType.EXPORT, request=request, list="绩效目标工作簿", count=len(declarations))
        response = HttpResponse(build_workbook(declarations), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=targets-{timezone.localdate():%Y%m%d}.xlsx"
        return response


class WorkbookUploadView(ScopedView):
    model = TargetDeclaration
    permission_action = "import"
    upload_limits = TARGET_WORKBOOK

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "targets/upload.html", {"title": "上传绩效目标工作簿", "form": UploadForm()})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = bind_upload_form(UploadForm, request)
        if not form.is_valid():
            return render(request, "targets/upload.html", {"title": "上传绩效目标工作簿", "form": form}, status=400)
        content = form.cleaned_data["file"].read()
        sheets, errors = parse_workbook(content, request.user)
        if not errors:
            try:
                count = apply_sheets(sheets, request.user)
            except (StaleEdit, WorkflowError) as exc:
                errors = [RowError(0, "", f"{exc}（整个文件未导入）")]
            else:
                log_event(EventType.IMPORT, request=request, list="绩效目标工作簿", sheets=count)
                unchanged = len(sheets) - count
                messages.success(request, f"已导入 {count} 张有修改的申报表" + (f"，{unchanged} 张未修改、未重新保存" if unchanged else "")
                                 + "。请在各申报表页面查看自动审核结果后提交。")
                return redirect("targets:declaration_list")
        log_event(EventType.IMPORT, request=request, outcome="failure", list="绩效目标工作簿", errors=len(errors))
        annotated = _annotate(content, errors)
        return render(request, "targets/upload.html", {
            "title": "上传绩效目标工作簿", "form": UploadForm(), "errors": errors,
            "annotated": base64.b64encode(annotated).decode() if annotated else "",
        }, status=400)


def _annotate(content: bytes, errors: list[RowError]) -> bytes | None:
    try:
        guard(content, "targets.xlsx", TARGET_WORKBOOK)
        wb = load_workbook(io.BytesIO(content))
    except Exception:
        return None
    red = PatternFill("solid", fgColor="F8CBAD")
    for e in errors:
        for ws in wb.worksheets:
            if f"工作表「{ws.title}」" in e.message and e.row and e.column in COLUMNS:
                cell = ws.cell(row=e.row, column=COLUMNS.index(e.column) + 1)
                cell.fill = red
                cell.comment = Comment(e.message, "绩效系统")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class DocxView(ScopedView):
    """The form as .docx in the official layout, printed with the users' own fonts (仿宋)."""

    model = TargetDeclaration

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        d = self.get_object()
        log_event(EventType.EXPORT, request=request, obj=d, format="docx")
        response = HttpResponse(declaration_docx(d),
                                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        response["Content-Disposition"] = f"attachment; filename=target-{d.pk}.docx"
        return response


def declaration_docx(d: TargetDeclaration) -> bytes:
    """The form from the ``target_declaration`` Word template (``reporttypes.py``)."""
    return render_report("target_declaration", declaration_context(d))


def declaration_context(d: TargetDeclaration) -> dict[str, Any]:
    pairs = [("项目名称" if d.project_id else "部门(单位)名称", d.project.name if d.project else d.unit.name,
              "项目编码" if d.project_id else "单位编码", d.project.code if d.project else d.unit.code),
             ("主管部门", d.unit.root.name if d.unit.root else d.unit.name, "年度资金总额（万元）", format_wan(d.budget_fen or 0))]
    if d.kind == Kind.PROJECT:
        pairs.append(("项目属性", d.project.kind_label if d.project else "", "项目起止时间", d.start_month))
        pairs.append(("财政拨款（万元）", format_wan(d.fiscal_fen or 0), "其他资金（万元）", format_wan(d.other_fen or 0)))
    goals = [(label, text or "") for label, text in (("长期目标", d.long_term_goal), ("年度目标", d.annual_goal))
             if not (d.kind == Kind.DEPARTMENT and label == "长期目标")]
    return {
        "title": f"{d.year}年度{d.form_title}", "unit": d.unit.name, "version": d.version, "state": d.state_label,
        "pairs": [tuple(str(v) for v in p) for p in pairs], "goals": goals, "is_department": d.kind == Kind.DEPARTMENT,
        "tasks": [(t.name, t.content, format_wan(t.fiscal_fen), format_wan(t.other_fen)) for t in d.main_tasks.all()]
        if d.kind == Kind.DEPARTMENT else [],
        "indicators": [(i.level1, i.level2, i.name, i.get_comparison_display(), f"{i.value}{i.unit}",
                        f"{i.weight.normalize():f}" if i.weight is not None else "", i.review_comment)
                       for i in d.indicators.all()],
        "contact_person": d.contact_person, "contact_phone": d.contact_phone, "unit_head": d.unit_head,
        "review_grade": d.review_grade or "—", "review_comment": d.review_comment or "—",
    }
