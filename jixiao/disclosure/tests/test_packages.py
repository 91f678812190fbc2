"""Report packages (报告包): built in the background from the 报告包 page, each a .zip of a .docx and
one .xlsx; every figure opened back equals the page of the product it comes from."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from jixiao.disclosure.models import PortalJob
from jixiao.rules.money import format_wan

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def table_rows(content: bytes, first_header: str) -> list[list[str]]:
    doc = Document(io.BytesIO(content))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def sheet_rows(content: bytes, name: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True))


def total_row(content: bytes, name: str) -> tuple[Any, ...]:
    return next(r for r in sheet_rows(content, name) if r[0] == "合计")


@pytest.fixture
def year_data(org: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """Plan year 2021: approved targets and the 1–9月 round; plan year 2022 looks back at 2021: its
    self-evaluations (one accepted 良, one 优 published) and a reported key evaluation with a rectification item."""
    from jixiao.disclosure.tests.conftest import key_evaluation
    from jixiao.evaluation.models import SelfEvaluation
    from jixiao.evaluation.services import issue_tasks
    from jixiao.monitoring.tests.conftest import build_round

    rnd = build_round(org, users)
    issue_tasks(2021, users["perf_section"])
    selfevals = list(SelfEvaluation.objects.filter(year=2021).order_by("pk"))
    SelfEvaluation.objects.filter(pk=selfevals[0].pk).update(state="received", computed_grade="良",
                                                             effective_score=Decimal("85.50"))
    SelfEvaluation.objects.filter(pk=selfevals[1].pk).update(state="published", computed_grade="优",
                                                             effective_score=Decimal("93.00"))
    ke = key_evaluation(org["units"]["a"], org["projects"]["a"], "东湖局项目重点评价")
    type(ke).objects.filter(pk=ke.pk).update(total=Decimal("82.40"))
    return {"round": rnd, "key": ke}


@pytest.fixture
def generate(django_capture_on_commit_callbacks: Any) -> Any:
    def _generate(client: Any, kind: str, year: int) -> dict[str, bytes]:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("disclosure:packages"), {"kind": kind, "year": year})
        assert response.status_code == 302, response.content.decode()
        return download(client, kind, year)
    return _generate


def download(client: Any, kind: str, year: int) -> dict[str, bytes]:
    """The generated package (the task ran on commit), downloaded: its files."""
    job = PortalJob.objects.filter(kind=kind, year=year).latest("pk")
    assert job.status == "done" and job.percent == 100, job.message
    progress = client.get(reverse("disclosure:job_detail", kwargs={"pk": job.pk}))
    assert "已完成" in progress.content.decode() and job.file_name in progress.content.decode()
    download = client.get(reverse("disclosure:job_download", kwargs={"pk": job.pk}))
    with zipfile.ZipFile(io.BytesIO(download.content)) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    assert sorted(n.rsplit(".", 1)[1] for n in files) == ["docx", "xlsx"]
    return {n.rsplit(".", 1)[1]: c for n, c in files.items()}


def test_page_lists_the_packages_of_the_working_year_and_is_in_the_navigation(users: Any, login: Any,
                                                                               year_data: Any) -> None:
    perf = login(users["perf_section"])
    page = perf.get(reverse("disclosure:packages")).content.decode()
    assert "2021年度报告包" in page and "2021年度绩效目标" in page and "2020年度项目支出绩效自评" in page
    assert "2021年1-9月绩效运行监控" in page and 'href="/disclosure/packages/"' in page
    assert "年度预算绩效管理工作情况报告" in page and "重点绩效评价报告汇编" in page
    unit = login(users["unit_filler"])
    assert unit.get(reverse("disclosure:packages")).status_code == 403
    assert unit.post(reverse("disclosure:packages"), {"kind": "package_work"}).status_code == 403
    assert not PortalJob.objects.exists()


def test_monitoring_package_refused_without_a_round(users: Any, login: Any, year_data: Any) -> None:
    perf = login(users["perf_section"])
    response = perf.post(reverse("disclosure:packages"), {"kind": "package_monitoring", "year": 2023}, follow=True)
    assert "2023年度尚未开展绩效运行监控" in response.content.decode()
    assert not PortalJob.objects.exists()


def test_work_report_targets_and_monitoring_equal_their_pages(users: Any, login: Any, year_data: Any,
                                                              generate: Any) -> None:
    perf = login(users["perf_section"])
    files = generate(perf, "package_work", 2021)
    text = text_of(files["docx"])
    assert "云溪区2021年度预算绩效管理工作情况报告" in text and "一、2021年度绩效目标管理（六同步）" in text

    page = perf.get(reverse("targets:completeness"), {"year": 2021}).context
    t = page["totals"]
    assert t["projects"] > 0 and t["approved"] > 0
    assert (f"纳入预算的项目{t['projects']}个，已填报绩效目标{t['declared']}个，目标已批复{t['approved']}个，"
            f"尚缺批复目标{t['lacking']}个") in text
    assert f"部门整体支出绩效目标已批复{page['overall_approved']}个" in text
    assert f"纳入综合绩效考评范围的部门{page['overall_in_scope']}个" in text
    total = total_row(files["xlsx"], "绩效目标六同步")
    assert total[2:6] == (t["projects"], t["declared"], t["approved"], t["lacking"])
    assert [r[0] for r in table_rows(files["docx"], "行业")] == [name for name, _s in page["by_sector"]]

    dash = perf.get(reverse("monitoring:dashboard"), {"round": year_data["round"].pk}).context["dash"]
    assert "二、2021年1-9月绩效运行监控" in text
    assert f"纳入监控{dash.completeness.total}张监控表" in text and f"已报送{dash.completeness.submitted}张" in text
    rows = table_rows(files["docx"], "类别")
    assert rows[0][:4] == [dash.projects.label, str(dash.projects.forms), format_wan(dash.projects.budget_fen),
                           format_wan(dash.projects.executed_fen)]
    monitoring_total = total_row(files["xlsx"], "运行监控")
    assert monitoring_total[1] == dash.projects.forms
    assert round(monitoring_total[2] * 1_000_000) == dash.projects.budget_fen


def test_work_report_evaluation_figures_equal_the_summary_page(users: Any, login: Any, year_data: Any,
                                                               generate: Any) -> None:
    perf = login(users["perf_section"])
    files = generate(perf, "package_work", 2022)
    text = text_of(files["docx"])
    page = perf.get(reverse("evaluation:summary"), {"year": 2021}).context
    assert page["accepted"] == 2 and page["grades"]["优"] == 1
    assert "三、2021年度项目支出绩效自评" in text and "五、2021年度财政重点绩效评价" in text
    assert "六、2023年度预算结果应用" in text
    assert (f"2021年度共开展绩效自评{page['count']}项：已提交{page['submitted']}项，财政已接收{page['accepted']}项，"
            f"逾期未报{page['overdue']}项，已公开{page['published']}项。") in text
    assert f"平均得分{page['average']:.2f}分" in text
    grades = table_rows(files["docx"], "等级")[0]
    assert grades == ["自评表数", *(str(page["grades"][g]) for g in ("优", "良", "中", "差")), str(page["accepted"])]
    assert total_row(files["xlsx"], "绩效自评")[1] == sum(page["grades"].values())
    assert f"第三方复核2021年度自评表{page['rechecked']}项" in text

    key = year_data["key"]
    listed = next(k for k in page["key_evaluations"] if k.pk == key.pk)
    keys = table_rows(files["docx"], "评价项目")
    assert keys == [[listed.title, listed.get_kind_display(), listed.unit.name, "—", format_wan(listed.amount_fen),
                     f"{listed.total:.2f}", listed.grade, listed.state_label]]
    from jixiao.rectification.models import Rectification

    items = list(Rectification.objects.filter(key_evaluation=key))
    assert f"形成整改事项{len(items)}项" in text and items[0].problem in text
    assert total_row(files["xlsx"], "问题整改")[1] == f"{len(items)}项"


def test_key_compilation_has_each_report_as_its_page_renders_it(users: Any, login: Any, year_data: Any,
                                                                generate: Any) -> None:
    from jixiao.evaluation.reports import key_context

    perf = login(users["perf_section"])
    files = generate(perf, "package_key", 2022)
    text = text_of(files["docx"])
    key = year_data["key"]
    key.refresh_from_db()
    own = key_context(key)
    report = text_of(perf.get(reverse("evaluation:keyeval_docx", kwargs={"pk": key.pk})).content)
    assert "云溪区2021年度财政重点绩效评价报告汇编" in text
    assert f"1. {own['title']}" in text and own["conclusion"] in text and own["conclusion"] in report
    assert table_rows(files["docx"], "序号") == [["1", key.title, key.unit.name, "—", format_wan(key.amount_fen), "82.40", "良"]]
    assert total_row(files["xlsx"], "重点评价汇总")[5] * 1_000_000 == pytest.approx(key.amount_fen)


def test_monitoring_package_is_the_monitoring_report(users: Any, login: Any, year_data: Any,
                                                     generate: Any) -> None:
    from jixiao.monitoring.report import build_report

    perf = login(users["perf_section"])
    files = generate(perf, "package_monitoring", 2021)
    rnd = year_data["round"]
    assert text_of(files["docx"]) == text_of(build_report(rnd)[0])
    dash = perf.get(reverse("monitoring:dashboard"), {"round": rnd.pk}).context["dash"]
    assert total_row(files["xlsx"], "报送情况")[1] == dash.completeness.total
    by_sector = total_row(files["xlsx"], "按行业")
    assert by_sector[1] == dash.projects.forms and round(by_sector[3] * 1_000_000) == dash.projects.executed_fen
    assert sheet_rows(files["xlsx"], "按主管部门")[0][0] == "2021年1-9月各主管部门项目资金执行情况"
