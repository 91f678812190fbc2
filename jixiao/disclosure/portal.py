"""The public portal's pages as data: the same builders serve ``/gongkai/`` and the static export.

Every page is addressed by a logical path mirroring the export's files (``2021/1001/`` is
``2021/1001/index.html``); a :class:`Linker` turns paths into the server's URLs or into relative
links that work from the file system. Only published, non-涉密 publications are read.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q

from jixiao.core import charts
from jixiao.disclosure.models import Kind, Publication, PublicationPdf, PublicationVersion
from jixiao.rules.money import format_wan
from jixiao.rules.monitoring import LIGHT_LABELS, execution_light
from jixiao.rules.ruleset import get_rule_set

GRADES = ("优", "良", "中", "差")
LIGHTS = tuple(LIGHT_LABELS.items())
KIND_HEADINGS = {Kind.TARGET: "绩效目标（与预算同公开）", Kind.SELFEVAL: "绩效自评结果及自评报告",
                 Kind.KEY: "重点绩效评价报告、发现问题及整改情况"}


def file_of(path: str) -> str:
    return path + "index.html" if path == "" or path.endswith("/") else path


@dataclass(frozen=True)
class Linker:
    """Links from the page at ``page`` (a logical path) to other logical paths."""

    page: str
    static: bool = False
    prefix: str = "/gongkai/"
    css_url: str = ""

    def __call__(self, target: str) -> str:
        if not self.static:
            return self.prefix + target
        here = posixpath.dirname(file_of(self.page)) or "."
        return posixpath.relpath(file_of(target), here)

    def asset(self, name: str) -> str:
        return self("assets/" + name) if self.static else self.css_url


def unit_path(year: int, unit_code: str) -> str:
    return f"{year}/{unit_code}/"


def publication_path(pk: int) -> str:
    return f"p/{pk}/"


def version_path(pk: int, number: int) -> str:
    return f"p/{pk}/v{number}/"


def download_path(pk: int, number: int, name: str) -> str:
    return f"p/{pk}/v{number}/{name}"


def public_publications() -> Any:
    return Publication.objects.public()


def current_versions(publications: Any) -> list[PublicationVersion]:
    return list(PublicationVersion.objects.filter(publication__in=publications, number=F("publication__current_number"))
                .select_related("publication__unit", "publication__project")
                .order_by("publication__kind", "publication__project__code", "publication__title", "publication_id"))


def state_digest(publications: Any) -> str:
    """What a cached page depends on: each shown publication's current version and withdrawal."""
    rows = publications.order_by("pk").values_list("pk", "current_number", "withdrawn_at")
    text = ";".join(f"{pk}:{n}:{w.isoformat() if w else ''}" for pk, n, w in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def years() -> list[int]:
    return sorted(set(public_publications().values_list("year", flat=True)), reverse=True)


def _amount(content: dict[str, Any]) -> str:
    fen = content.get("budget_fen") if content.get("kind") != "key" else content.get("amount_fen")
    return format_wan(fen) if fen is not None else ""


def row(version: PublicationVersion, link: Linker) -> dict[str, Any]:
    pub, c = version.publication, version.content
    return {
        "pk": pub.pk, "title": pub.title, "subject": c.get("project") or c.get("subject") or pub.unit.name, "kind": pub.get_kind_display(), "withdrawn": pub.is_withdrawn,
        "unit": pub.unit.name, "unit_code": pub.unit.code, "project": c.get("project") or "",
        "project_code": c.get("project_code") or "", "amount_wan": _amount(c), "version": version.number,
        "published_on": version.published_at.date(), "grade": c.get("grade") or "", "total": c.get("total") or "",
        "form": ("部门整体支出" if "部门" in (c.get("form") or "") else "项目支出") if pub.kind == Kind.TARGET
        else (c.get("form") or c.get("subject") or ""), "content": c,
        "url": link(publication_path(pub.pk)), "unit_url": link(unit_path(pub.year, pub.unit.code)),
        "problems": c.get("rectifications") or [],
    }


def index_page(link: Linker, *, search: bool) -> dict[str, Any]:
    counts = Counter(public_publications().filter(withdrawn_at__isnull=True).values_list("year", "kind"))
    return {
        "title": "预算绩效信息公开", "search": search,
        "years": [{"year": y, "url": link(f"{y}/"), "targets": counts[(y, Kind.TARGET)],
                   "selfevals": counts[(y, Kind.SELFEVAL)], "keys": counts[(y, Kind.KEY)]} for y in years()],
    }


def year_page(year: int, link: Linker) -> dict[str, Any]:
    pubs = public_publications().filter(year=year)
    versions = current_versions(pubs)
    by_unit: dict[int, dict[str, Any]] = {}
    for v in versions:
        unit = v.publication.unit
        entry = by_unit.setdefault(unit.pk, {"code": unit.code, "name": unit.name, "url": link(unit_path(year, unit.code)),
                                             Kind.TARGET: 0, Kind.SELFEVAL: 0, Kind.KEY: 0, "budget_fen": 0})
        if not v.publication.is_withdrawn:
            entry[v.publication.kind] += 1
            if v.publication.kind == Kind.TARGET and v.content.get("project_code"):
                entry["budget_fen"] += v.content.get("budget_fen") or 0
    units = sorted(by_unit.values(), key=lambda e: e["code"])
    for e in units:
        e["targets"], e["selfevals"], e["keys"] = e[Kind.TARGET], e[Kind.SELFEVAL], e[Kind.KEY]
        e["budget_wan"] = format_wan(e["budget_fen"])
    return {"title": f"{year}年度预算绩效信息公开", "year": year, "units": units, "index_url": link(""),
            **summary_charts(year, [v for v in versions if not v.publication.is_withdrawn])}


def summary_charts(year: int, versions: list[PublicationVersion]) -> dict[str, Any]:
    """The district's summary: self-evaluation grades, key-evaluation grades, execution lights and rates."""
    selfevals = [v.content for v in versions if v.publication.kind == Kind.SELFEVAL]
    keys = [v.content for v in versions if v.publication.kind == Kind.KEY]
    grades = Counter(c.get("grade") for c in selfevals)
    key_grades = Counter(c.get("grade") for c in keys)
    rule_set = get_rule_set()
    lights: Counter[str] = Counter()
    by_root: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in selfevals:
        budget, executed = c.get("budget_fen"), c.get("executed_fen")
        if budget:
            lights[execution_light(Decimal(budget), Decimal(executed or 0), 12, rule_set).code] += 1
            by_root[c["unit"]][0] += budget
            by_root[c["unit"]][1] += executed or 0
    rates = sorted(((name, Decimal(e * 100) / Decimal(b)) for name, (b, e) in by_root.items() if b),
                   key=lambda x: (x[1], x[0]))[:15]
    grade_rows = [(g, grades.get(g, 0)) for g in GRADES]
    key_rows = [(g, key_grades.get(g, 0)) for g in GRADES]
    light_rows = [(code, label, lights.get(code, 0)) for code, label in LIGHTS]
    return {
        "grade_chart": charts.counts_svg(grade_rows, f"{year}年度已公开绩效自评等级分布"),
        "key_chart": charts.counts_svg(key_rows, f"{year}年度已公开重点绩效评价等级分布"),
        "light_chart": charts.lights_svg(light_rows, f"{year}年度已公开自评项目预算执行情况（全年）"),
        "rate_chart": charts.execution_svg([charts.Bar(n, r.quantize(Decimal("0.01"))) for n, r in rates],
                                           Decimal(100), f"{year}年度预算执行率较低的单位（已公开自评）"),
        "grade_rows": grade_rows, "key_rows": key_rows, "light_rows": light_rows,
        "rate_rows": [(n, f"{r:.2f}%") for n, r in rates],
    }


def unit_page(year: int, unit: Any, link: Linker) -> dict[str, Any]:
    versions = current_versions(public_publications().filter(year=year, unit=unit))
    sections = []
    for kind in (Kind.TARGET, Kind.SELFEVAL, Kind.KEY):
        rows = [row(v, link) for v in versions if v.publication.kind == kind]
        sections.append({"kind": kind, "heading": KIND_HEADINGS[kind], "rows": rows})
    return {"title": f"{unit.name}{year}年度预算绩效信息公开", "year": year, "unit": unit, "sections": sections,
            "year_url": link(f"{year}/"), "index_url": link("")}


DOWNLOADS = (("data.csv", "数据（CSV）"), ("data.xlsx", "数据（Excel，含数据说明）"), ("report.docx", "公开文本（Word）"))
PDF_NAME = "report.pdf"


def pdf_state(version: PublicationVersion) -> tuple[str, str]:
    """(status, SHA-256) of the version's PDF; a version published before PDFs were printed has none
    until ``jixiao publish pdfs``."""
    try:
        row = version.pdf  # loaded with the version when the caller selected it
    except PublicationPdf.DoesNotExist:
        return PublicationPdf.Status.UNAVAILABLE.value, ""
    return str(row.status), str(row.sha256)


def version_page(publication: Publication, version: PublicationVersion, link: Linker,
                 pdf: tuple[str, str] | None = None) -> dict[str, Any]:
    status, pdf_sha256 = pdf or pdf_state(version)
    done = status == PublicationPdf.Status.DONE
    all_versions = list(publication.versions.order_by("number").only(
        "pk", "number", "published_at", "correction_note", "sha256", "publication_id"))
    return {
        "title": publication.title, "publication": publication, "version": version, "c": version.content,
        "kind": publication.kind, "is_current": version.number == publication.current_number,
        "versions": [{"number": v.number, "published_on": v.published_at.date(), "note": v.correction_note,
                      "url": link(version_path(publication.pk, v.number)), "current": v.number == publication.current_number}
                     for v in all_versions],
        "downloads": [] if publication.is_withdrawn else [
            {"name": label, "url": link(download_path(publication.pk, version.number, name))} for name, label in DOWNLOADS],
        "pdf": {"url": link(download_path(publication.pk, version.number, PDF_NAME)) if done else "",
                "sha256": pdf_sha256 if done else "", "pending": status == PublicationPdf.Status.PENDING},
        "unit_url": link(unit_path(publication.year, publication.unit.code)), "year_url": link(f"{publication.year}/"),
        "index_url": link(""), "current_url": link(publication_path(publication.pk)),
        "dictionary_url": link("data-dictionary.csv"),
        "report_sections": _report_sections(version.content),
    }


def _report_sections(content: dict[str, Any]) -> list[tuple[str, str]]:
    from jixiao.disclosure.content import REPORT_SECTIONS

    report = content.get("report") or {}
    return [(heading, report.get(field) or "") for field, heading in REPORT_SECTIONS if report.get(field)]


def search(query: str, link: Linker, limit: int = 100) -> list[dict[str, Any]]:
    q = query.strip()
    if not q:
        return []
    pubs = public_publications().filter(
        Q(title__icontains=q) | Q(unit__name__icontains=q) | Q(unit__code__iexact=q)
        | Q(project__name__icontains=q) | Q(project__code__icontains=q))
    return [row(v, link) for v in current_versions(pubs.order_by("-year", "pk")[:limit])]
