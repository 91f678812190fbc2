"""The public portal under ``/gongkai/``: read-only, no login, no session writes, cached per
publication version (the cache key carries the digest of the versions a page shows)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views import View

from jixiao.disclosure import files, portal
from jixiao.disclosure.models import Publication, PublicationVersion
from jixiao.organisation.models import BudgetUnit

CACHE_SECONDS = 3600
PUBLIC_CACHE_CONTROL = "public, max-age=300"


def linker(page: str) -> portal.Linker:
    return portal.Linker(page, static=False, prefix=reverse("gongkai:index"), css_url=static("disclosure/portal.css"))


def render_page(template: str, context: dict[str, Any], link: portal.Linker) -> str:
    return render_to_string(f"disclosure/portal/{template}", context | {"css_url": link.asset("portal.css"),
                                                                         "static_site": link.static})


def public(response: HttpResponse) -> HttpResponse:
    response.headers.setdefault("Cache-Control", PUBLIC_CACHE_CONTROL)
    return response


class PortalView(View):
    """GET only; never touches the session."""

    http_method_names = ["get", "head"]


def cached(key: str, build: Any) -> str:
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, CACHE_SECONDS)
    return str(html)


class IndexView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        pubs = portal.public_publications()
        key = f"gongkai:index:{portal.state_digest(pubs)}"
        link = linker("")
        return public(HttpResponse(cached(key, lambda: render_page("index.html", portal.index_page(link, search=True), link))))


class YearView(PortalView):
    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        pubs = portal.public_publications().filter(year=year)
        if not pubs.exists():
            raise Http404("该年度暂无公开信息。")
        link = linker(f"{year}/")
        key = f"gongkai:year:{year}:{portal.state_digest(pubs)}"
        return public(HttpResponse(cached(key, lambda: render_page("year.html", portal.year_page(year, link), link))))


EMPTY = "-"


def unit_state(year: int, code: str) -> str:
    """The digest of what the unit page shows — its publications' current versions, withdrawals and
    the unit's name — read in one plain query on every request, so a new version, a withdrawal, a
    涉密 flag or a rename shows at once in every server process (the cache may be per process)."""
    rows = (portal.public_publications().filter(year=year, unit__code=code).order_by("pk")
            .values_list("pk", "current_number", "withdrawn_at", "unit__name"))
    if not rows:
        return EMPTY
    text = ";".join(f"{pk}:{n}:{w.isoformat() if w else ''}:{name}" for pk, n, w, name in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def unit_html(year: int, code: str, *, use_cache: bool = True) -> str:
    """The unit page, cached under the digest of its publication versions (a new version, a
    withdrawal or a 涉密 flag gives a new key)."""
    digest = unit_state(year, code) if use_cache else ""
    if digest == EMPTY:
        raise Http404("单位不存在或本年度暂无公开信息。")
    page_key = f"gongkai:unit:{year}:{code}:{digest}"
    html = cache.get(page_key) if use_cache else None
    if html is not None:
        return str(html)
    unit = BudgetUnit.objects.filter(code=code, is_classified=False).first()
    if unit is None or not portal.public_publications().filter(year=year, unit=unit).exists():
        raise Http404("单位不存在或本年度暂无公开信息。")
    link = linker(portal.unit_path(year, code))
    html = render_page("unit.html", portal.unit_page(year, unit, link), link)
    if use_cache:
        cache.set(page_key, html, CACHE_SECONDS)
    return html


class UnitView(PortalView):
    def get(self, request: HttpRequest, year: int, code: str) -> HttpResponse:
        return public(HttpResponse(unit_html(year, code)))


def _publication(pk: int) -> Publication:
    return get_object_or_404(portal.public_publications().select_related("unit", "project"), pk=pk)


def version_html(pk: int, number: int | None, page: str) -> str:
    """A publication (version) page, cached under what it shows: the version, the current one, the
    withdrawal and the PDF's status — read in one plain query, so a withdrawal, a new version or a
    PDF printed by the worker shows at once in every server process."""
    shown = (PublicationVersion.objects.filter(publication__in=portal.public_publications(), publication_id=pk,
                                               number=number or F("publication__current_number"))
             .order_by().values_list("pk", "number", "publication__current_number", "publication__withdrawn_at",
                                     "pdf__status")[:1])
    if not shown:
        raise Http404("该公开信息或版本不存在。")
    version_pk, number, current, withdrawn_at, pdf_status = shown[0]
    withdrawn = withdrawn_at.isoformat() if withdrawn_at else ""
    key = f"gongkai:pub:{pk}:{number}:{current}:{withdrawn}:{pdf_status or ''}:{page}"

    def build() -> str:
        version = (PublicationVersion.objects.select_related("publication__unit", "publication__project", "pdf")
                   .defer("pdf__content").get(pk=version_pk))
        link = linker(page)
        return render_page("publication.html", portal.version_page(version.publication, version, link), link)

    return cached(key, build)


class PublicationView(PortalView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return public(HttpResponse(version_html(pk, None, portal.publication_path(pk))))


class VersionView(PortalView):
    def get(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        return public(HttpResponse(version_html(pk, number, portal.version_path(pk, number))))


class DownloadView(PortalView):
    def get(self, request: HttpRequest, pk: int, number: int, name: str) -> HttpResponse:
        publication = _publication(pk)
        version = publication.versions.filter(number=number).first()
        if version is None or publication.is_withdrawn:
            raise Http404("该文件不存在或已撤回。")
        key = f"gongkai:file:{version.pk}:{name}"
        made = cache.get(key)
        if made is None:
            made = files.download(version, name)
            if made is None:
                raise Http404("该文件不存在。")
            cache.set(key, made, CACHE_SECONDS)
        data, content_type = made
        response = HttpResponse(data, content_type=content_type)
        filename = f"{publication.title}（第{number}版）{name[name.index('.'):]}"
        from urllib.parse import quote

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return public(response)


class DictionaryView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(files.dictionary_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%95%B0%E6%8D%AE%E8%AF%B4%E6%98%8E.csv"
        return public(response)


class SearchView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")[:50]
        link = linker("search/")
        rows = portal.search(query, link)
        return public(HttpResponse(render_page("search.html", {"title": "查询公开信息", "query": query, "rows": rows,
                                                               "index_url": link("")}, link)))
