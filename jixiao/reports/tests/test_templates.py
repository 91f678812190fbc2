"""Report templates: every registered report renders from its built-in template in the official
layout; the performance section uploads its own version (checked with sample data, a broken one
refused in Chinese and nothing stored), uses it, restores the built-in one; all in the audit trail."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from jixiao.core import official
from jixiao.core.tests.test_official_documents import declared, pdf
from jixiao.reports.models import ReportTemplate
from jixiao.reports.registry import all_types, get
from jixiao.reports.rendering import render, render_template

pytestmark = pytest.mark.django_db
CODES = [t.code for t in all_types()]


def text_of(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_every_report_of_the_product_is_registered() -> None:
    assert set(CODES) >= {"target_declaration", "monitoring_report", "monitoring_form", "selfeval_report", "key_report",
                          "evaluation_summary", "application_report"}


@pytest.mark.parametrize("code", CODES)
def test_builtin_template_renders_the_sample_in_the_official_layout(code: str) -> None:
    report_type = get(code)
    sample = report_type.sample()
    assert set(report_type.fields) == set(sample), "every field is described for template editors"
    content = render(code, sample)
    declared(content)
    text = text_of(content)
    assert "{{" not in text and "{%" not in text
    assert sample["title"] in text


@pytest.mark.parametrize("code", CODES)
def test_committed_builtin_template_is_the_generated_one(code: str) -> None:
    """``python -m jixiao.reports.build`` was run after the template code last changed."""
    report_type = get(code)
    assert report_type.build is not None
    generated = official.to_bytes(report_type.build())
    assert text_of(report_type.builtin.read_bytes()) == text_of(generated)


def test_rendered_tables_are_sized_to_their_content() -> None:
    sample = get("monitoring_report").sample()
    sample["lowest"] = [("农村公路养护工程及其附属设施维修改造项目", "区交通运输局", "500.00", "12.30%")]
    doc = Document(io.BytesIO(render("monitoring_report", sample)))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "项目")
    name, unit, budget, _rate = (cell.width for cell in table.rows[1].cells)
    assert name > budget > unit and len(table.rows) == 2


def edited(code: str, extra: str) -> bytes:
    """The built-in template as a user edits it in Word: a paragraph added (any text, tags allowed)."""
    doc = Document(io.BytesIO(get(code).builtin.read_bytes()))
    official.paragraph(doc, extra)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def upload(client: Any, code: str, content: bytes, name: str = "本局模板.docx", note: str = "") -> Any:
    return client.post(reverse("reports:upload", kwargs={"code": code}),
                       {"file": _file(content, name), "note": note})


def _file(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_upload_use_and_restore(users: dict[str, Any], login: Any) -> None:
    from jixiao.audit.models import SecurityEvent

    client = login(users["perf_section"])
    sample = get("monitoring_report").sample()
    page = client.get(reverse("reports:detail", kwargs={"code": "monitoring_report"}))
    assert page.status_code == 200 and "内置模板" in page.content.decode() and "red_count" in page.content.decode()
    download = client.get(reverse("reports:download", kwargs={"code": "monitoring_report"}))
    assert download.content == get("monitoring_report").builtin.read_bytes()

    response = upload(client, "monitoring_report", edited("monitoring_report", "云溪区财政局（{{ period }}）"), note="加落款")
    assert response.status_code == 302
    v1 = ReportTemplate.objects.get()
    assert v1.active and v1.version == 1 and v1.note == "加落款" and v1.read()
    assert "云溪区财政局（2021年1–9月）" in text_of(render("monitoring_report", sample))
    assert "云溪区财政局（2021年1–9月）" in text_of(
        client.get(reverse("reports:sample", kwargs={"code": "monitoring_report"})).content)

    upload(client, "monitoring_report", edited("monitoring_report", "第二版落款"))
    v1.refresh_from_db()
    v2 = ReportTemplate.objects.get(version=2)
    assert v2.active and not v1.active
    assert "第二版落款" in text_of(render("monitoring_report", sample))

    assert client.post(reverse("reports:use", kwargs={"pk": v1.pk})).status_code == 302
    assert "云溪区财政局" in text_of(render("monitoring_report", sample))
    assert client.post(reverse("reports:restore", kwargs={"code": "monitoring_report"})).status_code == 302
    assert not ReportTemplate.objects.filter(active=True).exists()
    restored = text_of(render("monitoring_report", sample))
    assert "云溪区财政局" not in restored and "第二版落款" not in restored

    reasons = [h.history_change_reason for h in v1.history.order_by("history_id")]
    assert reasons == ["上传预算绩效运行监控情况报告模板第1版", "上传第2版，停用本版", "重新启用预算绩效运行监控情况报告模板第1版",
                       "恢复内置模板，停用本版"]
    actions = [e.detail.get("action") for e in SecurityEvent.objects.filter(event_type="settings_change").order_by("pk")]
    assert actions == ["上传报告模板", "上传报告模板", "启用报告模板版本", "恢复内置报告模板"]
    listing = client.get(reverse("reports:list")).content.decode()
    assert "预算绩效运行监控情况报告" in listing and "绩效目标申报表" in listing


@pytest.mark.parametrize(("content", "message"), [
    (b"not a word file", "这不是 Word（.docx）文件"),
    (b"PK\x03\x04broken", "文件已损坏或不是 Word 文档"),
    ("unknown field", "模板中的字段「red_total」不是本报告的字段"),
    ("unclosed for", "没有对应的 {% endfor %} 或 {% endif %}"),
    ("unknown tag", "无法识别的标记「endfo」"),
    ("bad attribute", "「nosuch」不是本报告字段的组成部分"),
])
def test_a_broken_template_is_refused_in_chinese_and_nothing_changes(users: dict[str, Any], login: Any, content: Any,
                                                                     message: str) -> None:
    edits = {"unknown field": "红灯合计{{ red_total }}个", "unclosed for": "{%p for x in red %}",
             "unknown tag": "{% for x in red %}{{ x }}{% endfo %}", "bad attribute": "{{ period.nosuch }}"}
    if isinstance(content, str):
        content = edited("monitoring_report", edits[content])
    client = login(users["perf_section"])
    response = upload(client, "monitoring_report", content)
    html = response.content.decode()
    assert response.status_code == 400 and "模板未启用" in html
    assert message in html, html[html.find("模板未启用"):][:600]
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", html[html.find("模板未启用"):html.find("</ul>")])  # no English
    assert not ReportTemplate.objects.exists()
    assert render_template(get("monitoring_report").builtin.read_bytes(), get("monitoring_report").sample())


def test_list_page_query_count(users: dict[str, Any], login: Any, django_assert_max_num_queries: Any) -> None:
    client = login(users["perf_section"])
    client.get(reverse("reports:list"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("reports:list")).status_code == 200


@pytest.mark.documents
def test_every_builtin_report_prints_through_libreoffice(tmp_path: Path) -> None:
    for report_type in all_types():
        content = render(report_type.code, report_type.sample())
        pages, fonts, text = pdf(content, tmp_path / report_type.code)
        assert pages >= 1 and "—1—" in text.replace(" ", ""), report_type.code
        assert "{{" not in text and "{%" not in text
        assert any(re.search(r"WenQuanYi|Noto|CJK|Source Han", line) for line in fonts.splitlines()), fonts
