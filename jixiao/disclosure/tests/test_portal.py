"""The public portal: an anonymous crawl, downloads, search, caching, and the static export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jixiao.disclosure.models import Publication
from jixiao.disclosure.tests.conftest import SECRET_NAME, UNPUBLISHED_NAME

pytestmark = pytest.mark.django_db
LINK = re.compile(r'href="([^"#?]+)"')


def crawl(client: Client, start: str = "/gongkai/") -> dict[str, str]:
    """Every page and file under /gongkai/ reachable from the index, as text (files decoded loosely)."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers and not response.cookies, f"{url} wrote a cookie"
        body = response.content
        if url.endswith(".pdf"):
            assert body.startswith(b"%PDF"), url
            seen[url] = ""
            continue
        if url.endswith(".xlsx") or url.endswith(".docx"):
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                seen[url] = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
            continue
        text = body.decode("utf-8-sig")
        seen[url] = text
        if response["Content-Type"].startswith("text/html"):
            queue += [u for u in LINK.findall(text) if u.startswith("/gongkai/") and u not in seen]
    return seen


def test_anonymous_crawl_finds_every_publication_and_nothing_classified_or_unpublished(published: dict[str, Any]) -> None:
    client = Client()
    pages = crawl(client)
    everything = "\n".join(pages.values())
    for pub in Publication.objects.all():
        assert pub.title in everything
        assert f"/gongkai/p/{pub.pk}/" in pages
    assert any(u.endswith("data.xlsx") for u in pages) and any(u.endswith("report.docx") for u in pages)
    assert SECRET_NAME not in everything and UNPUBLISHED_NAME not in everything and "P-UNPUB" not in everything
    assert "13900000000" not in everything and "内部反馈意见" not in everything
    assert "南山所项目" in everything and "50.00" in everything  # the budget, in 万元
    assert 'role="img"' in everything and "<title>" in everything  # charts with alt text
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists() and not client.cookies  # no session written


def test_classified_later_disappears_from_the_portal(published: dict[str, Any], org: Any) -> None:
    client = Client()
    pub = Publication.objects.get(kind="selfeval")
    org["units"]["a_sub"].is_classified = True
    org["units"]["a_sub"].save()
    assert client.get(reverse("gongkai:publication", kwargs={"pk": pub.pk})).status_code == 404
    assert "南山所" not in "\n".join(crawl(client).values())


def test_search_by_unit_project_name_and_code(published: dict[str, Any]) -> None:
    client = Client()
    for q in ("南山所", "P-901001", "东湖局项目"):
        page = client.get(reverse("gongkai:search"), {"q": q}).content.decode()
        assert "查询结果" in page and "没有找到" not in page, q
    assert "没有找到" in client.get(reverse("gongkai:search"), {"q": "涉密国防"}).content.decode()


def test_downloads_carry_the_data_and_its_dictionary(published: dict[str, Any]) -> None:
    import openpyxl

    client = Client()
    pub = Publication.objects.get(kind="target", project__code="P-901001")
    url = reverse("gongkai:download", kwargs={"pk": pub.pk, "number": 1, "name": "data.csv"})
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["单位编码", "单位名称", "项目编码", "项目名称"] and rows[1][2] == "P-901001"
    assert "养护里程" in {r[10] for r in rows[1:]}
    xlsx = client.get(reverse("gongkai:download", kwargs={"pk": pub.pk, "number": 1, "name": "data.xlsx"})).content
    assert openpyxl.load_workbook(io.BytesIO(xlsx)).sheetnames == ["公开数据", "数据说明"]
    docx = client.get(reverse("gongkai:download", kwargs={"pk": pub.pk, "number": 1, "name": "report.docx"})).content
    import docx as python_docx

    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx)).paragraphs)
    assert pub.title in text


def test_unit_page_is_cached_per_publication_version(published: dict[str, Any], users: Any,
                                                     django_assert_max_num_queries: Any) -> None:
    from jixiao.disclosure.services import correct

    client = Client()
    url = reverse("gongkai:unit", kwargs={"year": 2021, "code": "901001"})
    first = client.get(url).content
    with django_assert_max_num_queries(1):
        assert client.get(url).content == first  # served from the cache after the key's one query
    se = published["selfeval"]
    se.report_overview = "更正后的基本情况"
    se.save()
    correct(Publication.objects.get(kind="selfeval"), users["perf_section"], "补充基本情况")
    assert client.get(url).content != first  # a new version is a new key


def test_a_change_made_by_another_process_shows_at_once(published: dict[str, Any]) -> None:
    """No signal reaches this process's cache when another server process (or an UPDATE) changes a
    record: the page's key is read from the database on every request."""
    from django.utils import timezone

    from jixiao.organisation.models import BudgetUnit

    client = Client()
    url = reverse("gongkai:unit", kwargs={"year": 2021, "code": "901001"})
    assert "已撤回" not in client.get(url).content.decode()
    Publication.objects.filter(unit__code="901001", kind="selfeval").update(withdrawn_at=timezone.now())
    assert "已撤回" in client.get(url).content.decode()
    BudgetUnit.objects.filter(code="901001").update(name="更名后的单位")
    assert "更名后的单位" in client.get(url).content.decode()
    BudgetUnit.objects.filter(code="901001").update(is_classified=True)
    assert client.get(url).status_code == 404


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_static_export_is_complete_relative_and_byte_identical(published: dict[str, Any], tmp_path: Path) -> None:
    call_command("publish", "export", str(tmp_path / "one"), stdout=io.StringIO())
    call_command("publish", "export", str(tmp_path / "two"), stdout=io.StringIO())
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one == two and len(one) > 10
    for name in ("index.html", "sitemap.xml", "index.json", "assets/portal.css", "2021/index.html", "2021/901001/index.html"):
        assert name in one
    index = json.loads((tmp_path / "one" / "index.json").read_text(encoding="utf-8"))
    assert {p["title"] for p in index["publications"]} == set(Publication.objects.values_list("title", flat=True))
    for page in (tmp_path / "one").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "/gongkai/" not in html and 'href="/' not in html, page
        for target in LINK.findall(html):
            if ":" not in target:
                assert (page.parent / target).resolve().exists(), (page, target)
    everything = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "one").rglob("*.html"))
    assert SECRET_NAME not in everything and UNPUBLISHED_NAME not in everything


def test_export_zip_from_the_ui_is_deterministic(published: dict[str, Any], users: Any, login: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    from jixiao.disclosure.models import PortalJob

    perf = login(users["perf_section"])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert perf.post(reverse("disclosure:export")).status_code == 302
    a, b = PortalJob.objects.order_by("pk")
    assert a.status == "done" and bytes(a.content) == bytes(b.content)
    response = perf.get(reverse("disclosure:job_download", kwargs={"pk": a.pk}))
    assert response.status_code == 200 and "gongkai/index.html" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
