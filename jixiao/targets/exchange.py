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
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.filelimits import TARGET_WORKBOOK, FileRefused, guard
from jixiao.core.imports import XLSX_MAGIC, RowError
from jixiao.core.locking import StaleEdit
from jixiao.core.types import AuthedRequest, with_reason
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedView
from jixiao.rules.money import format_wan
from jixiao.rules.targets import COMPARISONS, FRAMEWORK
from jixiao.targets.forms import UploadForm
from jixiao.targets.models import Kind, TargetDeclaration, TargetIndicator
from jixiao.workflow.engine import WorkflowError, save_document
from jixiao.workflow.workbooks import identify_sheet, sheet_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 8
COLUMNS = ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位", "权重", "指标解释", "数据来源"]
LABEL_TO_COMPARISON = {label: code for code, label in COMPARISONS.items()} | {"≥": ">=", "≤": "<=", ">=": ">=", "<=": "<="}
EMPTY_ROWS = 10
THIN = Side(style="thin", color="999999")


def _sheet_name(d: TargetDeclaration, used: set[str]) -> str:
    base = (d.project.code if d.project else f"整体{d.unit.code}")[:28]
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}_{n}", n + 1
    used.add(name)
    return name


def build_workbook(declarations: list[TargetDeclaration]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for d in declarations:
        ws = wb.create_sheet(_sheet_name(d, used))
        ws.merge_cells("A1:I1")
        ws["A1"] = f"{d.year}年度{d.form_title}"
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append(["系统编号", d.pk, "版本号", d.lock_version, "（系统编号和版本号请勿修改）"])
        ws.append(["项目名称" if d.kind == Kind.PROJECT else "部门(单位)名称",
                   d.project.name if d.project else d.unit.name,
                   "项目编码" if d.kind == Kind.PROJECT else "单位编码",
                   d.project.code if d.project else d.unit.code])
        ws.append(["填报单位", d.unit.name, "年度资金总额（万元）", float(format_wan(d.budget_fen or 0).replace(",", ""))])
        ws.append(["长期目标", d.long_term_goal])
        ws.append(["年度目标", d.annual_goal])
        for row in (5, 6):
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=9)
            ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = 48
        ws.append([])
        ws.append(COLUMNS)
        for cell in ws[HEADER_ROW]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
        for i in d.indicators.all():
            ws.append([i.level1, i.level2, i.name, COMPARISONS.get(i.comparison, i.comparison), i.value, i.unit,
                       float(i.weight) if i.weight is not None else None, i.explanation, i.data_source])
        last = ws.max_row + EMPTY_ROWS
        _validations(ws, last)
        for row in ws.iter_rows(min_row=HEADER_ROW, max_row=last, max_col=len(COLUMNS)):
            for cell in row:
                cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
        for letter, width in zip("ABCDEFGHI", (12, 16, 24, 10, 14, 10, 8, 24, 14), strict=True):
            ws.column_dimensions[letter].width = width
        for cell in ws[2]:
            cell.font = Font(color="888888", size=9)
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.print_options.gridLines = False
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
    if not declarations:
        wb.create_sheet("说明").append(["没有可填报的绩效目标申报表。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _validations(ws: Any, last: int) -> None:
    rows = f"{HEADER_ROW + 1}:{last}"
    start, end = rows.split(":")
    lists = [
        ("A", ",".join(FRAMEWORK)),
        ("B", ",".join(v for values in FRAMEWORK.values() for v in values)),
        ("D", ",".join(COMPARISONS.values())),
    ]
    for col, values in lists:
        dv = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
        dv.error, dv.errorTitle = "请从下拉列表中选择", "输入无效"
        ws.add_data_validation(dv)
        dv.add(f"{col}{start}:{col}{end}")


@dataclass
class ParsedSheet:
    title: str
    declaration: TargetDeclaration
    version: int
    long_term_goal: str
    annual_goal: str
    rows: list[dict[str, Any]]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def parse_workbook(content: bytes, user: Any) -> tuple[list[ParsedSheet], list[RowError]]:
    errors: list[RowError] = []
    if not content.startswith(XLSX_MAGIC):
        return [], [RowError(0, "", "文件不是 .xlsx 工作簿，请上传从本系统下载的绩效目标工作簿。")]
    try:
        guard(content, "targets.xlsx", TARGET_WORKBOOK)
    except FileRefused as exc:
        return [], [RowError(0, "", str(exc))]
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True)
    except Exception:
        return [], [RowError(0, "", "无法读取该工作簿，文件可能已损坏。")]
    sheets = []
    editable = TargetDeclaration.objects.for_user(user, "change").select_related("project", "unit")
    for ws in wb.worksheets:
        where = sheet_title(ws)
        found = identify_sheet(ws, editable, user, "申报表", errors)
        if found is None:
            continue
        declaration, version = found
        rows = []
        for n, values in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(COLUMNS), values_only=True),
                                   start=HEADER_ROW + 1):
            cells = dict(zip(COLUMNS, (_text(v) for v in values), strict=True))
            if not any(cells.values()):
                continue
            rows.append(_row(cells, n, where, errors))
        sheets.append(ParsedSheet(ws.title, declaration, version, _text(ws["B5"].value), _text(ws["B6"].value), rows))
    return sheets, errors


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
            weight = Decimal(cells["权重"])
            if weight <= 0 or weight.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
        except InvalidOperation:
            bad("权重", f"「{cells['权重']}」不是大于0、最多两位小数的数字。")
    return {"level1": level1, "level2": level2, "name": cells["三级指标"][:100], "comparison": comparison or ">=",
            "value": cells["指标值"][:100], "unit": cells["计量单位"][:20], "weight": weight,
            "explanation": cells["指标解释"][:300], "data_source": cells["数据来源"][:100]}


def apply_sheets(sheets: list[ParsedSheet], user: Any) -> int:
    """Write every sheet in one transaction; a stale sheet refuses the whole file."""
    with transaction.atomic():
        for sheet in sheets:
            d = sheet.declaration
            d.long_term_goal, d.annual_goal = sheet.long_term_goal, sheet.annual_goal
            with_reason(d, "Excel上传")

            def replace_rows(saved: Any, rows: list[dict[str, Any]] = sheet.rows) -> None:
                saved.indicators.all().delete()
                TargetIndicator.objects.bulk_create(
                    TargetIndicator(declaration=saved, position=i, **row) for i, row in enumerate(rows))

            save_document(d, user, sheet.version, after_save=replace_rows)
    return len(sheets)


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
                messages.success(request, f"已导入 {count} 张申报表。请在各申报表页面查看自动审核结果后提交。")
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
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "仿宋"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{d.year}年度{d.form_title}")
    run.bold, run.font.size = True, Pt(16)
    doc.add_paragraph(f"填报单位（盖章）：{d.unit.name}        版本：第{d.version}版        状态：{d.state_label}")
    head = doc.add_table(rows=0, cols=4)
    head.style = "Table Grid"
    pairs = [("项目名称" if d.project_id else "部门(单位)名称", d.project.name if d.project else d.unit.name,
              "项目编码" if d.project_id else "单位编码", d.project.code if d.project else d.unit.code),
             ("主管部门", d.unit.root.name if d.unit.root else d.unit.name, "年度资金总额（万元）", format_wan(d.budget_fen or 0))]
    if d.kind == Kind.PROJECT:
        pairs.append(("项目属性", d.project.kind_label if d.project else "", "项目起止时间", d.start_month))
        pairs.append(("财政拨款（万元）", format_wan(d.fiscal_fen or 0), "其他资金（万元）", format_wan(d.other_fen or 0)))
    for a, b, c, e in pairs:
        cells = head.add_row().cells
        for cell, text in zip(cells, (a, b, c, e), strict=True):
            cell.text = str(text)
    for label, text in (("长期目标", d.long_term_goal), ("年度目标", d.annual_goal)):
        if d.kind == Kind.DEPARTMENT and label == "长期目标":
            continue
        row = head.add_row().cells
        row[0].text = label
        merged = row[1].merge(row[3])
        merged.text = text or ""
    if d.kind == Kind.DEPARTMENT:
        doc.add_paragraph("年度主要任务")
        tasks = doc.add_table(rows=1, cols=4)
        tasks.style = "Table Grid"
        for cell, text in zip(tasks.rows[0].cells, ("任务名称", "主要内容", "财政拨款（万元）", "其他资金（万元）"), strict=True):
            cell.text = text
        for t in d.main_tasks.all():
            for cell, text in zip(tasks.add_row().cells, (t.name, t.content, format_wan(t.fiscal_fen), format_wan(t.other_fen)), strict=True):
                cell.text = text
    doc.add_paragraph("年度绩效指标")
    table = doc.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("一级指标", "二级指标", "三级指标", "计算符号", "指标值", "权重", "审核意见"), strict=True):
        cell.text = text
    for i in d.indicators.all():
        values = (i.level1, i.level2, i.name, i.get_comparison_display(), f"{i.value}{i.unit}",
                  f"{i.weight.normalize():f}" if i.weight is not None else "", i.review_comment)
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    doc.add_paragraph(f"填报人：{d.contact_person}    联系电话：{d.contact_phone}    单位负责人：{d.unit_head}")
    doc.add_paragraph(f"财政审核等级：{d.review_grade or '—'}    审核意见：{d.review_comment or '—'}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
