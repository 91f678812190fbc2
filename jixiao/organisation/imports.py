"""Import of budget units and projects from the budget system's Excel export.

A file with any bad row writes nothing: the batch is recorded as rejected with every error
(row, column, message) and an annotated workbook to download.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django_tasks import task

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core import jobs
from jixiao.core.bulk import insert_links, insert_with_history, update_with_history
from jixiao.core.imports import ImportRejected, RowError, Sheet, collector_paused, read_table, text
from jixiao.core.types import with_reason
from jixiao.core.uploads import queue, stored_content
from jixiao.organisation.models import (
    BudgetUnit,
    FundSource,
    ImportBatch,
    PolicyCategory,
    Project,
    Sector,
    UnitYearSetting,
)
from jixiao.rules.money import AmountError, parse_amount

UNIT_COLUMNS = ["单位编码", "单位名称", "上级单位编码", "行业", "是否涉密"]
PROJECT_COLUMNS = ["预算年度", "项目编码", "项目名称", "单位编码", "资金来源", "年初预算数", "调整后预算数", "项目属性"]
PROJECT_OPTIONAL = ["行业", "重大政策类别", "是否涉密"]
UNIT_OPTIONAL = ["纳入综合绩效考评年度"]
# Amount columns state their unit in the header (年初预算数（万元）) or in a "单位：万元" line above it;
# a column without a stated unit is refused, never guessed.
AMOUNT_COLUMNS = ("年初预算数", "调整后预算数")
#: the header of the import template (and of the budget system's export): amounts in 元
PROJECT_HEADER = [f"{c}（元）" if c in AMOUNT_COLUMNS else c for c in PROJECT_COLUMNS]
YES = {"是", "Y", "y", "1", "TRUE", "true", "√"}
NO = {"否", "N", "n", "0", "FALSE", "false", ""}
SPLIT = re.compile(r"[、,，;；/\s]+")
T = TypeVar("T")


@dataclass
class ImportResult:
    batch: ImportBatch
    errors: list[RowError]


def _flag(value: Any, row: int, column: str, errors: list[RowError]) -> bool:
    t = text(value)
    if t in YES:
        return True
    if t not in NO:
        errors.append(RowError(row, column, f"「{t}」应填写“是”或“否”。"))
    return False


def _required(values: dict[str, Any], column: str, row: int, errors: list[RowError], max_len: int) -> str:
    t = text(values.get(column))
    if not t:
        errors.append(RowError(row, column, "不能为空。"))
    elif len(t) > max_len:
        errors.append(RowError(row, column, f"不能超过{max_len}个字符。"))
    return t


def validate_units(sheet: Sheet) -> tuple[list[dict[str, Any]], list[RowError]]:
    errors: list[RowError] = []
    sectors = {s.name: s for s in Sector.objects.all()}
    existing = set(BudgetUnit.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for row, v in sheet.rows:
        code = _required(v, "单位编码", row, errors, 20)
        name = _required(v, "单位名称", row, errors, 100)
        parent = text(v.get("上级单位编码"))
        sector_name = text(v.get("行业"))
        if sector_name not in sectors:
            errors.append(RowError(row, "行业", f"「{sector_name}」不是系统中的行业分类。" if sector_name else "不能为空。"))
        if code in seen:
            errors.append(RowError(row, "单位编码", f"与第{seen[code]}行重复。"))
        seen.setdefault(code, row)
        years = [y for y in SPLIT.split(text(v.get("纳入综合绩效考评年度"))) if y]
        for y in years:
            if not (y.isdigit() and 2000 <= int(y) <= 2100):
                errors.append(RowError(row, "纳入综合绩效考评年度", f"「{y}」不是有效年度。"))
        parsed.append({
            "row": row, "code": code, "name": name, "parent": parent, "sector": sectors.get(sector_name),
            "is_classified": _flag(v.get("是否涉密"), row, "是否涉密", errors),
            "years": [int(y) for y in years if y.isdigit()],
        })
    codes = set(seen) | existing
    for p in parsed:
        if p["parent"] and p["parent"] not in codes:
            errors.append(RowError(p["row"], "上级单位编码", f"上级单位「{p['parent']}」既不在文件中，也不在系统中。"))
        if p["parent"] == p["code"] and p["code"]:
            errors.append(RowError(p["row"], "上级单位编码", "不能是单位自身。"))
    return parsed, errors


def write_units(parsed: list[dict[str, Any]]) -> tuple[int, int]:
    created = updated = 0
    by_code = {u.code: u for u in BudgetUnit.objects.all()}
    pending = list(parsed)
    while pending:  # parents first: a unit is written once its parent exists
        progressed = []
        for p in pending:
            if p["parent"] and p["parent"] not in by_code:
                continue
            unit = by_code.get(p["code"]) or BudgetUnit(code=p["code"])
            is_new = unit.pk is None
            unit.name, unit.sector, unit.is_classified = p["name"], p["sector"], p["is_classified"]
            unit.parent = by_code[p["parent"]] if p["parent"] else None
            with_reason(unit, "Excel导入")
            unit.save()
            by_code[unit.code] = unit
            for y in p["years"]:
                UnitYearSetting.objects.update_or_create(unit=unit, year=y, defaults={"in_assessment_scope": True})
            created += is_new
            updated += not is_new
            progressed.append(p)
        if not progressed:
            raise ImportRejected([RowError(p["row"], "上级单位编码", "上级单位关系存在循环。") for p in pending])
        pending = [p for p in pending if p not in progressed]
    return created, updated


@dataclass(slots=True)
class ParsedProject:
    """One validated row of a project file."""

    row: int
    year: int | None
    code: str
    name: str
    unit: BudgetUnit | None
    sector: Sector | None
    initial: int | None
    adjusted: int | None
    is_continuing: bool
    is_classified: bool
    sources: tuple[FundSource, ...]
    categories: tuple[PolicyCategory, ...]


KINDS = frozenset({"新增", "延续", "新增项目", "延续项目"})


def validate_projects(sheet: Sheet) -> tuple[list[ParsedProject], list[RowError]]:
    errors: list[RowError] = []
    units = {u.code: u for u in BudgetUnit.objects.select_related("sector")}
    unit_sectors = {u.code: u.sector for u in units.values()}
    sources = {s.name: s for s in FundSource.objects.all()}
    categories = {c.name: c for c in PolicyCategory.objects.all()}
    sectors = {s.name: s for s in Sector.objects.all()}
    seen: dict[tuple[int, str], int] = {}
    parsed: list[ParsedProject] = []
    initial_unit, adjusted_unit = sheet.units["年初预算数"], sheet.units["调整后预算数"]
    find_sources, find_categories = _names_in(sources), _names_in(categories)

    # cells as text inline (``core.imports.text``, a string cell stripped): this loop runs once per row
    for row, v in sheet.rows:
        get = v.get
        year_text = cell.strip() if (cell := get("预算年度")).__class__ is str else text(cell)
        year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
        if year is None:
            errors.append(RowError(row, "预算年度", f"「{year_text}」不是有效年度。" if year_text else "不能为空。"))
        code = cell.strip() if (cell := get("项目编码")).__class__ is str else text(cell)
        if not code or len(code) > 40:
            _required(v, "项目编码", row, errors, 40)
        name = cell.strip() if (cell := get("项目名称")).__class__ is str else text(cell)
        if not name or len(name) > 200:
            _required(v, "项目名称", row, errors, 200)
        unit_code = cell.strip() if (cell := get("单位编码")).__class__ is str else text(cell)
        unit = units.get(unit_code)
        if unit is None:
            errors.append(RowError(row, "单位编码", f"单位「{unit_code}」不在系统中，请先导入预算单位。" if unit_code else "不能为空。"))
        if year and code:
            first = seen.setdefault((year, code), row)
            if first != row:
                errors.append(RowError(row, "项目编码", f"与第{first}行重复。"))
        try:
            initial: int | None = parse_amount(get("年初预算数"), initial_unit)
        except AmountError as exc:
            initial = None
            errors.append(RowError(row, "年初预算数", str(exc)))
        try:
            adjusted: int | None = parse_amount(get("调整后预算数"), adjusted_unit)
        except AmountError as exc:
            adjusted = None
            errors.append(RowError(row, "调整后预算数", str(exc)))
        kind = cell.strip() if (cell := get("项目属性")).__class__ is str else text(cell)
        if kind not in KINDS:
            errors.append(RowError(row, "项目属性", f"「{kind}」应填写“新增”或“延续”。" if kind else "不能为空。"))
        named, row_sources, unknown = find_sources(cell.strip() if (cell := get("资金来源")).__class__ is str else text(cell))
        if not named:
            errors.append(RowError(row, "资金来源", "不能为空。"))
        for s in unknown:
            errors.append(RowError(row, "资金来源", f"「{s}」不是系统中的资金来源（可选：{'、'.join(sources)}）。"))
        _named, row_categories, unknown = find_categories(
            cell.strip() if (cell := get("重大政策类别")).__class__ is str else "" if cell is None else text(cell))
        for c in unknown:
            errors.append(RowError(row, "重大政策类别", f"「{c}」不是系统中的政策类别（可选：{'、'.join(categories)}）。"))
        sector_name = cell.strip() if (cell := get("行业")).__class__ is str else "" if cell is None else text(cell)
        if sector_name and sector_name not in sectors:
            errors.append(RowError(row, "行业", f"「{sector_name}」不是系统中的行业分类。"))
        classified = get("是否涉密")
        parsed.append(ParsedProject(
            row, year, code, name, unit, sectors.get(sector_name) or unit_sectors.get(unit_code), initial, adjusted,
            kind.startswith("延续"),
            False if classified is None or classified == "" else _flag(classified, row, "是否涉密", errors),
            row_sources, row_categories,
        ))
    return parsed, errors


def _names_in(table: dict[str, T]) -> Callable[[str], tuple[list[str], tuple[T, ...], list[str]]]:
    """A cell's names (split at 、 , ; / and spaces) → (the names, the records of ``table`` they name, the
    names it lacks), worked out once per distinct text: a file repeats a handful of fund-source texts."""
    cache: dict[str, tuple[list[str], tuple[T, ...], list[str]]] = {}

    def find(value: str) -> tuple[list[str], tuple[T, ...], list[str]]:
        found = cache.get(value)
        if found is None:
            names = [s for s in SPLIT.split(value) if s]
            found = cache[value] = (names, tuple(table[s] for s in names if s in table),
                                    [s for s in names if s not in table])
        return found

    return find


#: Called with each budget year whose projects an import wrote (e.g. result application links its proposals).
AFTER_PROJECT_IMPORT: list[Any] = []


#: Project columns the import writes, in the order of the INSERT (``core.bulk``)
PROJECT_FIELDS = ["year", "code", "name", "unit_id", "sector_id", "initial_budget_fen", "adjusted_budget_fen",
                  "is_continuing", "is_classified"]
#: … and the columns an import updates on a project it already has
UPDATED_FIELDS = ["name", "unit_id", "sector_id", "initial_budget_fen", "adjusted_budget_fen", "is_continuing",
                  "is_classified", "lock_version"]


def write_projects(parsed: list[ParsedProject]) -> tuple[int, int]:
    """Bulk writes (``core.bulk``): the new projects in multi-row INSERTs and their history rows by one
    INSERT … SELECT, the existing ones by one prepared UPDATE and their history rows likewise; fund
    sources and policy categories linked by INSERT … SELECT, one per source (category)."""
    years = {p.year for p in parsed if p.year is not None}
    existing = {(p.year, p.code): p for p in Project.objects.filter(year__in=years)}
    links = _existing_links(years) if existing else {}
    new: list[list[Any]] = []
    changed: list[Project] = []
    updates: list[list[Any]] = []
    for p in parsed:
        project = existing.get((p.year, p.code))
        values = [p.name, p.unit.id, p.sector.id, p.initial, p.adjusted,  # type: ignore[union-attr]
                  p.is_continuing, p.is_classified]
        if project is None:
            new.append([p.year, p.code, *values])
            continue
        if _unchanged(project, values, p, links.get(project.pk)):
            continue  # an unchanged row writes nothing and makes no version
        updates.append([*values, project.lock_version + 1, project.pk])
        changed.append(project)
    reason = "Excel导入"
    by_key = insert_with_history(Project, PROJECT_FIELDS, new, ("year", "code"), reason)
    update_with_history(Project, UPDATED_FIELDS, updates, reason)
    by_key.update({(pr.year, pr.code): pr.pk for pr in changed})
    _set_m2m(Project.fund_sources.through, "fundsource_id", by_key, parsed, "sources", changed)
    _set_m2m(Project.policy_categories.through, "policycategory_id", by_key, parsed, "categories", changed)
    for year in sorted(years):
        for hook in AFTER_PROJECT_IMPORT:
            hook(year)
    return len(new), len(changed)


def _existing_links(years: set[int]) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
    """Each stored project's fund sources and policy categories (ids), for the years of a file."""
    found: dict[int, tuple[set[int], set[int]]] = {}
    for n, (through, target) in enumerate(((Project.fund_sources.through, "fundsource_id"),
                                           (Project.policy_categories.through, "policycategory_id"))):
        for project_id, item_id in through._default_manager.filter(project__year__in=years).values_list("project_id", target):
            found.setdefault(project_id, (set(), set()))[n].add(item_id)
    return {pk: (frozenset(a), frozenset(b)) for pk, (a, b) in found.items()}


def _unchanged(project: Project, values: list[Any], p: ParsedProject,
               links: tuple[frozenset[int], frozenset[int]] | None) -> bool:
    """Whether a row carries exactly what its stored project has (fields, fund sources, categories)."""
    stored = [getattr(project, f) for f in UPDATED_FIELDS[:-1]]
    sources, categories = links or (frozenset(), frozenset())
    return (stored == values and sources == {s.id for s in p.sources}
            and categories == {c.id for c in p.categories})


def _set_m2m(through: Any, target: str, by_key: dict[tuple[Any, ...], int], parsed: list[ParsedProject],
             key: str, changed: list[Project]) -> None:
    if changed:
        through.objects.filter(project_id__in=[p.pk for p in changed]).delete()
    owners: dict[int, list[int]] = {}  # a fund source (policy category) → its projects
    for p in parsed:
        items = getattr(p, key)
        pk = by_key.get((p.year, p.code))  # an unchanged project keeps its links
        if items and pk is not None:
            for item in items:
                linked = owners.setdefault(item.id, [])
                if not linked or linked[-1] != pk:  # a source named twice in one cell is one link
                    linked.append(pk)
    insert_links(through, "project_id", target, Project, {item: sorted(pks) for item, pks in owners.items()})


def queue_import(kind: str, content: bytes | Iterable[bytes], filename: str, user: Any) -> ImportBatch:
    """Store the upload as a file and hand it to the background worker; the batch page shows its
    progress. A province's budget export takes minutes, so it never runs in a request."""
    batch = ImportBatch(kind=kind, file_name=filename[:200], uploaded_by=user)
    batch.store(content)
    batch.save()
    queue(batch, process_import)
    return batch


@task()
def process_import(batch_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    # One attempt owns the batch (queued → running); a duplicate or superseded attempt does nothing.
    if batch.claim():
        try:
            run_import(batch)
        except jobs.Superseded:
            batch.refresh_from_db()
    return batch.status


jobs.register(process_import, ImportBatch.fail, model=ImportBatch, on_retry=ImportBatch.requeue)


def run_import(batch: ImportBatch) -> ImportResult:
    """Validate and write the batch's file; a rejected file writes nothing but its ImportBatch record."""
    with collector_paused():
        return _run_import(batch)


def _run_import(batch: ImportBatch) -> ImportResult:
    filename, kind, user = batch.file_name, batch.kind, batch.uploaded_by
    sheet: Sheet | None = None
    try:
        content = stored_content(batch)
        if kind == ImportBatch.Kind.UNITS:
            sheet = read_table(content, filename, UNIT_COLUMNS)
            batch.set_progress(30)
            parsed: list[Any]
            parsed, errors = validate_units(sheet)
            writer: Any = write_units
        else:
            sheet = read_table(content, filename, PROJECT_COLUMNS, amounts=AMOUNT_COLUMNS)
            batch.set_progress(30)
            parsed, errors = validate_projects(sheet)
            writer = write_projects
        if errors:
            raise ImportRejected(errors, sheet)
        batch.set_progress(60)
        with transaction.atomic():
            batch.hold()
            created, updated = writer(parsed)
            batch.complete(len(parsed), created_count=created, updated_count=updated, notes=sheet.notes())
    except ImportRejected as exc:
        batch.reject(exc.errors, exc.sheet or sheet)
        log_event(EventType.IMPORT, user=user, outcome="failure", obj=batch, errors=len(exc.errors))
        return ImportResult(batch, exc.errors)
    log_event(EventType.IMPORT, user=user, obj=batch, created=created, updated=updated)
    return ImportResult(batch, [])

