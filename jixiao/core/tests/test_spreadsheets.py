"""The one workbook writer: text never becomes a live formula (issue 17 item 7), and list exports are
typed cells whose sums equal the page's totals (issue 11 item 7)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core import spreadsheets
from jixiao.core.imports import ImportRejected, RowError, annotated_workbook, read_table
from jixiao.organisation.models import Project

pytestmark = pytest.mark.django_db

ATTACKS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def is_string(cell: Any) -> bool:
    """A shared or inline string cell: shown as text, never evaluated."""
    return cell.data_type in ("s", "inlineStr")


def cells(content: bytes) -> list[Any]:
    wb = load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_text_that_looks_like_a_formula_is_a_neutralised_string_cell() -> None:
    for write_only in (False, True):
        wb = spreadsheets.new_workbook(write_only=write_only)
        ws = wb.create_sheet("x")
        spreadsheets.append(ws, [*ATTACKS, "普通文字", 12, spreadsheets.Formula("SUM(G1:G1)")])
        written = {c.column: c for c in cells(spreadsheets.to_bytes(wb))}
        for column, attack in enumerate(ATTACKS, start=1):
            assert is_string(written[column]) and written[column].value == "'" + attack
            assert spreadsheets.restore_text(written[column].value) == attack
        assert written[7].value == "普通文字" and written[8].value == 12 and written[8].data_type == "n"
        assert written[9].data_type == "f"  # only a formula the product means


def test_security_log_export_neutralises_a_hostile_username(users: dict[str, Any], login: Any) -> None:
    log_event(EventType.LOGIN_FAILED, username=ATTACKS[0], outcome="failure")
    content = login(users["audit_admin"]).get(reverse("audit:security_log") + "?export=xlsx").content
    hostile = [c for c in cells(content) if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hostile and all(is_string(c) and c.value.startswith("'=") for c in hostile)
    assert not [c for c in cells(content) if c.data_type == "f"]


def test_annotated_error_workbook_neutralises_uploaded_text() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["项目编码", "项目名称", "金额（元）"])
    wb.active.append(["P1", "=cmd|' /C calc'!A0", "abc"])
    wb.active["B2"].data_type = "s"  # a text cell in the uploaded file, as a budget system writes it
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_table(buf.getvalue(), "x.xlsx", ["项目编码"], amounts=["金额"])
    content = annotated_workbook(sheet, [RowError(2, "金额", "不是有效的金额")], "导入错误")
    written = {c.coordinate: c for c in cells(content)}
    assert is_string(written["B2"]) and written["B2"].value == "'=cmd|' /C calc'!A0"
    assert written["C1"].value == "金额（元）" and written["C2"].comment.text == "不是有效的金额"
    assert not [c for c in written.values() if c.data_type == "f"]


def test_target_workbook_neutralises_and_round_trips_formula_like_text(users: dict[str, Any], login: Any, org: Any) -> None:
    from jixiao.targets.services import open_project_declaration
    from jixiao.targets.tests.conftest import ROWS, fill

    rows = [*ROWS]
    rows[0] = ("产出指标", "数量指标", "=1+1", ">=", "120", "公里", "20")
    d = fill(open_project_declaration(org["projects"]["a_sub"], users["unit_filler"]), rows)
    client = login(users["unit_filler"])
    content = client.get(reverse("targets:workbook_download")).content
    c9 = next(c for c in cells(content) if c.coordinate == "C9")
    assert is_string(c9) and c9.value == "'=1+1"
    from django.core.files.uploadedfile import SimpleUploadedFile

    version = d.lock_version
    client.post(reverse("targets:workbook_upload"), {"file": SimpleUploadedFile("t.xlsx", content)})
    d.refresh_from_db()
    assert d.lock_version == version and d.indicators.first().name == "=1+1"  # unchanged: nothing written


def test_list_export_is_typed_and_sums_to_the_page_total(org: Any, users: dict[str, Any], login: Any) -> None:
    """Three amounts whose 万元 values rounded per row add up to 0.01 less than their true sum."""
    for n, fen in enumerate((1_234_449, 2_345_449, 3_456_449)):
        Project.objects.create(year=2030, code=f"T-{n}", name=f"类型项目{n}", unit=org["units"]["a"],
                               sector=org["sectors"]["edu"], initial_budget_fen=fen, adjusted_budget_fen=fen)
    content = login(users["perf_section"]).get(reverse("organisation:project_list") + "?q=类型项目&year=2030&export=xlsx").content
    ws = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, (c for c in r), strict=True)) for r in ws.iter_rows(min_row=4)]
    assert len(rows) == 3
    amount = next(h for h in header if h.startswith("调整后预算数"))
    assert all(r[amount].data_type == "n" and r[amount].number_format == "#,##0.00" for r in rows)
    total = sum(Decimal(str(r[amount].value)) for r in rows)
    assert round(total, 2) == Decimal("7.04")  # 7,036,347 分 = 7.04 万元; rounded rows would give 7.03
    year = next(h for h in header if "年度" in h)
    assert all(r[year].value == 2030 and r[year].data_type == "n" for r in rows)


def test_percent_date_and_score_columns_are_typed() -> None:
    from jixiao.core.listing import Column, to_workbook

    class Row:
        rate = Decimal("82.34")
        score = Decimal("91.50")
        due = date(2021, 7, 15)
        count = 7

    columns = [Column("rate", "执行率", kind="percent"), Column("score", "得分", kind="decimal"), Column("due", "期限"),
               Column("count", "个数")]
    ws = load_workbook(io.BytesIO(to_workbook("测试", columns, [Row()]))).active
    rate, score, due, count = ws[4]
    assert rate.value == pytest.approx(0.8234) and rate.number_format == "0.00%"
    assert score.value == 91.5 and score.number_format == "0.00"
    assert due.is_date and due.value.date() == date(2021, 7, 15) and due.number_format == "yyyy-mm-dd"
    assert count.value == 7 and count.data_type == "n"


def test_missing_header_unit_is_refused_before_any_row() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["项目编码", "金额"])
    wb.active.append(["P1", 5])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportRejected) as exc:
        read_table(buf.getvalue(), "x.xlsx", ["项目编码"], amounts=["金额"])
    assert "「金额」列没有注明金额单位" in str(exc.value.errors[0])
