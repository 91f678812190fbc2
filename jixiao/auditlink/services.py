"""Imports of 财审联动 (through core.imports.read_table): audit-plan items, and audit findings onto the
rectification register; all or nothing, every error naming its row and column."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction

from jixiao.auditlink.models import AuditPlanItem, AuditWorkPlan
from jixiao.core.imports import ImportRejected, read_table
from jixiao.core.types import with_reason
from jixiao.rules.money import AmountError, parse_amount

FINDING_COLUMNS = ["责任单位编码", "审计发现的问题", "整改要求", "发现日期", "整改期限"]
#: The sheet's column of each field of an audit finding (``rectification.services.audit_problems``).
SHEET_COLUMNS = {"project": "项目编码", "problem": "审计发现的问题", "requirement": "整改要求", "found_on": "发现日期",
                 "deadline": "整改期限"}
PLAN_COLUMNS = ["审计项目"]


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _rejected(exc: ImportRejected) -> list[str]:
    return [str(e) for e in exc.errors]


def import_findings(year: int, user: Any, content: bytes, filename: str) -> tuple[list[str], int]:
    """Audit findings from a sheet onto the rectification register (source 审计): every row checked first, each
    error naming its row and column; one bad row and nothing is written."""
    from jixiao.organisation.models import BudgetUnit, Project
    from jixiao.rectification.services import RectificationError, audit_problems, from_audit

    if not user.can("rectification.rectification", "audit"):
        return ["您的角色无权导入审计发现问题。"], 0
    try:
        sheet = read_table(content, filename, FINDING_COLUMNS, amounts=["涉及金额"])
    except ImportRejected as exc:
        return _rejected(exc), 0
    units = {u.code: u for u in BudgetUnit.objects.all()}
    projects = {p.code: p for p in Project.objects.filter(year__in=(year - 1, year)).select_related("unit").order_by("year")}
    errors: list[str] = []
    found: list[dict[str, Any]] = []
    for row, values in sheet.rows:
        unit = units.get(str(values.get("责任单位编码") or "").strip())
        if unit is None:
            errors.append(f"第{row}行「责任单位编码」：没有编码为「{values.get('责任单位编码') or ''}」的单位。")
        project = None
        code = str(values.get("项目编码") or "").strip()
        if code:
            project = projects.get(code)
            if project is None:
                errors.append(f"第{row}行「项目编码」：{year - 1}或{year}年度没有编码为「{code}」的项目。")
        finding: dict[str, Any] = {"unit": unit, "project": project, "problem": str(values.get("审计发现的问题") or "").strip(),
                   "requirement": str(values.get("整改要求") or "").strip(),
                   "found_on": _date(values.get("发现日期")), "deadline": _date(values.get("整改期限"))}
        amount = None
        if values.get("涉及金额") not in (None, ""):
            try:
                amount = parse_amount(values.get("涉及金额"), sheet.units.get("涉及金额", "元"))
            except AmountError as exc:
                errors.append(f"第{row}行「涉及金额」：{exc}。")
        for field, message in audit_problems(**finding):
            if field == "unit" or (field == "project" and project is None):
                continue  # already named by its code above
            column = SHEET_COLUMNS[field]
            raw = values.get(column) or ""
            example = "（如 2021-08-15）" if field in ("found_on", "deadline") else ""
            shown = f"「{raw}」{message}{example}" if message == "不是日期" else message
            errors.append(f"第{row}行「{column}」：{shown}。")
        found.append(finding | {"amount_fen": amount})
    if errors:
        return errors, 0
    try:
        with transaction.atomic():
            for finding in found:
                from_audit(user, year=year, reason=f"导入审计发现问题（{filename}）", **finding)
    except RectificationError as exc:
        return exc.messages, 0
    return [], len(found)


def import_plan_items(plan: AuditWorkPlan, content: bytes, filename: str) -> tuple[list[str], int]:
    from jixiao.organisation.models import BudgetUnit, Project

    try:
        sheet = read_table(content, filename, PLAN_COLUMNS)
    except ImportRejected as exc:
        return _rejected(exc), 0
    units = {u.code: u for u in BudgetUnit.objects.all()}
    projects = {p.code: p for p in Project.objects.filter(year__in=(plan.year - 1, plan.year)).order_by("year")}
    errors: list[str] = []
    items: list[AuditPlanItem] = []
    for row, values in sheet.rows:
        title = str(values.get("审计项目") or "").strip()
        if not title:
            errors.append(f"第{row}行「审计项目」：不能为空。")
            continue
        unit_code = str(values.get("被审计单位编码") or "").strip()
        unit = units.get(unit_code) if unit_code else None
        if unit_code and unit is None:
            errors.append(f"第{row}行「被审计单位编码」：没有编码为「{unit_code}」的单位。")
        project_code = str(values.get("项目编码") or "").strip()
        project = projects.get(project_code) if project_code else None
        if project_code and project is None:
            errors.append(f"第{row}行「项目编码」：没有编码为「{project_code}」的项目。")
        starts, ends = _date(values.get("计划开始")), _date(values.get("计划完成"))
        for column, raw, parsed in (("计划开始", values.get("计划开始"), starts), ("计划完成", values.get("计划完成"), ends)):
            if raw not in (None, "") and parsed is None:
                errors.append(f"第{row}行「{column}」：「{raw}」不是日期。")
        suggest = str(values.get("建议重点评价") or "").strip() in ("是", "Y", "y", "1", "√")
        items.append(AuditPlanItem(plan=plan, title=title[:200], unit=unit, project=project,
                                   owner=str(values.get("责任人") or "")[:50], starts_on=starts, ends_on=ends,
                                   suggest_key_evaluation=suggest, reason=str(values.get("建议理由") or "")[:300]))
    if errors:
        return errors, 0
    with transaction.atomic():
        for item in items:
            with_reason(item, f"导入审计计划项目（{filename}）")
            item.save()
    return [], len(items)


def suggested_topics(year: int) -> list[AuditPlanItem]:
    """Audit-plan items of plan year ``year`` the audit bureau suggests as key-evaluation topics."""
    return list(AuditPlanItem.objects.filter(plan__year=year, suggest_key_evaluation=True)
                .select_related("unit", "project", "project__unit").order_by("pk"))
