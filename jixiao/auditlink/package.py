"""The audit bureau's data package (信息共享): targets, monitoring, self-evaluations, re-checks, key
evaluations and rectification of a year and scope, as CSV files with a data dictionary (field,
meaning, unit, type) in the Frictionless Data Package layout (``datapackage.json``), a manifest of
SHA-256 sums and an HMAC-SHA256 signature of the manifest.

Dated and reproducible: the package of date D holds each record as its history stood at the end
of D (records created later are left out), rows sorted by id, JSON with sorted keys, and every zip
entry stamped D 00:00:00 — the same date and the same history give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from jixiao.rules.money import format_yuan


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    type: str  # Frictionless types: string, integer, number, date, boolean
    unit: str
    get: Callable[[Any], Any]


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    model: str  # app_label.ModelName
    fields: tuple[Field, ...]
    year_filter: Callable[[int], dict[str, Any]]
    related: tuple[str, ...]  # what the fields read besides the row (select_related, primed on past versions)


def _yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen).replace(",", "")


def _day(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat()


def _label(obj: Any, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


def _state(obj: Any) -> str:
    return obj.workflow().state_label(obj.state) if hasattr(obj, "workflow") else str(obj.state)


def _unit_code(obj: Any, path: str = "unit") -> str:
    unit = getattr(obj, path)
    return unit.code if unit else ""


def _unit_name(obj: Any, path: str = "unit") -> str:
    unit = getattr(obj, path)
    return unit.name if unit else ""


def _project(obj: Any, attr: str) -> str:
    project = getattr(obj, "project", None)
    return getattr(project, attr) if project else ""


UNIT_FIELDS = (
    Field("unit_code", "单位编码", "string", "", _unit_code),
    Field("unit_name", "单位名称", "string", "", _unit_name),
    Field("project_code", "项目编码（部门整体支出为空）", "string", "", lambda o: _project(o, "code")),
    Field("project_name", "项目名称", "string", "", lambda o: _project(o, "name")),
)

RESOURCES = (
    Resource("targets", "绩效目标申报", "targets.TargetDeclaration", (
        Field("id", "记录编号", "integer", "", lambda o: o.pk),
        Field("year", "预算年度", "integer", "年", lambda o: o.year),
        Field("kind", "申报类型", "string", "", lambda o: _label(o, "kind")),
        *UNIT_FIELDS,
        Field("version", "版本", "integer", "", lambda o: o.version),
        Field("is_current", "现行版本", "boolean", "", lambda o: o.is_current),
        Field("state", "状态", "string", "", _state),
        Field("review_grade", "财政审核等级", "string", "", lambda o: o.review_grade),
        Field("fiscal_yuan", "财政拨款", "number", "元", lambda o: _yuan(o.fiscal_fen)),
        Field("other_yuan", "其他资金", "number", "元", lambda o: _yuan(o.other_fen)),
        Field("approved_on", "批复日期", "date", "", lambda o: _day(o.approved_at)),
        Field("published_on", "公开日期", "date", "", lambda o: _day(o.published_at)),
    ), lambda y: {"year": y}, ("unit", "project")),
    Resource("monitoring", "绩效运行监控表", "monitoring.MonitoringForm", (
        Field("id", "记录编号", "integer", "", lambda o: o.pk),
        Field("round", "监控轮次", "string", "", lambda o: o.round.title),
        Field("kind", "类型", "string", "", lambda o: _label(o, "kind")),
        *UNIT_FIELDS,
        Field("budget_yuan", "调整后预算数", "number", "元", lambda o: _yuan(o.budget_fen)),
        Field("executed_yuan", "执行数", "number", "元", lambda o: _yuan(o.executed_fen)),
        Field("execution_rate", "执行率", "number", "%", lambda o: "" if o.execution_rate is None else f"{o.execution_rate:.2f}"),
        Field("overall_light", "综合预警", "string", "", lambda o: _label(o, "overall_light") if o.overall_light else ""),
        Field("state", "状态", "string", "", _state),
        Field("submitted_on", "报送日期", "date", "", lambda o: _day(o.submitted_at)),
        Field("paper_received_on", "纸质档接收日期", "date", "", lambda o: _day(o.paper_received_at)),
    ), lambda y: {"round__year": y}, ("round", "unit", "project")),
    Resource("selfevaluations", "绩效自评", "evaluation.SelfEvaluation", (
        Field("id", "记录编号", "integer", "", lambda o: o.pk),
        Field("year", "自评年度", "integer", "年", lambda o: o.year),
        Field("kind", "类型", "string", "", lambda o: _label(o, "kind")),
        *UNIT_FIELDS,
        Field("budget_yuan", "全年预算数", "number", "元", lambda o: _yuan(o.budget_fen)),
        Field("executed_yuan", "全年执行数", "number", "元", lambda o: _yuan(o.executed_fen)),
        Field("claimed_grade", "自评等级", "string", "", lambda o: o.claimed_grade),
        Field("computed_grade", "系统计算等级", "string", "", lambda o: o.computed_grade),
        Field("state", "状态", "string", "", _state),
        Field("submitted_on", "提交日期", "date", "", lambda o: _day(o.submitted_at)),
        Field("published_on", "公开日期", "date", "", lambda o: _day(o.published_at)),
    ), lambda y: {"year": y - 1}, ("unit", "project")),
    Resource("rechecks", "自评质量复核", "evaluation.Recheck", (
        Field("id", "记录编号", "integer", "", lambda o: o.pk),
        Field("selfevaluation_id", "自评记录编号", "integer", "", lambda o: o.selfeval_id),
        Field("unit_name", "单位名称", "string", "", lambda o: o.selfeval.unit.name),
        Field("agency", "复核机构", "string", "", lambda o: o.agency.name),
        Field("self_score", "自评得分", "number", "分", lambda o: "" if o.self_score is None else f"{o.self_score:.2f}"),
        Field("recheck_score", "复核得分", "number", "分", lambda o: "" if o.recheck_score is None else f"{o.recheck_score:.2f}"),
        Field("quality", "自评质量等级", "string", "", lambda o: o.quality),
        Field("completed_on", "复核完成日期", "date", "", lambda o: _day(o.completed_at)),
    ), lambda y: {"selfeval__year": y - 1}, ("selfeval__unit", "agency")),
    Resource("keyevaluations", "财政重点绩效评价", "evaluation.KeyEvaluation", (
        Field("id", "记录编号", "integer", "", lambda o: o.pk),
        Field("year", "工作方案年度", "integer", "年", lambda o: o.year),
        Field("evaluated_year", "被评价预算年度", "integer", "年", lambda o: o.evaluated_year),
        Field("kind", "评价类型", "string", "", lambda o: _label(o, "kind")),
        Field("title", "评价项目名称", "string", "", lambda o: o.title),
        *UNIT_FIELDS,
        Field("amount_yuan", "涉及资金", "number", "元", lambda o: _yuan(o.amount_fen)),
        Field("agency", "第三方机构", "string", "", lambda o: o.agency.name if o.agency else ""),
        Field("state", "状态", "string", "", _state),
    ), lambda y: {"year": y}, ("unit", "project", "agency")),
)

RECTIFICATION_FIELDS = (
    Field("source", "问题来源", "string", "", lambda r: r[0]),
    Field("id", "来源记录编号", "integer", "", lambda r: r[1]),
    Field("unit_code", "责任单位编码", "string", "", lambda r: r[2]),
    Field("unit_name", "责任单位", "string", "", lambda r: r[3]),
    Field("problem", "存在问题", "string", "", lambda r: r[4]),
    Field("requirement", "整改要求", "string", "", lambda r: r[5]),
    Field("deadline", "整改期限", "date", "", lambda r: r[6]),
    Field("state", "状态", "string", "", lambda r: r[7]),
    Field("closed_on", "销号日期", "date", "", lambda r: r[8]),
)


def as_of_rows(model: type[models.Model], scoped: models.QuerySet[Any], end: datetime) -> list[Any]:
    """``scoped``'s records as their history stood at ``end``: the last version saved by then; a record
    without any history is taken as it is; a record first saved after ``end`` is left out.

    A fixed number of queries whatever the number of rows: a past version is built from its history row
    (fields the history does not keep, e.g. ``lock_version``, from the current record — simple_history's
    ``.instance`` would read each from the database), and the related records ``scoped`` selected are
    primed on it from the current record (those that changed since are read in one query per relation)."""
    current = {o.pk: o for o in scoped}
    history = model.history  # type: ignore[attr-defined]
    fields = model._meta.concrete_fields
    past: dict[int, Any] = {}
    # The newest version of each record saved by ``end`` (the same on every database; ``as_of`` with a
    # filter behaves differently on PostgreSQL's DISTINCT ON).
    for version in history.filter(id__in=list(current), history_date__lte=end).order_by("id", "-history_date", "-history_id"):
        if version.id not in past:
            now = current[version.id]
            past[version.id] = model(**{f.attname: getattr(version, f.attname, getattr(now, f.attname)) for f in fields})
    recorded = set(history.filter(id__in=list(current)).values_list("id", flat=True).distinct())
    _prime_related(model, past, current)
    return [past.get(pk) or current[pk] for pk in sorted(current) if pk in past or pk not in recorded]


def _prime_related(model: type[models.Model], past: dict[int, Any], current: dict[int, Any]) -> None:
    """Give each past version the related records its current record holds (select_related), the same
    record when the key is unchanged, else the one it pointed to then (one query per relation)."""
    later: dict[Any, list[Any]] = {}
    for pk, row in past.items():
        now = current[pk]
        for f in model._meta.concrete_fields:
            if not f.is_relation or not f.is_cached(now):  # type: ignore[attr-defined]
                continue
            key = getattr(row, f.attname)
            if key == getattr(now, f.attname) or key is None:
                f.set_cached_value(row, f.get_cached_value(now) if key is not None else None)  # type: ignore[attr-defined]
            else:
                later.setdefault(f, []).append(row)
    for f, rows in later.items():
        found = f.related_model._base_manager.in_bulk({getattr(r, f.attname) for r in rows})  # type: ignore[union-attr]
        for r in rows:
            f.set_cached_value(r, found.get(getattr(r, f.attname)))  # type: ignore[attr-defined]


def _csv(fields: Iterable[Field], rows: Iterable[Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = list(fields)
    writer.writerow([f.name for f in fields])
    for row in rows:
        writer.writerow(["" if (v := f.get(row)) is None else v for f in fields])
    return out.getvalue().encode("utf-8")


def _schema(fields: Iterable[Field]) -> dict[str, Any]:
    return {"fields": [{"name": f.name, "title": f.title, "description": f.title, "type": f.type,
                        **({"unit": f.unit} if f.unit else {})} for f in fields]}


def signature(manifest: bytes) -> str:
    key = hmac.new(settings.SECRET_KEY.encode(), b"jixiao-datapackage", hashlib.sha256).digest()
    return hmac.new(key, manifest, hashlib.sha256).hexdigest()


def rectification_rows(user: Any, year: int, unit_ids: list[int] | None, end: datetime) -> list[tuple[Any, ...]]:
    """The rectification register's items due in the year, every source (audit findings are source 审计)."""
    from jixiao.rectification.models import Rectification

    items = Rectification.objects.for_user(user).filter(deadline__year=year).select_related("unit")
    if unit_ids is not None:
        items = items.filter(unit_id__in=unit_ids)
    rows = [(r.get_source_display(), r.pk, r.unit.code, r.unit.name, r.problem, r.requirement, _day(r.deadline),
             _state(r), _day(r.closed_at)) for r in as_of_rows(Rectification, items, end)]
    return sorted(rows, key=lambda r: (r[0], r[1]))


def build(user: Any, year: int, on: date, unit: Any = None) -> bytes:
    """The zip of the package for ``year`` (plan year) and ``unit`` (a first-level unit's tree, or
    everything the user may see) as of the end of ``on``."""
    from django.apps import apps

    end = timezone.make_aware(datetime.combine(on, time.max))
    unit_ids = list(unit.tree_members.values_list("pk", flat=True)) if unit is not None else None
    files: dict[str, bytes] = {}
    resources = []
    for res in RESOURCES:
        model = apps.get_model(res.model)
        qs = model.objects.for_user(user).filter(**res.year_filter(year)).select_related(*res.related)  # type: ignore[attr-defined]
        if unit_ids is not None:
            field = getattr(model, "scope_unit_field", "unit")
            qs = qs.filter(**{f"{field}_id__in" if "__" not in field else f"{field}__in": unit_ids})
        rows = as_of_rows(model, qs, end)
        path = f"data/{res.name}.csv"
        files[path] = _csv(res.fields, rows)
        resources.append({"name": res.name, "title": res.title, "path": path, "format": "csv", "mediatype": "text/csv",
                          "encoding": "utf-8", "schema": _schema(res.fields)})
    rect = rectification_rows(user, year, unit_ids, end)
    files["data/rectification.csv"] = _csv(RECTIFICATION_FIELDS, rect)
    resources.append({"name": "rectification", "title": "整改事项（整改台账各来源、审计）", "path": "data/rectification.csv",
                      "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                      "schema": _schema(RECTIFICATION_FIELDS)})
    scope = f"{unit.name}及下属单位" if unit is not None else "全部（按下载账号的数据范围）"
    descriptor = {
        "name": f"jixiao-{year}-{unit.code if unit is not None else 'all'}-{on:%Y%m%d}",
        "title": f"{year}年度预算绩效数据包（{scope}，截至{on.year}年{on.month}月{on.day}日）",
        "created": f"{on.isoformat()}T23:59:59+08:00",
        "profile": "data-package",
        "licenses": [{"name": "内部资料", "title": "仅供区审计局履行职责使用"}],
        "resources": resources,
    }
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    manifest = "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items()))
    files["manifest-sha256.txt"] = manifest.encode("utf-8")
    files["signature.txt"] = (f"HMAC-SHA256(manifest-sha256.txt) {signature(manifest.encode('utf-8'))}\n"
                              f"签发：绩效管理系统 {on.isoformat()}\n").encode()
    out = io.BytesIO()
    stamp = (on.year, on.month, on.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=6)
    return out.getvalue()


def verify(content: bytes) -> list[str]:
    """Problems found checking a package against its manifest and signature (empty when sound)."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        manifest = zf.read("manifest-sha256.txt")
        for line in manifest.decode("utf-8").splitlines():
            digest, name = line.split("  ", 1)
            if hashlib.sha256(zf.read(name)).hexdigest() != digest:
                problems.append(f"{name} 的SHA-256与清单不符")
        listed = {line.split("  ", 1)[1] for line in manifest.decode("utf-8").splitlines()}
        extra = set(zf.namelist()) - listed - {"manifest-sha256.txt", "signature.txt"}
        problems += [f"{name} 不在清单中" for name in sorted(extra)]
        if signature(manifest) not in zf.read("signature.txt").decode("utf-8"):
            problems.append("签名与清单不符")
    return problems
