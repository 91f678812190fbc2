"""Each publication's text as PDF "as published": printed by LibreOffice in the background worker
at publication, frozen with the version (its SHA-256 kept), served by the portal and the static
export; without LibreOffice the publication still publishes and the page says the PDF is not
available, with no dead link."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from jixiao.core.tests.test_official_documents import pdf_facts
from jixiao.disclosure.models import Publication, PublicationPdf
from jixiao.disclosure.tests.test_portal import LINK, _tree, crawl

pytestmark = pytest.mark.django_db


def _publish_correction(published: dict[str, Any], users: Any, capture: Any) -> Publication:
    """The self-evaluation corrected and published as version 2, its jobs run as the worker would."""
    from jixiao.disclosure.services import correct

    se = published["selfeval"]
    se.report_overview = "更正后的基本情况：项目按期完成。"
    se.save()
    publication = Publication.objects.get(kind="selfeval")
    with capture(execute=True):
        correct(publication, users["perf_section"], "补充基本情况")
    publication.refresh_from_db()
    return publication


def test_without_libreoffice_the_page_says_the_pdf_is_not_available_and_links_nothing_dead(
        published: dict[str, Any], users: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path,
        settings: Any, django_assert_max_num_queries: Any) -> None:
    settings.JIXIAO_SOFFICE = str(tmp_path / "no-such-soffice")
    client = Client()
    first = reverse("gongkai:publication", kwargs={"pk": Publication.objects.get(kind="target", project__code="P-901001").pk})
    page = client.get(first).content.decode()
    assert "PDF版本正在生成" in page and "report.pdf" not in page  # published, the worker has not run yet
    with django_assert_max_num_queries(1):
        assert client.get(first).content.decode() == page  # from the cache: one query for its key

    publication = _publish_correction(published, users, django_capture_on_commit_callbacks)
    assert publication.current_number == 2  # it published all the same
    # The worker's run settled the versions still waiting too; the cached page follows at once.
    assert "PDF版本暂不可用" in client.get(first).content.decode()
    row = PublicationPdf.objects.get(version__publication=publication, version__number=2)
    assert row.status == "unavailable" and "LibreOffice" in row.message and row.content is None
    page = client.get(reverse("gongkai:publication", kwargs={"pk": publication.pk})).content.decode()
    assert "PDF版本暂不可用" in page and "正在生成" not in page and "report.pdf" not in page
    assert "公开文本（Word）" in page
    url = reverse("gongkai:download", kwargs={"pk": publication.pk, "number": 2, "name": "report.pdf"})
    assert client.get(url).status_code == 404
    pages = crawl(client)  # every link on every page answers 200
    assert not any(u.endswith(".pdf") for u in pages)

    call_command("publish", "export", str(tmp_path / "site"), stdout=io.StringIO())
    site = tmp_path / "site"
    assert not list(site.rglob("*.pdf"))
    html = (site / "p" / str(publication.pk) / "index.html").read_text(encoding="utf-8")
    assert "PDF版本暂不可用" in html and "report.pdf" not in html
    for page_file in site.rglob("*.html"):
        for target in LINK.findall(page_file.read_text(encoding="utf-8")):
            if ":" not in target:
                assert (page_file.parent / target).resolve().exists(), (page_file, target)
    entry = next(p for p in json.loads((site / "index.json").read_text(encoding="utf-8"))["publications"]
                 if p["id"] == publication.pk)
    assert entry["pdf_sha256"] is None and "report.pdf" not in entry["downloads"]

    with pytest.raises(CommandError, match="LibreOffice"):
        call_command("publish", "pdfs", stdout=io.StringIO())
    assert not PublicationPdf.objects.filter(status="done").exists()


def _pdf_facts(data: bytes, folder: Path) -> tuple[int, str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "served.pdf").write_bytes(data)
    return pdf_facts(folder / "served.pdf")[:3]


@pytest.mark.documents
def test_the_worker_prints_each_version_to_pdf_served_and_exported_as_published(
        published: dict[str, Any], users: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path,
        settings: Any) -> None:
    assert shutil.which("soffice"), "LibreOffice (soffice) is required: apt-get install libreoffice-writer-nogui"
    assert shutil.which("pdfinfo") and shutil.which("pdffonts"), "poppler-utils is required"
    settings.JIXIAO_SOFFICE = "auto"
    publication = _publish_correction(published, users, django_capture_on_commit_callbacks)
    # One LibreOffice run printed the new version and the versions still waiting (published before).
    assert set(PublicationPdf.objects.values_list("status", flat=True)) == {"done"}

    client = Client()
    page = client.get(reverse("gongkai:publication", kwargs={"pk": publication.pk})).content.decode()
    url = reverse("gongkai:download", kwargs={"pk": publication.pk, "number": 2, "name": "report.pdf"})
    assert f'href="{url}"' in page and "正在生成" not in page and "暂不可用" not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    name = f"{publication.title}（第2版）.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote(name)}"
    data = response.content
    sha = hashlib.sha256(data).hexdigest()
    assert sha in page and PublicationPdf.objects.get(version__publication=publication, version__number=2).sha256 == sha

    pages, fonts, text = _pdf_facts(data, tmp_path / "served")
    assert pages >= 1
    embedded = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert embedded and all(" yes " in line for line in embedded), fonts  # every font embedded
    assert any(re.search(r"WenQuanYi|Noto|CJK|Source Han", line) for line in embedded), fonts
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", publication.title) in flat and "更正后的基本情况" in flat  # the version's own text
    old = client.get(reverse("gongkai:download", kwargs={"pk": publication.pk, "number": 1, "name": "report.pdf"}))
    assert old.status_code == 200 and old.content != data  # version 1 keeps its own PDF

    # The static export carries the same bytes, lists them in index.json, and re-runs byte-identical.
    call_command("publish", "export", str(tmp_path / "one"), stdout=io.StringIO())
    call_command("publish", "export", str(tmp_path / "two"), stdout=io.StringIO())
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    site = tmp_path / "one"
    assert (site / "p" / str(publication.pk) / "v2" / "report.pdf").read_bytes() == data
    html = (site / "p" / str(publication.pk) / "index.html").read_text(encoding="utf-8")
    assert 'href="v2/report.pdf"' in html and sha in html
    entry = next(p for p in json.loads((site / "index.json").read_text(encoding="utf-8"))["publications"]
                 if p["id"] == publication.pk)
    assert entry["pdf_sha256"] == sha and entry["downloads"]["report.pdf"] == f"p/{publication.pk}/v2/report.pdf"
    assert len(list(site.rglob("report.pdf"))) == PublicationPdf.objects.count()
