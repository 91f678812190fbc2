"""Finance aggregation: completeness, groups, charts; query count independent of the number of
units; list pages' query counts; the report .docx holds the dashboard's totals."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.monitoring.models import MonitoringForm, ReportJob
from jixiao.monitoring.services import open_round, refresh_execution
from jixiao.monitoring.tests.conftest import approved_target
from jixiao.organisation.models import BudgetUnit, Project

pytestmark = pytest.mark.django_db


def add_units(n: int, sector: Any, start: int) -> None:
    for i in range(start, start + n):
        unit = BudgetUnit.objects.create(code=f"95{i:03d}", name=f"测试局{i}", sector=sector)
        project = Project.objects.create(year=2021, code=f"T-{i}", name=f"测试项目{i}", unit=unit, sector=sector,
                                         initial_budget_fen=1_000_000 * (i + 1), adjusted_budget_fen=1_000_000 * (i + 1))
        approved_target("project", unit, project)


def dashboard_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_units(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    sector = org["sectors"]["edu"]
    add_units(3, sector, 0)
    rnd = open_round(users["perf_section"], 2021, 9, date(2021, 11, 30))
    client = login(users["perf_section"])
    small = dashboard_queries(client)
    add_units(30, sector, 100)
    MonitoringForm.objects.filter(round=rnd).delete()  # open the round again over 33 units
    rnd.delete()
    open_round(users["perf_section"], 2021, 9, date(2021, 11, 30))
    large = dashboard_queries(client)
    assert small == large
    for name in ("monitoring:form_list", "monitoring:focus_list", "monitoring:round_list"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        assert len(ctx.captured_queries) <= 14, name


def test_dashboard_figures_and_charts(monitoring_round: Any, users: dict[str, Any], login: Any) -> None:
    MonitoringForm.objects.filter(round=monitoring_round, kind="project").update(executed_fen=0)
    html = login(users["perf_section"]).get(reverse("monitoring:dashboard")).content.decode()
    assert "序时进度 75.00%" in html and "<svg" in html and "项目综合预警分布" in html
    assert 'id="total-budget">150.00<' in html  # three projects of 50万
    assert "//" not in re.sub(r"https?://www\.w3\.org/2000/svg", "", html).split("<svg", 1)[1].split("</svg>")[0]
    desk = login(users["budget_desk"]).get(reverse("monitoring:dashboard")).content.decode()
    assert 'id="total-budget">100.00<' in desk  # 教育 only
    export = login(users["perf_section"]).get(reverse("monitoring:dashboard") + "?export=xlsx")
    assert export.status_code == 200


def test_report_docx_holds_the_dashboard_totals(monitoring_round: Any, users: dict[str, Any], login: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
    from docx import Document

    from jixiao.monitoring.models import ExecutionImport, ExecutionRecord

    batch = ExecutionImport.objects.create(year=2021, file_name="x", uploaded_by=users["perf_section"], status="imported")
    for form in MonitoringForm.objects.filter(round=monitoring_round, kind="project"):
        ExecutionRecord.objects.create(batch=batch, year=2021, month=5, unit=form.unit, sector=form.sector,
                                       project=form.project, amount_fen=12_345_678)
    refresh_execution(monitoring_round)
    client = login(users["perf_section"])
    html = client.get(reverse("monitoring:dashboard")).content.decode()
    budget = re.search(r'id="total-budget">([\d,.]+)<', html)[1]
    executed = re.search(r'id="total-executed">([\d,.]+)<', html)[1]
    rate = re.search(r'id="total-rate">([\d.]+%)<', html)[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:report_create", kwargs={"pk": monitoring_round.pk}))
    job = ReportJob.objects.get()
    assert response.status_code == 302 and job.status == "done" and job.percent == 100
    status = client.get(reverse("monitoring:report_detail", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true").content.decode()
    assert "下载监控报告" in status and "every 2s" not in status
    docx = client.get(reverse("monitoring:report_download", kwargs={"pk": job.pk}))
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"项目资金调整后预算{budget}万元" in text and f"执行{executed}万元" in text and f"执行率{rate}" in text
    assert len(document.inline_shapes) == 2  # the two charts
    assert job.totals["project_budget_fen"] == 150_000_000


def test_unit_lines_are_paginated_and_the_export_has_them_all(org: dict[str, Any], users: dict[str, Any], login: Any,
                                                               monkeypatch: Any) -> None:
    from openpyxl import load_workbook

    from jixiao.monitoring import views

    add_units(3, org["sectors"]["edu"], 0)
    open_round(users["perf_section"], 2021, 9, date(2021, 11, 30))
    monkeypatch.setattr(views, "UNITS_PER_PAGE", 2)
    client = login(users["perf_section"])
    page = client.get(reverse("monitoring:dashboard"))
    assert len(page.context["units_page"].object_list) == 2 and page.context["units_page"].paginator.count == 3
    assert "第 1 / 2 页（共 3 个主管部门，导出Excel含全部）" in page.content.decode()
    second = client.get(reverse("monitoring:dashboard") + "?units_page=2")
    assert [g.label for g in second.context["units_page"].object_list] == [g.label for g in page.context["dash"].by_unit[2:]]
    export = client.get(reverse("monitoring:dashboard") + "?export=xlsx")
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 3 + 3
