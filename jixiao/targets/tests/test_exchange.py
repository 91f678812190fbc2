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

    def count(query: str = "") -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("targets:declaration_list") + query).status_code == 200
        return len(ctx.captured_queries)

    open_project_declaration(org["projects"]["a"], users["unit_approver"])
    small, by_name = count(), count("?sort=subject")
    for key in ("a_sub", "b"):
        open_project_declaration(org["projects"][key], users["perf_section"])
    assert count() == small and count("?sort=subject") == by_name == small  # the rows read only what they show


def test_live_parse_feedback(users: dict[str, Any], login: Any) -> None:
    client = login(users["unit_filler"])
    url = reverse("targets:parse_preview")
    ok = client.get(url, {"prefix": "ind-0-", "ind-0-comparison": ">=", "ind-0-value": "95", "ind-0-unit": "%"})
    assert ok.content.decode() == '<span class="parse-ok">≥ 95 %</span>'
    deadline = client.get(url, {"prefix": "", "comparison": "<=", "value": "9月前", "unit": ""})
    assert "截止 9 月" in deadline.content.decode()
    bad = client.get(url, {"prefix": "", "comparison": ">=", "value": "尽量多", "unit": "个"})
    assert "parse-bad" in bad.content.decode() and "无法计量" in bad.content.decode()


def _history_counts(d: TargetDeclaration) -> tuple[int, int]:
    from jixiao.targets.models import TargetIndicator

    return d.history.count(), TargetIndicator.history.filter(declaration_id=d.pk).count()


def test_an_unchanged_workbook_changes_nothing_and_keeps_review_comments(
        declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    """Finance's indicator comments are not in the workbook; uploading it unchanged keeps them, writes no
    field and makes no version; editing one value changes only that value."""
    for n, i in enumerate(declaration.indicators.all()):
        i.review_comment = f"审核意见{n}：指标值偏低"
        i.save()
    declaration.refresh_from_db()
    client = login(users["unit_filler"])
    before = _history_counts(declaration), declaration.lock_version
    response = upload(client, download(client))
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert (_history_counts(declaration), declaration.lock_version) == before
    assert [i.review_comment for i in declaration.indicators.all()] == [f"审核意见{n}：指标值偏低" for n in range(5)]
    wb = download(client)
    wb.worksheets[0]["E10"] = "90"  # 路面优良率 85 → 90
    assert upload(client, wb).status_code == 302
    declaration.refresh_from_db()
    rows = list(declaration.indicators.all())
    assert [r.value for r in rows] == ["120", "90", "12月底前", "明显改善", "90"]
    assert [i.review_comment for i in rows] == [f"审核意见{n}：指标值偏低" for n in range(5)]
    assert declaration.lock_version == before[1] + 1
    assert _history_counts(declaration) == (before[0][0] + 1, before[0][1] + 1)  # one indicator changed


def test_a_tampered_identity_is_refused_naming_the_sheet(org: Any, users: dict[str, Any], login: Any) -> None:
    from jixiao.targets.services import open_department_declaration

    project = fill(open_project_declaration(org["projects"]["a"], users["unit_approver"]))
    department = fill(open_department_declaration(org["units"]["a"], 2021, users["unit_approver"]))
    client = login(users["unit_approver"])
    ids = f"{project.pk},{department.pk}"
    before = [(d.lock_version, list(d.indicators.values_list("value", flat=True))) for d in (project, department)]

    wb = download(client, ids=ids)
    sheet = wb[project.project.code]
    sheet["B2"] = department.pk  # the visible 系统编号 changed to another record
    sheet["E9"] = "999"
    html = upload(client, wb).content.decode()
    assert f"工作表「{project.project.code}」的系统编号或版本号被修改" in html

    wb = download(client, ids=ids)
    sheet, other = wb[project.project.code], wb[f"整体{department.unit.code}"]
    for cell in ("B2", "D2", "K2"):  # the whole identity copied from the other sheet
        sheet[cell] = other[cell].value
    sheet["E9"] = "999"
    html = upload(client, wb).content.decode()
    assert f"工作表「{project.project.code}」的编码「P-901」与系统记录「901」不一致" in html

    wb = download(client, ids=ids)
    wb[project.project.code]["K2"] = "forged"
    assert "系统标识缺失或被修改" in upload(client, wb).content.decode()
    after = [(d.lock_version, list(d.indicators.values_list("value", flat=True)))
             for d in TargetDeclaration.objects.filter(pk__in=(project.pk, department.pk)).order_by("kind")]
    assert sorted(after) == sorted(before)


def test_the_workbook_is_protected_validated_and_prints_one_page_wide(
        declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    wb = download(login(users["unit_filler"]))
    ws = wb.worksheets[0]
    assert wb.security.lockStructure and ws.protection.sheet
    assert ws["A1"].protection.locked and ws["D3"].protection.locked and ws["B2"].protection.locked
    assert not ws["B5"].protection.locked and not ws["B6"].protection.locked
    assert not ws["C9"].protection.locked and not ws["I23"].protection.locked and ws["I24"].protection.locked
    assert ws["C9"].fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.column_dimensions["K"].hidden and ws.column_dimensions["J"].hidden
    covered = {str(dv.sqref).split(":")[0][0] for dv in ws.data_validations.dataValidation}
    assert covered == {"A", "B", "D", "F", "G"}
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$8:$8" and ws.print_options.horizontalCentered
    assert ws["A1"].alignment.horizontal == "center" and "A1:I1" in {str(r) for r in ws.merged_cells.ranges}


def test_department_workbook_carries_main_tasks_and_the_long_term_goal(
        org: Any, users: dict[str, Any], login: Any) -> None:
    from jixiao.targets.models import MainTask
    from jixiao.targets.services import open_department_declaration

    d = fill(open_department_declaration(org["units"]["a"], 2021, users["unit_approver"]))
    MainTask.objects.create(declaration=d, position=0, name="义务教育保障", content="保障义务教育学校运转",
                            fiscal_fen=123_456_789, other_fen=0)
    client = login(users["unit_approver"])
    wb = download(client, ids=str(d.pk))
    ws = wb.worksheets[0]
    assert [ws.cell(row=8, column=c).value for c in range(1, 5)] == ["任务名称", "主要内容", "财政拨款（万元）", "其他资金（万元）"]
    assert ws["A9"].value == "义务教育保障" and ws["C9"].value == 123.456789 and ws["C9"].number_format == "#,##0.00"
    header = next(r for r in range(9, 30) if ws.cell(row=r, column=1).value == "一级指标")
    ws["B5"] = "五年内建成优质均衡的义务教育体系。"
    ws["A10"], ws["B10"], ws["C10"] = "学前教育普惠", "扩大普惠性学前教育资源", 50.5
    ws.cell(row=header + 1, column=5).value = "125"
    assert upload(client, wb).status_code == 302
    d.refresh_from_db()
    assert d.long_term_goal == "五年内建成优质均衡的义务教育体系。"
    assert [(t.name, t.fiscal_fen) for t in d.main_tasks.all()] == [("义务教育保障", 123_456_789), ("学前教育普惠", 50_500_000)]
    assert d.indicators.get(name="养护里程").value == "125"


def test_export_cells_read_as_values_equal_the_columns(org: Any, users: dict[str, Any], login: Any) -> None:
    """The declaration list's export reads values, not model instances (issue 15): every cell equals
    the page column's own export value, for project and department declarations in any state."""
    from django.test import RequestFactory

    from jixiao.targets.services import open_department_declaration
    from jixiao.targets.views import DeclarationListView

    open_project_declaration(org["projects"]["a"], users["perf_section"])
    returned = open_project_declaration(org["projects"]["b"], users["perf_section"])
    TargetDeclaration.objects.filter(pk=returned.pk).update(state="returned", review_grade="良")
    open_department_declaration(org["units"]["b"], 2021, users["perf_section"])
    view = DeclarationListView()
    request = RequestFactory().get("/targets/", {"year": "2021", "sort": "subject"})
    request.user = users["perf_section"]
    request.htmx = False  # type: ignore[attr-defined]
    view.setup(request)
    qs = view.rows()[0]
    expected = [[c.export_value(d) for c in view.columns] for d in qs]
    assert len(expected) == 3 and {row[1] for row in expected} == {"项目支出", "部门整体支出"}
    cells = list(view.export_cells(qs))
    assert cells == expected and [list(map(type, row)) for row in cells] == [list(map(type, row)) for row in expected]
    response = login(users["perf_section"]).get(reverse("targets:declaration_list") + "?year=2021&sort=subject&export=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    written = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [row[0] for row in written] == [row[0] for row in expected]  # 项目/单位, sorted by project name
    assert [row[5] for row in written] == [None if row[5] is None else row[5].value for row in expected]  # 万元


def test_sorting_by_name_follows_renames_of_projects_and_units(org: Any, users: dict[str, Any], login: Any) -> None:
    from jixiao.organisation.models import BudgetUnit, Project
    from jixiao.targets.services import open_department_declaration

    projects, units = org["projects"], org["units"]
    for key in ("a", "a_sub", "b"):
        open_project_declaration(projects[key], users["perf_section"])
    open_department_declaration(units["a"], 2021, users["perf_section"])
    projects["b"].name = "A西岭项目"
    projects["b"].save()
    Project.objects.filter(pk=projects["a_sub"].pk).update(name="B南山项目")  # a bulk write keeps it too
    projects["a"].name = "C东湖项目"
    projects["a"].save()
    BudgetUnit.objects.filter(pk=units["a"].pk).update(name="D东湖局")
    client = login(users["perf_section"])
    names = ["A西岭项目", "B南山项目", "C东湖项目", "D东湖局"]

    def order(sort: str) -> list[str]:
        html = client.get(reverse("targets:declaration_list") + f"?year=2021&sort={sort}").content.decode()
        return sorted(names, key=html.index)

    assert order("subject") == names
    assert order("-subject") == names[::-1]
