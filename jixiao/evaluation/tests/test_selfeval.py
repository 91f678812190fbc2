from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixiao.evaluation.models import SelfEvaluation
from jixiao.evaluation.services import EXECUTION_SOURCES, issue_tasks, register_execution_source
from jixiao.evaluation.tests.conftest import ACTUALS, SCORES, approved_target, fill
from jixiao.rules.checker import check_table
from jixiao.rules.table import decode_json
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db


def test_tasks_are_prefilled_from_the_approved_target_version(org: Any, users: Any) -> None:
    p = org["projects"]
    approved = approved_target(p["a_sub"])
    approved_target(p["b"], state="dept_approved")  # not approved: no self-evaluation task
    registered = list(EXECUTION_SOURCES)
    register_execution_source(lambda kind, year, unit, project: 46_000_000 if project == p["a_sub"].pk else None)
    try:
        assert issue_tasks(2021, users["perf_section"]) == 1
    finally:
        EXECUTION_SOURCES[:] = registered
    se = SelfEvaluation.objects.get()
    assert se.target == approved and se.project == p["a_sub"] and se.state == "draft"
    assert (se.budget_fen, se.initial_budget_fen, se.executed_fen) == (50_000_000, 50_000_000, 46_000_000)
    assert se.goal == approved.annual_goal and se.contact_person == "张三" and se.funds_weight == 10
    rows = list(se.indicators.values_list("name", "target", "weight"))
    assert rows[0] == ("养护里程", "≥120公里", Decimal(15))
    assert rows[3] == ("每公里养护成本", "≤1.60万元", Decimal(10))
    assert rows[4] == ("群众出行条件改善", "明显改善", Decimal(20))
    assert issue_tasks(2021, users["perf_section"]) == 0  # issued once
    with pytest.raises(WorkflowError, match="无权下达"):
        issue_tasks(2021, users["unit_filler"])


def form_data(se: SelfEvaluation, **extra: str) -> dict[str, str]:
    data = {"lock_version": str(se.lock_version), "executed_fen": "46", "funds_score": "9.2",
            "claimed_total": "91.88", "claimed_grade": "优", "report_results": "目标基本完成。",
            "row-TOTAL_FORMS": "7", "row-INITIAL_FORMS": "7", "row-MIN_NUM_FORMS": "0", "row-MAX_NUM_FORMS": "1000"}
    for n, (row, actual, score) in enumerate(zip(se.indicators.all(), ACTUALS, SCORES, strict=True)):
        data |= {f"row-{n}-id": str(row.pk), f"row-{n}-actual": actual, f"row-{n}-score": score,
                 f"row-{n}-note": "雨季施工期缩短" if n == 1 else ""}
    return data | extra


def shown_total(html: str) -> str:
    return re.search(r'data-total="([^"]*)"', html).group(1)  # type: ignore[union-attr]


def test_score_on_the_form_equals_the_checker_on_the_exported_json(selfevals: Any, users: Any, login: Any) -> None:
    se, client = selfevals["a_sub"], login(users["unit_filler"])
    preview = client.post(reverse("evaluation:selfeval_preview", kwargs={"pk": se.pk}), form_data(se))
    assert preview.status_code == 200 and shown_total(preview.content.decode()) == "91.88"
    SelfEvaluation.objects.get(pk=se.pk).indicators.update(actual="")  # the preview saved nothing
    saved = client.post(reverse("evaluation:selfeval_edit", kwargs={"pk": se.pk}), form_data(se))
    assert saved.status_code == 302
    exported = client.get(reverse("evaluation:selfeval_json", kwargs={"pk": se.pk}))
    result = check_table(decode_json(exported.content), "national-default")
    assert result.exit_status == 0 and f"{result.total:.2f}" == "91.88" and result.grade == "优"
    detail = client.get(reverse("evaluation:selfeval_detail", kwargs={"pk": se.pk})).content.decode()
    assert shown_total(detail) == f"{result.total:.2f}"
    se.refresh_from_db()
    assert se.computed_total == Decimal("91.88") and se.computed_grade == "优" and se.error_count == 0


def test_divergence_is_a_finding_shown_before_submitting(selfevals: Any, users: Any, login: Any) -> None:
    se = fill(selfevals["a_sub"])
    se.indicators.filter(name="路面优良率").update(score=Decimal(15))
    page = login(users["unit_filler"]).get(reverse("evaluation:selfeval_detail", kwargs={"pk": se.pk})).content.decode()
    assert "第2行指标「路面优良率」填报得分 15，按规则应为 14.12" in page
    with pytest.raises(WorkflowError, match="第2行指标「路面优良率」填报得分 15"):
        perform_transition(se, "submit", users["unit_filler"])
    se.indicators.filter(name="路面优良率").update(score=Decimal("14.12"))
    perform_transition(se, "submit", users["unit_filler"])


def test_workflow_returns_with_reasons_and_publication_freezes_a_snapshot(selfevals: Any, users: Any) -> None:
    se = fill(selfevals["a_sub"])
    perform_transition(se, "submit", users["unit_filler"])
    with pytest.raises(WorkflowError, match="必须填写意见"):
        perform_transition(se, "dept_return", users["unit_approver"])
    perform_transition(se, "dept_return", users["unit_approver"], comment="满意度调查样本不足，请补充")
    perform_transition(se, "submit", users["unit_filler"])
    perform_transition(se, "dept_approve", users["unit_approver"])
    perform_transition(se, "receive", users["budget_desk"])
    perform_transition(se, "publish", users["unit_approver"])
    se.refresh_from_db()
    assert se.state == "published" and se.submitted_at and se.received_at and len(se.snapshot_hash) == 64
    assert se.public_snapshot["title"] == "南山所项目" and se.public_snapshot["report"]["report_results"]
    se.report_results = "之后的修改"
    se.save()
    se.refresh_from_db()
    assert se.public_snapshot["report"]["report_results"] == "主要绩效目标基本完成，路面优良率略低于目标。"


def test_classified_tables_are_not_published(selfevals: Any, users: Any) -> None:
    se = fill(selfevals["a_sub"])
    se.unit.is_classified = True
    se.unit.save()
    for name, user in (("submit", "unit_filler"), ("dept_approve", "unit_approver"), ("receive", "perf_section")):
        perform_transition(se, name, users[user])
    with pytest.raises(WorkflowError, match="涉密"):
        perform_transition(se, "publish", users["perf_section"])


def test_json_upload_is_checked_and_written_all_or_nothing(selfevals: Any, users: Any, login: Any) -> None:
    se, client = selfevals["a_sub"], login(users["unit_filler"])
    doc = json.loads(client.get(reverse("evaluation:selfeval_json", kwargs={"pk": se.pk})).content)
    doc["funds"] |= {"executed": 46, "score": 9.2}
    for row, actual, score in zip(doc["indicators"], ACTUALS, SCORES, strict=True):
        row["actual"], row["score"] = actual, float(score)
    doc["indicators"][1]["note"] = "雨季施工期缩短"
    doc |= {"total": 91.88, "grade": "优"}
    bad = json.loads(json.dumps(doc))
    bad["indicators"][0]["score"] = 12
    url = reverse("evaluation:selfeval_upload")
    refused = client.post(url, {"file": SimpleUploadedFile("t.json", json.dumps(bad, ensure_ascii=False).encode())})
    html = refused.content.decode()
    assert refused.status_code == 400 and "第1行指标「养护里程」填报得分 12，按规则应为 15.00" in html
    assert not SelfEvaluation.objects.get(pk=se.pk).indicators.exclude(actual="").exists()
    ok = client.post(url, {"file": SimpleUploadedFile("t.json", json.dumps(doc, ensure_ascii=False).encode())})
    assert ok.status_code == 302
    se.refresh_from_db()
    assert se.executed_fen == 46_000_000 and se.computed_total == Decimal("91.88")


def test_excel_template_round_trip_with_findings_per_row(selfevals: Any, users: Any, login: Any) -> None:
    from openpyxl import load_workbook

    se, client = selfevals["a_sub"], login(users["unit_filler"])
    content = client.get(reverse("evaluation:selfeval_template")).content
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == [f"{se.project.code} {se.subject}"[:31]]
    ws = wb.active
    assert ws["A1"].value == "项目支出绩效自评表（2021年度）" and ws["A9"].value == "一级指标"
    ws["D5"], ws["G5"] = 46, 9.2
    for n, (actual, score) in enumerate(zip(ACTUALS, SCORES, strict=True)):
        ws.cell(row=10 + n, column=5).value, ws.cell(row=10 + n, column=7).value = actual, float(score)
    ws.cell(row=11, column=8).value = "雨季施工期缩短"
    ws.cell(row=12, column=7).value = "九分"
    buf = io.BytesIO()
    wb.save(buf)
    url = reverse("evaluation:selfeval_upload")
    refused = client.post(url, {"file": SimpleUploadedFile("t.xlsx", buf.getvalue())})
    assert refused.status_code == 400 and "第12行" in refused.content.decode() and "「得分」的值「九分」不是数字" in refused.content.decode()
    ws.cell(row=12, column=7).value = 9
    buf = io.BytesIO()
    wb.save(buf)
    assert client.post(url, {"file": SimpleUploadedFile("t.xlsx", buf.getvalue())}).status_code == 302
    se.refresh_from_db()
    assert se.computed_total == Decimal("91.88") and se.indicators.get(name="按期完成率").actual == "90%"


def test_evidence_type_and_content_are_checked(selfevals: Any, users: Any, login: Any) -> None:
    se, client = selfevals["a_sub"], login(users["unit_filler"])
    url = reverse("evaluation:evidence_upload", kwargs={"pk": se.pk})
    client.post(url, {"file": SimpleUploadedFile("a.exe", b"MZ")})
    client.post(url, {"file": SimpleUploadedFile("fake.pdf", b"not a pdf")})
    assert not se.evidence.exists()
    page = client.post(url, {"file": SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 test"), "description": "验收"}, follow=True)
    html = page.content.decode()
    assert "不接受「.exe」文件" in html and "文件内容与扩展名「.pdf」不符" in html
    assert se.evidence.get().name == "验收报告.pdf"
    download = client.get(reverse("evaluation:evidence_download", kwargs={"pk": se.pk, "evidence": se.evidence.get().pk}))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert login(users["unit_filler"]).get(reverse("evaluation:selfeval_detail", kwargs={"pk": selfevals["b"].pk})).status_code == 404


def test_list_pages_run_a_fixed_number_of_queries(selfevals: Any, users: Any, login: Any,
                                                  django_assert_max_num_queries: Any) -> None:
    for se in selfevals.values():
        fill(se)
    SelfEvaluation.objects.update(state="submitted")  # handed in: their scores are shown (drafts say 未填报)
    client = login(users["perf_section"])
    client.get(reverse("evaluation:selfeval_list"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("evaluation:selfeval_list") + "?year=2021&sort=-computed_total")
    assert page.content.decode().count("91.88") >= 3
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluation:recheck_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluation:keyeval_list"))


def test_full_year_treasury_payments_prefill_the_execution(targets: dict[str, Any], users: dict[str, Any], org: Any) -> None:
    from jixiao.evaluation.models import SelfEvaluation
    from jixiao.evaluation.services import issue_tasks
    from jixiao.monitoring.models import ExecutionImport, ExecutionRecord

    project = org["projects"]["a"]
    batch = ExecutionImport.objects.create(year=2021, file_name="treasury.xlsx", uploaded_by=users["perf_section"],
                                           status="imported")
    for month, fen in ((3, 20_000_000), (9, 15_000_000), (12, 11_000_000)):
        ExecutionRecord.objects.create(batch=batch, year=2021, month=month, unit=project.unit, sector=project.sector,
                                       project=project, amount_fen=fen)
    sub = org["projects"]["a_sub"]
    ExecutionRecord.objects.create(batch=batch, year=2021, month=9, unit=sub.unit, sector=sub.sector, project=sub,
                                   amount_fen=9_000_000)  # only to September: not a full-year figure
    issue_tasks(2021, users["perf_section"])
    assert SelfEvaluation.objects.get(target=targets["a"]).executed_fen == 46_000_000
    assert SelfEvaluation.objects.get(target=targets["a_sub"]).executed_fen is None
