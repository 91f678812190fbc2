from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jixiao.organisation.imports import PROJECT_COLUMNS, PROJECT_HEADER, UNIT_COLUMNS
from jixiao.organisation.models import BudgetUnit, ImportBatch, Project

pytestmark = pytest.mark.django_db


def workbook(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client: Any, kind: str, content: bytes, name: str = "budget.xlsx") -> Any:
    """Upload, let the background task run (it is enqueued on commit), and open the batch page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("organisation:import"), {"kind": kind, "file": SimpleUploadedFile(name, content)})
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def test_the_upload_is_queued_and_its_page_shows_progress(org: Any, users: dict[str, Any], login: Any) -> None:
    client = login(users["perf_section"])
    response = client.post(reverse("organisation:import"),
                           {"kind": "projects", "file": SimpleUploadedFile("b.xlsx", workbook(PROJECT_HEADER, project_rows(2)))})
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("organisation:import_batch", kwargs={"pk": batch.pk})
    assert batch.status == "queued" and not Project.objects.filter(year=2022).exists()  # nothing until the worker runs
    page = client.get(response["Location"]).content.decode()
    assert "排队中：已完成 0%" in page and 'hx-trigger="every 1s"' in page
    from jixiao.organisation.imports import process_import

    process_import.call(batch.pk)  # what the worker does
    polled = client.get(response["Location"], headers={"HX-Request": "true"})
    partial = polled.content.decode()
    assert "导入成功：共 2 行，新增 2" in partial and "every 1s" not in partial
    batch.refresh_from_db()
    assert batch.progress == 100
    # Issue 10 item 13: once finished the whole page reloads, so its header no longer says 排队中 / 0 行.
    assert polled["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert "排队中" not in page and batch.get_status_display() in page


def project_rows(n: int, unit_code: str = "901") -> list[list[Any]]:
    return [[2022, f"430603-2022-{i:04d}", f"测试项目{i}", unit_code, "一般公共预算", "120000.00", "150000", "新增"]
            for i in range(1, n + 1)]


def test_good_file_imports_every_row(org: Any, users: dict[str, Any], login: Any) -> None:
    content = workbook(PROJECT_HEADER, project_rows(30))
    response = upload(login(users["perf_section"]), "projects", content)
    assert "导入成功：共 30 行，新增 30" in response.content.decode()
    p = Project.objects.get(code="430603-2022-0007")
    assert p.initial_budget_fen == 12_000_000 and p.adjusted_budget_fen == 15_000_000
    assert [s.name for s in p.fund_sources.all()] == ["一般公共预算"]


def test_imported_projects_get_their_history_rows_and_a_second_import_updates(org: Any, users: dict[str, Any],
                                                                              login: Any) -> None:
    """The new projects' "+" history rows are copied inside the database (core.bulk): one per project,
    with its values; importing the file again with one changed row updates that project alone with a
    "~" row: the unchanged rows write nothing and make no version."""
    client = login(users["perf_section"])
    upload(client, "projects", workbook(PROJECT_HEADER, project_rows(30)))
    projects = {p.pk: p for p in Project.objects.filter(year=2022)}
    history = list(Project.history.filter(year=2022))
    assert len(history) == 30 and {h.id for h in history} == set(projects)
    for h in history:
        p = projects[h.id]
        assert (h.history_type, h.history_change_reason) == ("+", "Excel导入")
        assert (h.code, h.name, h.unit_id, h.sector_id, h.initial_budget_fen, h.adjusted_budget_fen, h.is_continuing) == (
            p.code, p.name, p.unit_id, p.sector_id, p.initial_budget_fen, p.adjusted_budget_fen, p.is_continuing)
    assert len({h.history_date for h in history}) == 1
    rows = project_rows(30)
    rows[6][5] = "130000.00"
    response = upload(client, "projects", workbook(PROJECT_HEADER, rows))
    assert "更新 1，未变 29" in response.content.decode()
    updated = Project.objects.get(code="430603-2022-0007")
    assert updated.initial_budget_fen == 13_000_000 and updated.lock_version == 1
    assert set(Project.objects.filter(year=2022).exclude(pk=updated.pk).values_list("lock_version", flat=True)) == {0}
    assert Project.history.filter(year=2022, history_type="~").count() == 1
    change = Project.history.get(id=updated.pk, history_type="~")
    assert (change.initial_budget_fen, change.adjusted_budget_fen, change.history_change_reason) == (
        13_000_000, 15_000_000, "Excel导入")
    assert Project.objects.get(code="430603-2022-0007").fund_sources.count() == 1
    # a changed fund source alone is a change too; the same file once more changes nothing
    rows[8][4] = "政府性基金预算"
    response = upload(client, "projects", workbook(PROJECT_HEADER, rows))
    assert "更新 1，未变 29" in response.content.decode()
    assert [s.name for s in Project.objects.get(code="430603-2022-0009").fund_sources.all()] == ["政府性基金预算"]
    response = upload(client, "projects", workbook(PROJECT_HEADER, rows))
    assert "更新 0，未变 30" in response.content.decode()
    assert Project.history.filter(year=2022, history_type="~").count() == 2


def test_each_project_gets_exactly_the_fund_sources_and_policy_categories_its_row_names(
        org: Any, users: dict[str, Any], login: Any) -> None:
    """Links are written per source (category) over the new projects' keys: alternating sources, two in
    one cell, one named twice and a project without a category each keep exactly their own."""
    header = [*PROJECT_HEADER, "重大政策类别"]
    rows = [[*row, ""] for row in project_rows(6)]
    rows[1][4] = "政府性基金预算"
    rows[2][4] = "一般公共预算、政府性基金预算"
    rows[3][4] = "政府性基金预算，政府性基金预算"
    rows[3][8] = "民生资金"
    rows[4][8] = "防疫资金、民生资金"
    response = upload(login(users["perf_section"]), "projects", workbook(header, rows))
    assert "导入成功：共 6 行，新增 6" in response.content.decode()
    linked = {p.code[-1]: ([s.name for s in p.fund_sources.all()], [c.name for c in p.policy_categories.all()])
              for p in Project.objects.filter(year=2022).prefetch_related("fund_sources", "policy_categories")}
    assert linked == {
        "1": (["一般公共预算"], []),
        "2": (["政府性基金预算"], []),
        "3": (["一般公共预算", "政府性基金预算"], []),
        "4": (["政府性基金预算"], ["民生资金"]),
        "5": (["一般公共预算"], ["防疫资金", "民生资金"]),
        "6": (["一般公共预算"], []),
    }


def test_an_import_works_with_query_logging_on(org: Any, users: dict[str, Any], login: Any) -> None:
    """DEBUG logs every statement with its parameters filled in: the bulk statements must allow it."""
    with CaptureQueriesContext(connection) as queries:
        response = upload(login(users["perf_section"]), "projects", workbook(PROJECT_HEADER, project_rows(3)))
    assert "导入成功：共 3 行，新增 3" in response.content.decode() and queries.captured_queries
    assert Project.objects.filter(year=2022, code__startswith="430603-2022-").count() == 3


def test_one_bad_row_among_many_writes_nothing_and_names_row_and_column(org: Any, users: dict[str, Any], login: Any) -> None:
    rows = project_rows(200)
    rows[136][5] = "12,000.005"  # Excel row 138: sub-分 amount in 年初预算数
    before = Project.objects.count()
    response = upload(login(users["perf_section"]), "projects", workbook(PROJECT_HEADER, rows))
    html = response.content.decode()
    assert Project.objects.count() == before
    assert "未导入任何数据" in html and "第138行" in html and "年初预算数" in html and "精确到分以下" in html
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected" and batch.errors == [
        {"row": 138, "column": "年初预算数", "message": "金额「12,000.005」元精确到分以下，请保留到分"}
    ]
    # The annotated workbook marks the same cell.
    annotated = login(users["perf_section"]).get(reverse("organisation:import_annotated", kwargs={"pk": batch.pk}))
    ws = load_workbook(io.BytesIO(annotated.content)).active
    assert ws.cell(row=1, column=len(PROJECT_COLUMNS) + 1).value == "错误说明"
    assert ws.cell(row=138, column=6).comment.text == batch.errors[0]["message"]
    assert "精确到分以下" in ws.cell(row=138, column=len(PROJECT_COLUMNS) + 1).value


def test_many_kinds_of_errors_are_all_reported(org: Any, users: dict[str, Any], login: Any) -> None:
    rows = project_rows(4)
    rows[0][3] = "999"  # unknown unit
    rows[1][4] = "彩票公益金"  # unknown fund source
    rows[2][7] = "续建"  # bad kind
    rows[3][1] = rows[2][1]  # duplicate code
    response = upload(login(users["perf_section"]), "projects", workbook(PROJECT_HEADER, rows))
    errors = ImportBatch.objects.get().errors
    assert {(e["row"], e["column"]) for e in errors} == {(2, "单位编码"), (3, "资金来源"), (4, "项目属性"), (5, "项目编码")}
    assert "与第4行重复" in response.content.decode()


def test_amounts_in_wan_when_the_header_says_so(org: Any, users: dict[str, Any], login: Any) -> None:
    header = [*PROJECT_HEADER]
    header[5], header[6] = "年初预算数（万元）", "调整后预算数（万元）"
    upload(login(users["perf_section"]), "projects", workbook(header, [[2022, "W1", "万元项目", "901", "一般公共预算", 12.5, "30", "延续"]]))
    p = Project.objects.get(code="W1")
    assert p.initial_budget_fen == 12_500_000 and p.needs_paper_copy and p.is_continuing


def test_units_import_builds_the_tree_parents_after_children_in_the_file(org: Any, users: dict[str, Any], login: Any) -> None:
    rows = [["950001", "下属甲", "950", "教育", "否"], ["950", "新一级单位", "", "教育", "否"]]
    response = upload(login(users["perf_section"]), "units", workbook(UNIT_COLUMNS, rows))
    assert "导入成功" in response.content.decode()
    child = BudgetUnit.objects.get(code="950001")
    parent, root = child.parent, child.root
    assert parent is not None and root is not None
    assert parent.code == "950" and root.code == "950" and parent.root_id == parent.pk


def test_not_a_workbook_is_refused_with_a_reason(org: Any, users: dict[str, Any], login: Any) -> None:
    html = upload(login(users["perf_section"]), "projects", b"code,name\n1,2\n", "budget.txt").content.decode()
    assert "只接受Excel文件" in html
    html = upload(login(users["perf_section"]), "projects", b"not really excel", "budget.xlsx").content.decode()
    assert "不是Excel工作簿" in html
    html = upload(login(users["perf_section"]), "projects", workbook(["项目编码"], [["x"]])).content.decode()
    assert "缺少该列" in html and "预算年度" in html


def test_budget_desk_may_not_import(org: Any, users: dict[str, Any], login: Any) -> None:
    response = upload(login(users["budget_desk"]), "projects", workbook(PROJECT_HEADER, project_rows(1)))
    assert response.status_code == 403
    assert not Project.objects.filter(year=2022).exists()
