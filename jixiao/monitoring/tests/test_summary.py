"""The dashboard's summary lines equal the raw computation from the forms after every kind of change
(opening a round, saving, the workflow's transitions, paper receipts, a treasury import, edits of
units and projects), for each scope that reads them; the rebuild command recomputes the same lines."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from jixiao.monitoring.aggregation import Dashboard, dashboard, summary_source
from jixiao.monitoring.imports import run_import
from jixiao.monitoring.models import (
    ExecutionImport,
    MonitoringForm,
    MonitoringFundSummary,
    MonitoringRound,
    MonitoringSummary,
)
from jixiao.monitoring.services import RowInput, open_round, receive_paper, save_form
from jixiao.monitoring.summary import refresh_summary
from jixiao.monitoring.tests.conftest import approved_target
from jixiao.organisation.models import FundSource
from jixiao.workflow.engine import perform_transition

pytestmark = pytest.mark.django_db
READERS = ("perf_section", "budget_desk", "unit_approver", "npc_reader")


def stored(rnd: MonitoringRound) -> list[str]:
    fields = ("kind", "state", "root_id", "sector_id", "overall_light", "is_classified", "forms", "budget_fen",
              "executed_fen", "paper_needed", "paper_received")
    funds = ("fund_source_id", "state", "root_id", "sector_id", "overall_light", "is_classified", "forms",
             "budget_fen", "executed_fen")
    return sorted(map(str, MonitoringSummary.objects.filter(round=rnd).values_list(*fields))) + sorted(
        map(str, MonitoringFundSummary.objects.filter(round=rnd).values_list(*funds)))


def figures(dash: Dashboard) -> tuple[Any, ...]:
    return (dash.completeness, dash.projects, dash.departments, dash.by_unit, dash.by_sector, dash.by_fund, dash.lights,
            [f.pk for f in dash.lowest])


def assert_summary_is_raw(rnd: MonitoringRound, users: dict[str, Any]) -> None:
    kept = stored(rnd)
    refresh_summary(rnd.pk)  # the raw computation, from scratch
    assert kept == stored(rnd)
    for role in READERS:
        user = users[role]
        forms = MonitoringForm.objects.for_user(user)
        assert figures(dashboard(rnd, forms, summary=summary_source(user))) == figures(dashboard(rnd, forms)), role


def import_payments(user: Any, rows: list[list[Any]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目编码", "支付日期", "月份", "支付金额（元）"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    batch = ExecutionImport(year=2021, file_name="国库.xlsx", uploaded_by=user)
    batch.store(buf.getvalue())
    batch.save()
    assert not run_import(batch).errors


def complete(form: MonitoringForm, user: Any) -> MonitoringForm:
    rows = {r.indicator.name: r.pk for r in form.rows.select_related("indicator")}
    form.refresh_from_db()
    form.contact_person = "李明"
    form.execution_reason, form.forecast_fen = "按合同节点支付", form.budget_fen
    return save_form(form, user, form.lock_version, {
        rows["培训人次"]: RowInput(actual="800"), rows["完成时间"]: RowInput(actual="10月"),
        rows["培训满意度"]: RowInput(actual="达成目标")})


def test_summary_equals_the_forms_after_every_kind_of_change(org: dict[str, Any], users: dict[str, Any]) -> None:
    units, projects = org["units"], org["projects"]
    units["b"].is_classified = True  # the 区人大 reader's figures leave it out
    units["b"].save()
    projects["a"].fund_sources.add(FundSource.objects.exclude(name="一般公共预算").first())  # counted under both
    for key in ("a", "a_sub", "b"):
        approved_target("project", units[key], projects[key])
    approved_target("department", units["a"])
    rnd = open_round(users["perf_section"], 2021, 9, date(2021, 11, 30))
    assert MonitoringSummary.objects.filter(round=rnd).exists()
    assert_summary_is_raw(rnd, users)

    import_payments(users["perf_section"], [["P-901001", "2021-03-15", "", 350000], ["P-901", "", "5", 100000],
                                            ["P-902", "", "6", 450000]])
    assert_summary_is_raw(rnd, users)

    filler, approver, perf = users["unit_filler"], users["unit_approver"], users["perf_section"]
    sub = MonitoringForm.objects.get(round=rnd, project=projects["a_sub"])
    complete(sub, filler)
    assert_summary_is_raw(rnd, users)
    for name, user in (("submit", filler), ("dept_approve", approver)):
        perform_transition(sub, name, user)
    receive_paper(MonitoringForm.objects.get(pk=sub.pk), perf)
    perform_transition(sub, "accept", perf, comment="同意")
    assert_summary_is_raw(rnd, users)
    first = MonitoringForm.objects.get(round=rnd, project=projects["a"])
    complete(first, approver)
    for name, user, comment in (("submit", approver, ""), ("dept_approve", approver, ""), ("return", perf, "请补充")):
        perform_transition(first, name, user, comment=comment)
    assert_summary_is_raw(rnd, users)
    accepted = MonitoringSummary.objects.filter(round=rnd, state="accepted", kind="project")
    assert [(line.forms, line.budget_fen, line.executed_fen, line.paper_received) for line in accepted] == [
        (1, 50_000_000, 35_000_000, 1)]

    import_payments(perf, [["P-901001", "2021-03-15", "", 100000]])  # the year's payments replaced
    assert_summary_is_raw(rnd, users)
    npc = dashboard(rnd, MonitoringForm.objects.for_user(users["npc_reader"]), summary=summary_source(users["npc_reader"]))
    assert (npc.completeness.total, npc.projects.executed_fen) == (1, 10_000_000)  # accepted only, as reported upward

    units["a_sub"].is_classified = True  # edits of units and projects move forms between lines
    units["a_sub"].save()
    assert_summary_is_raw(rnd, users)
    projects["b"].fund_sources.add(FundSource.objects.exclude(name="一般公共预算").first())
    projects["a"].is_classified = True
    projects["a"].save()
    assert_summary_is_raw(rnd, users)
    assert dashboard(rnd, MonitoringForm.objects.none(), summary=summary_source(users["npc_reader"])).completeness.total == 0

    MonitoringSummary.objects.all().delete()
    MonitoringFundSummary.objects.all().delete()
    call_command("monitoring_summary", stdout=io.StringIO())
    assert_summary_is_raw(rnd, users)
