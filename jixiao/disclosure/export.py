"""The portal as static files for the 区政府 portal's 预决算公开 column (``jixiao publish export DIR``).

The same page builders and templates as ``/gongkai/`` with relative links, plus the CSS, every
publication version's downloads (its PDF once the worker has printed it), ``sitemap.xml`` and a machine-readable ``index.json``. Nothing
depends on the time of writing or the order rows come back in, so the same publications give
byte-identical files.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from django.contrib.staticfiles import finders

from jixiao.disclosure import files, portal
from jixiao.disclosure.models import PublicationPdf, PublicationVersion
from jixiao.disclosure.views_portal import render_page
from jixiao.organisation.models import BudgetUnit

Progress = Callable[[int, str], None]


def _link(page: str) -> portal.Linker:
    return portal.Linker(page, static=True)


def site_files(base_url: str = "", progress: Progress | None = None) -> Iterator[tuple[str, bytes]]:
    """Every file of the static site as (relative path, bytes), in a fixed order."""
    css = finders.find("disclosure/portal.css")
    yield "assets/portal.css", Path(str(css)).read_bytes()
    yield "data-dictionary.csv", files.dictionary_csv()
    pages: list[str] = [""]
    link = _link("")
    yield "index.html", render_page("index.html", portal.index_page(link, search=False), link).encode()
    entries = []
    pubs = portal.public_publications()
    years = portal.years()
    versions = list(PublicationVersion.objects.filter(publication__in=pubs)
                    .select_related("publication__unit", "publication__project", "pdf").defer("pdf__content")
                    .order_by("publication_id", "number"))
    total = max(len(versions), 1)
    for year in years:
        link = _link(f"{year}/")
        pages.append(f"{year}/")
        yield f"{year}/index.html", render_page("year.html", portal.year_page(year, link), link).encode()
        codes = sorted(set(pubs.filter(year=year).values_list("unit__code", flat=True)))
        for unit in BudgetUnit.objects.filter(code__in=codes).order_by("code"):
            path = portal.unit_path(year, unit.code)
            link = _link(path)
            pages.append(path)
            yield portal.file_of(path), render_page("unit.html", portal.unit_page(year, unit, link), link).encode()
    for n, version in enumerate(versions):
        publication = version.publication
        targets = [portal.version_path(publication.pk, version.number)]
        if version.number == publication.current_number:
            targets.insert(0, portal.publication_path(publication.pk))
        pdf = portal.pdf_state(version)
        pdf_data = files.stored_pdf(version) if pdf[0] == PublicationPdf.Status.DONE else None
        if pdf_data is None:
            pdf = (PublicationPdf.Status.UNAVAILABLE.value, "")
        for path in targets:
            link = _link(path)
            pages.append(path)
            yield portal.file_of(path), render_page("publication.html",
                                                    portal.version_page(publication, version, link, pdf), link).encode()
        downloads = {}
        if not publication.is_withdrawn:
            for name, _label in portal.DOWNLOADS:
                made = files.download(version, name)
                assert made is not None
                path = portal.download_path(publication.pk, version.number, name)
                downloads[name] = path
                yield path, made[0]
            if pdf_data is not None:
                downloads[portal.PDF_NAME] = portal.download_path(publication.pk, version.number, portal.PDF_NAME)
                yield downloads[portal.PDF_NAME], pdf_data
        if version.number == publication.current_number:
            entries.append(_entry(version, downloads, pdf[1] if pdf_data is not None and not publication.is_withdrawn
                                  else None))
        if progress and n % 50 == 0:
            progress(10 + 85 * n // total, f"已写出{n}/{total}个公开版本")
    yield "index.json", json.dumps({"title": "云溪区预算绩效信息公开", "years": years, "publications": entries},
                                   ensure_ascii=False, indent=1, sort_keys=True).encode()
    yield "sitemap.xml", sitemap(pages, base_url).encode()


def _entry(version: PublicationVersion, downloads: dict[str, str], pdf_sha256: str | None) -> dict[str, object]:
    p, c = version.publication, version.content
    return {
        "id": p.pk, "kind": p.get_kind_display(), "year": p.year, "title": p.title, "unit_code": p.unit.code,
        "unit": p.unit.name, "project_code": c.get("project_code"), "project": c.get("project"),
        "version": version.number, "published_on": version.published_at.date().isoformat(), "sha256": version.sha256,
        "correction_note": version.correction_note or None, "withdrawn": p.is_withdrawn,
        "withdrawal_reason": p.withdrawal_reason or None, "page": portal.file_of(portal.publication_path(p.pk)),
        "downloads": downloads, "pdf_sha256": pdf_sha256,
    }


def sitemap(pages: list[str], base_url: str) -> str:
    base = base_url.rstrip("/") + "/" if base_url else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(base + portal.file_of(p))}</loc></url>" for p in pages]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def export_to_directory(target: Path, base_url: str = "", progress: Progress | None = None) -> int:
    count = 0
    for rel, data in site_files(base_url, progress):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        count += 1
    return count


def export_zip(base_url: str = "", progress: Progress | None = None) -> bytes:
    """The same files in one .zip (entries dated 1980-01-01, so equal publications give equal archives)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in site_files(base_url, progress):
            info = zipfile.ZipInfo(f"gongkai/{rel}", (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buf.getvalue()
