from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from jixiao.targets.models import TargetDeclaration
from jixiao.targets.services import open_project_declaration
from jixiao.targets.tests.conftest import fill

pytestmark = pytest.mark.django_db


def download(client: Any, **params: str) -> Any:
    response = client.get(reverse("targets:workbook_download"), params)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client: Any, wb: Any) -> Any:
    buf = io.BytesIO()
    wb.save(buf)
    return client.post(reverse("targets:workbook_upload"), {"file": SimpleUploadedFile("targets.xlsx", buf.getvalue())})


def test_round_trip_download_edit_upload(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    wb = download(client)
    ws = wb.worksheets[0]
    assert ws["A1"].value == "2021年度项目支出预算绩效目标申报表" and ws["B3"].value == "南山所项目"
    assert [c.value for c in ws[8]][:5] == ["一级指标", "二级指标", "三级指标", "计算符号", "指标值"]
    assert ws["C9"].value == "养护里程" and ws["D9"].value == "≥" and ws["E9"].value == "120"
    ws["E9"] = "130"
    ws["B6"] = "完成农村公路养护130公里，路面优良率达到85%以上。"
    ws.append(["效益指标", "可持续影响指标", "养护长效机制", "定性", "建立", "", None])
    response = upload(client, wb)
    assert response.status_code == 302
    declaration.refresh_from_db()
    rows = {i.name: i for i in declaration.indicators.all()}
    assert rows["养护里程"].value == "130" and rows["养护长效机制"].comparison == "qual"
    assert declaration.annual_goal.startswith("完成农村公路养护130公里")
    assert declaration.history.latest().history_change_reason == "Excel上传"


def test_one_bad_row_writes_nothing_and_is_named(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    wb = download(client)
    ws = wb.worksheets[0]
    ws["E9"] = "999"
    ws["B11"] = "经济效益指标"  # 完成时间 row: wrong level 2 for 产出指标
    response = upload(client, wb)
    html = response.content.decode()
    assert response.status_code == 400
    assert "第11行" in html and "二级指标" in html and "「经济效益指标」不属于「产出指标」" in html
    assert "下载批注工作簿" in html
    declaration.refresh_from_db()
    assert declaration.indicators.get(name="养护里程").value == "120"


def test_a_stale_workbook_is_refused_whole(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    wb = download(client)
    declaration.annual_goal = "有人在网页上先修改了年度目标，内容已更新。"
    declaration.lock_version += 1
    declaration.save()
    wb.worksheets[0]["E9"] = "150"
    html = upload(client, wb).content.decode()
    assert "已被他人修改" in html and "整个文件未导入" in html
    assert declaration.indicators.get(name="养护里程").value == "120"


def test_another_units_workbook_cannot_be_uploaded(declaration: TargetDeclaration, users: dict[str, Any], org: Any,
                                                  login: Any) -> None:
    other = fill(open_project_declaration(org["projects"]["b"], users["perf_section"]))
    wb = download(login(users["perf_section"]), ids=str(other.pk))
    filler = login(users["unit_filler"])
    html = upload(filler, wb).content.decode()
    assert "不属于本单位" in html


def test_word_print_holds_the_form(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    response = login(users["unit_filler"]).get(reverse("targets:declaration_docx", kwargs={"pk": declaration.pk}))
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2021年度项目支出预算绩效目标申报表" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "南山所项目" in cells and "养护里程" in cells and "120公里" in cells and "50.00" in cells
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_finance_list_query_count_is_constant(org: Any, users: dict[str, Any], login: Any) -> None:
    client = login(users["perf_section"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("targets:declaration_list")).status_code == 200
        return len(ctx.captured_queries)

    open_project_declaration(org["projects"]["a"], users["unit_approver"])
    small = count()
    for key in ("a_sub", "b"):
        open_project_declaration(org["projects"][key], users["perf_section"])
    assert count() == small


def test_live_parse_feedback(users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    url = reverse("targets:parse_preview")
    ok = client.get(url, {"prefix": "ind-0-", "ind-0-comparison": ">=", "ind-0-value": "95", "ind-0-unit": "%"})
    assert ok.content.decode() == '<span class="parse-ok">≥ 95 %</span>'
    deadline = client.get(url, {"prefix": "", "comparison": "<=", "value": "9月前", "unit": ""})
    assert "截止 9 月" in deadline.content.decode()
    bad = client.get(url, {"prefix": "", "comparison": ">=", "value": "尽量多", "unit": "个"})
    assert "parse-bad" in bad.content.decode() and "无法计量" in bad.content.decode()
