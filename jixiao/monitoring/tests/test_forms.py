"""The two monitoring tables: lights from the rules engine at every threshold edge, the deviation
analysis required on red/yellow rows, the workflow, paper copies, stale edits, printing."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from jixiao.core.locking import StaleEdit
from jixiao.monitoring.models import ExecutionImport, ExecutionRecord, MonitoringForm
from jixiao.monitoring.services import MonitoringError, RowInput, refresh_execution, save_form
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db
EXPLAINED = {"reasons": ("经费保障",), "forecast": "900", "possibility": "有可能", "corrective_plan": "加快组织培训"}


def rows_of(form: MonitoringForm) -> dict[str, Any]:
    return {r.indicator.name: r for r in form.rows.select_related("indicator")}


def fill(form: MonitoringForm, user: Any, header: dict[str, Any] | None = None, **values: RowInput) -> MonitoringForm:
    rows = rows_of(form)
    data = {rows[name].pk: value for name, value in values.items()}
    form.refresh_from_db()
    for key, value in (header or {}).items():
        setattr(form, key, value)
    return save_form(form, user, form.lock_version, data)


def pay(form: MonitoringForm, user: Any, fen: int, month: int = 6) -> None:
    batch = ExecutionImport.objects.create(year=2021, file_name="t.csv", uploaded_by=user, status="imported")
    ExecutionRecord.objects.create(batch=batch, year=2021, month=month, unit=form.unit, sector=form.sector,
                                   project=form.project, amount_fen=fen)
    refresh_execution(form.round)
    form.refresh_from_db()


@pytest.mark.parametrize(("actual", "light"), [
    ("449", "red"), ("450", "yellow"), ("599", "yellow"), ("600", "green"), ("899", "green"), ("900", "blue"),
])
def test_indicator_light_at_each_edge_is_shown_in_the_table(project_form: MonitoringForm, users: dict[str, Any],
                                                          login: Any, actual: str, light: str) -> None:
    # ≥1000人次 at 1–9月: expected 750; v = A/750 × 100 → red < 60 ≤ yellow < 80 ≤ green < 120 ≤ blue
    extra = EXPLAINED if light in ("red", "yellow") else {}
    fill(project_form, users["unit_filler"], 培训人次=RowInput(actual=actual, **extra))
    row = rows_of(project_form)["培训人次"]
    assert row.light == light
    html = login(users["unit_filler"]).get(reverse("monitoring:form_detail", kwargs={"pk": project_form.pk})).content.decode()
    label = {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝"}[light]
    assert f'<span class="light light-{light}" title="{label}灯">{label}</span>' in html


@pytest.mark.parametrize(("executed_fen", "light"), [
    (22_495_000, "red"), (22_500_000, "yellow"), (29_995_000, "yellow"), (30_000_000, "green"), (50_000_001, "red"),
])
def test_execution_light_at_each_edge(project_form: MonitoringForm, users: dict[str, Any], login: Any,
                                      executed_fen: int, light: str) -> None:
    # 50万 budget at 1–9月: 执行率 44.99% red, 45% yellow, 59.99% yellow, 60% green, above budget red
    pay(project_form, users["perf_section"], executed_fen)
    assert project_form.execution_light == light
    page = login(users["perf_section"]).get(reverse("monitoring:form_list") + f"?light={light}").content.decode()
    assert "南山所项目" in page


def test_qualitative_and_deadline_rows(project_form: MonitoringForm, users: dict[str, Any]) -> None:
    fill(project_form, users["unit_filler"], 培训满意度=RowInput(actual="部分达成目标并具有一定效果", **EXPLAINED),
         完成时间=RowInput(actual="10月"))
    rows = rows_of(project_form)
    assert (rows["培训满意度"].light, rows["完成时间"].light) == ("yellow", "green")
    project_form.refresh_from_db()
    assert project_form.target_light == "yellow"


def test_a_red_row_without_a_reason_is_refused_naming_the_row(project_form: MonitoringForm, users: dict[str, Any],
                                                              login: Any) -> None:
    with pytest.raises(MonitoringError, match="第1行「培训人次」为红灯，请填写偏差原因、全年预计完成值、完成可能性、纠偏措施"):
        fill(project_form, users["unit_filler"], 培训人次=RowInput(actual="300"))
    assert rows_of(project_form)["培训人次"].actual == ""  # nothing written
    with pytest.raises(MonitoringError, match="完成可能性为“有可能”"):
        fill(project_form, users["unit_filler"], 培训人次=RowInput(actual="800", possibility="有可能"))
    row = rows_of(project_form)["培训人次"]
    client = login(users["unit_filler"])
    response = client.post(reverse("monitoring:form_edit", kwargs={"pk": project_form.pk}), {
        "lock_version": project_form.lock_version, f"row-{row.pk}-actual": "300", "contact_person": "李明"})
    assert response.status_code == 400
    assert "第1行「培训人次」为红灯，请填写偏差原因" in response.content.decode()


def test_edit_page_saves_rows_and_lights(project_form: MonitoringForm, users: dict[str, Any], login: Any) -> None:
    rows = rows_of(project_form)
    client = login(users["unit_filler"])
    assert client.get(reverse("monitoring:form_edit", kwargs={"pk": project_form.pk})).status_code == 200
    data = {"lock_version": project_form.lock_version, "contact_person": "李明", "forecast_fen": "50",
            f"row-{rows['培训人次'].pk}-actual": "300", f"row-{rows['培训人次'].pk}-reasons": ["经费保障", "其他"],
            f"row-{rows['培训人次'].pk}-other_reason": "疫情影响集中培训", f"row-{rows['培训人次'].pk}-forecast": "900",
            f"row-{rows['培训人次'].pk}-possibility": "有可能", f"row-{rows['培训人次'].pk}-corrective_plan": "四季度线上补训"}
    response = client.post(reverse("monitoring:form_edit", kwargs={"pk": project_form.pk}), data)
    assert response.status_code == 302
    row = rows_of(project_form)["培训人次"]
    assert row.light == "red" and row.reasons == ["经费保障", "其他"] and row.deviation is not None
    project_form.refresh_from_db()
    assert project_form.forecast_fen == 50_000_000 and project_form.expected_balance_fen == 0


def test_stale_edit_is_refused(project_form: MonitoringForm, users: dict[str, Any]) -> None:
    stale = project_form.lock_version
    fill(project_form, users["unit_filler"], 完成时间=RowInput(actual="10月"))
    project_form.refresh_from_db()
    rows = rows_of(project_form)
    with pytest.raises(StaleEdit):
        save_form(project_form, users["unit_approver"], stale, {rows["完成时间"].pk: RowInput(actual="11月")})
    assert rows_of(project_form)["完成时间"].actual == "10月"


def complete(form: MonitoringForm, users: dict[str, Any]) -> None:
    pay(form, users["perf_section"], 35_000_000)
    fill(form, users["unit_filler"], {"contact_person": "李明"}, 培训人次=RowInput(actual="800"), 完成时间=RowInput(actual="10月"),
         培训满意度=RowInput(actual="达成目标"))


def test_workflow_unit_to_approver_to_finance(project_form: MonitoringForm, users: dict[str, Any], login: Any) -> None:
    with pytest.raises(WorkflowError, match="第1行「培训人次」未填写截至本期实际完成值"):
        perform_transition(project_form, "submit", users["unit_filler"])
    complete(project_form, users)
    perform_transition(project_form, "submit", users["unit_filler"])
    perform_transition(project_form, "dept_approve", users["unit_approver"])
    with pytest.raises(WorkflowError, match="必须填写意见"):
        perform_transition(project_form, "return", users["budget_desk"])
    perform_transition(project_form, "return", users["budget_desk"], comment="偏差原因过于笼统")
    project_form.refresh_from_db()
    assert project_form.state == "returned" and project_form.review_comment == "偏差原因过于笼统"
    perform_transition(project_form, "submit", users["unit_filler"])
    perform_transition(project_form, "dept_approve", users["unit_approver"])
    perform_transition(project_form, "accept", users["perf_section"])
    project_form.refresh_from_db()
    assert project_form.state == "accepted" and project_form.submitted_at
    edit = login(users["unit_filler"]).get(reverse("monitoring:form_edit", kwargs={"pk": project_form.pk}))
    assert edit.status_code == 404  # accepted: no longer editable


def test_paper_copy_is_recorded_after_submission(project_form: MonitoringForm, users: dict[str, Any], login: Any) -> None:
    assert project_form.needs_paper  # 50万 ≥ 30万
    client = login(users["perf_section"])
    url = reverse("monitoring:paper_receipt", kwargs={"pk": project_form.pk})
    client.post(url)
    project_form.refresh_from_db()
    assert project_form.paper_received_at is None  # not yet submitted
    complete(project_form, users)
    perform_transition(project_form, "submit", users["unit_filler"])
    client.post(url)
    project_form.refresh_from_db()
    assert project_form.paper_received_at and project_form.paper_received_by == users["perf_section"]
    assert project_form.paper_status == "已接收"
    department = MonitoringForm.objects.get(round=project_form.round, kind="department")
    assert department.needs_paper


def test_print_layout_and_docx(project_form: MonitoringForm, users: dict[str, Any], login: Any) -> None:
    from docx import Document

    client = login(users["unit_filler"])
    html = client.get(reverse("monitoring:form_detail", kwargs={"pk": project_form.pk})).content.decode()
    assert "财政项目资金绩效监控情况表" in html and "打印（A4）" in html and "monitoring/monitoring.css" in html
    response = client.get(reverse("monitoring:form_docx", kwargs={"pk": project_form.pk}))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "财政项目资金绩效监控情况表（2021年1-9月）" in text and "单位负责人" in text


def test_home_page_lists_the_unit_task(project_form: MonitoringForm, users: dict[str, Any], login: Any) -> None:
    import time_machine

    with time_machine.travel(date(2021, 11, 5)):
        html = login(users["unit_filler"]).get("/").content.decode()
    assert "南山所项目2021年1-9月财政项目资金绩效监控情况表" in html


def test_light_shows_while_typing_without_saving(project_form: Any, users: dict[str, Any], login: Any) -> None:
    row = project_form.rows.select_related("indicator").filter(indicator__comparison=">=").order_by("pk").first()
    url = reverse("monitoring:light_preview", kwargs={"pk": project_form.pk, "row": row.pk})
    client = login(users["unit_filler"])  # the fixture's form is 南山所's
    prefix = f"row-{row.pk}-"
    html = client.get(url, {f"{prefix}actual": "0", f"{prefix}possibility": ""}).content.decode()
    assert "light-red" in html
    html = client.get(url, {f"{prefix}actual": row.indicator.value, f"{prefix}possibility": ""}).content.decode()
    assert "light-blue" in html  # the full-year value by September is far ahead of time progress
    html = client.get(url, {f"{prefix}actual": "", f"{prefix}possibility": ""}).content.decode()
    assert "light-" not in html  # nothing typed yet: no light
    row.refresh_from_db()
    assert row.actual == ""  # the preview saves nothing
