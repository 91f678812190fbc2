"""The 结果应用 board: from a grade and an overdue rectification to a cancelled line, confirmed by the
budget desk, exported for the budget system, and flagged when the N+1 budget brings it back with money;
the N+1 target form shows last year's result and cannot be approved without the override."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from jixiao.application.models import ApplicationRuleSet, Board, Proposal
from jixiao.application.services import ApplicationError, build_board, decide
from jixiao.evaluation.models import KeyEvaluation
from jixiao.organisation.imports import PROJECT_HEADER
from jixiao.organisation.tests.test_import import upload, workbook
from jixiao.rectification.models import Rectification
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plan_year_2021(settings: Any) -> None:
    settings.JIXIAO_WORKING_YEAR = 2021  # the board of budget year 2022 from the evidence of 2021


def poor_with_overdue_rectification(org: dict[str, Any], users: dict[str, Any]) -> KeyEvaluation:
    """Project a_sub (2021): key evaluation graded 差, its rectification item past its deadline."""
    unit = org["units"]["a_sub"]
    ke = KeyEvaluation.objects.create(year=2022, evaluated_year=2021, title="南山所项目重点评价", unit=unit,
                                      sector=unit.sector, project=org["projects"]["a_sub"], state="reported", grade="差")
    Rectification.objects.create(source="key_evaluation", source_title=ke.title, key_evaluation=ke, year=2021,
                                 project=org["projects"]["a_sub"], unit=unit, sector=unit.sector,
                                 problem="产出指标未完成", requirement="限期完成并报送整改报告",
                                 deadline=timezone.localdate() - timedelta(days=5), state="issued")
    return ke


def test_poor_and_overdue_is_cancelled_confirmed_exported_and_flagged_next_year(org: dict[str, Any], users: dict[str, Any],
                                                                              login: Any) -> None:
    poor_with_overdue_rectification(org, users)
    perf, desk = users["perf_section"], users["budget_desk"]
    with pytest.raises(ApplicationError, match="只有绩效管理股"):
        build_board(2022, desk)
    board = build_board(2022, perf)
    line = Proposal.objects.get(board=board, code="P-901001")
    assert (line.key_grade, line.rectification, line.action, line.proposed_fen) == ("差", "overdue", "cancel", 0)
    assert line.rule == "重点评价等级“差”：压减或取消30%；整改逾期未完成：取消"
    other = Proposal.objects.get(board=board, code="P-901")
    assert (other.action, other.proposed_fen, other.rule) == ("keep", 50_000_000, "无评价结果：按预算评审安排")
    assert board.proposals.filter(kind="department").count() == 3
    # the board for budget year 2022 (working year 2021 + 1): evidence and totals on one page
    client = login(perf)
    page = client.get(reverse("application:board")).content.decode()
    assert "2022年度预算结果应用建议" in page and "重点评价等级“差”" in page and "<svg" in page and "取消" in page
    # the desk: only its sectors; a change needs a reason; then it confirms the cancellation
    with pytest.raises(ApplicationError, match="只有分管该行业"):
        decide(Proposal.objects.get(board=board, code="P-902"), desk, accept=True)
    desk_client = login(desk)
    refused = desk_client.post(reverse("application:decide", kwargs={"pk": line.pk}),
                               {"decision": "change", "action": "keep", "amount": "500", "reason": ""})
    assert refused.status_code == 400 and "调整建议必须填写理由" in refused.content.decode()
    assert 'value="500"' in refused.content.decode()  # what was typed comes back
    desk_client.post(reverse("application:decide", kwargs={"pk": line.pk}), {"decision": "accept"})
    line.refresh_from_db()
    assert line.decision == "accepted" and line.final_action == "cancel" and line.decided_by == desk
    # finalising needs every line decided (the health sector's by the perf section's other desk)
    with pytest.raises(WorkflowError, match="未经业务股室确认"):
        perform_transition(board, "finalise", perf)
    for p in board.proposals.filter(decision=""):
        Proposal.objects.filter(pk=p.pk).update(decision="accepted")  # the other sectors' desks, not in this fixture
    perform_transition(board, "finalise", perf)
    response = client.get(reverse("application:export", kwargs={"pk": board.pk}))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["P-901001"][4:7] == (50, 0, "取消") and rows["P-901"][5] == 50
    # the 2022 budget import brings P-901001 back with money: a departure; P-901 follows the proposal
    content = workbook(PROJECT_HEADER, [
        [2022, "P-901001", "南山所项目", "901001", "一般公共预算", "800000", "800000", "延续"],
        [2022, "P-901", "东湖局项目", "901", "一般公共预算", "500000", "500000", "延续"]])
    assert "导入成功" in upload(client, "projects", content).content.decode()
    line.refresh_from_db()
    assert line.next_fen == 80_000_000 and line.departure == "建议取消，下年度仍安排80.00万元"
    assert Proposal.objects.get(board=board, code="P-901").departure == ""
    flagged = client.get(reverse("application:board") + "?departures=on").content.decode()
    assert "建议取消，下年度仍安排" in flagged and "东湖局项目" not in flagged.split("逐项建议")[1]
    report = Document(io.BytesIO(client.get(reverse("application:report", kwargs={"pk": board.pk})).content))
    text = "\n".join(p.text for p in report.paragraphs) + "".join(c.text for t in report.tables for r in t.rows for c in r.cells)
    assert "结果应用情况报告" in text and "南山所项目" in text and "建议取消，下年度仍安排80.00万元" in text


def test_next_year_target_shows_last_year_and_needs_override(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    from jixiao.monitoring.tests.conftest import approved_target
    from jixiao.organisation.models import Project

    poor_with_overdue_rectification(org, users)
    board = build_board(2022, users["perf_section"])
    line = Proposal.objects.get(board=board, code="P-901001")
    unit = org["units"]["a_sub"]
    nxt = Project.objects.create(year=2022, code="P-901001", name="南山所项目", unit=unit, sector=unit.sector,
                                 initial_budget_fen=10_000_000, adjusted_budget_fen=10_000_000)
    target = approved_target("project", unit, nxt)
    type(target).objects.filter(pk=target.pk).update(year=2022, state="dept_approved")
    target.refresh_from_db()
    page = login(users["unit_filler"]).get(reverse("targets:declaration_detail", kwargs={"pk": target.pk})).content.decode()
    assert "上年度结果应用" in page and "确定处理：<strong>取消</strong>" in page and "逾期1项" in page
    with pytest.raises(WorkflowError, match="整改事项逾期未完成"):
        perform_transition(target, "approve", users["perf_section"], grade="优")
    client = login(users["perf_section"])
    assert client.post(reverse("application:override", kwargs={"pk": line.pk}), {"reason": ""}).status_code == 400
    client.post(reverse("application:override", kwargs={"pk": line.pk}), {"reason": "区政府专题会议同意继续实施"})
    perform_transition(target, "approve", users["perf_section"], grade="优")
    target.refresh_from_db()
    assert target.state == "approved"


def test_rules_are_edited_by_a_form_and_change_the_proposals(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    KeyEvaluation.objects.create(year=2022, evaluated_year=2021, title="东湖局项目重点评价", unit=org["units"]["a"],
                                 sector=org["units"]["a"].sector, project=org["projects"]["a"], state="reported", grade="中")
    client = login(users["perf_section"])
    page = client.get(reverse("application:rules")).content.decode()
    assert "2022年度预算结果应用规则" in page and "占位值" in page
    data = {f"action_{g}": a for g, a in (("优", "priority"), ("良", "keep"), ("中", "rectify_cut"), ("差", "cut"),
                                          ("无效", "cancel"))}
    data |= {f"cut_{g}": c for g, c in (("优", "0"), ("良", "0"), ("中", "15"), ("差", "30"), ("无效", "100"))}
    data |= {"norect_extra": "10", "cancel_poor_overdue": "on", "idle_below": "30", "idle_years": "2",
             "authority": "key_evaluation,recheck,self_evaluation"}
    bad = client.post(reverse("application:rules"), data | {"cut_中": "150"})
    assert "150" in bad.content.decode() and ApplicationRuleSet.for_year(2022).as_rules().grades["中"].cut == Decimal(10)
    client.post(reverse("application:rules"), data)
    rules = ApplicationRuleSet.for_year(2022).as_rules()
    assert rules.grades["中"].cut == Decimal(15) and "中" not in rules.placeholders()
    assert login(users["budget_desk"]).post(reverse("application:rules"), data | {"cut_中": "5"}).status_code == 302
    assert ApplicationRuleSet.for_year(2022).as_rules().grades["中"].cut == Decimal(15)
    board = build_board(2022, users["perf_section"])
    line = Proposal.objects.get(board=board, code="P-901")
    assert (line.action, line.proposed_fen) == ("rectify_cut", 42_500_000)


def test_board_page_query_count_does_not_grow(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    from jixiao.organisation.models import Project

    client = login(users["perf_section"])
    build_board(2022, users["perf_section"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("application:board")).status_code == 200
    unit = org["units"]["b"]
    Project.objects.bulk_create(Project(year=2021, code=f"X-{i}", name=f"项目{i}", unit=unit, sector=unit.sector,
                                        initial_budget_fen=i, adjusted_budget_fen=i) for i in range(60))
    Board.objects.filter(year=2022).update(state="open")
    build_board(2022, users["perf_section"])
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("application:board")).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries) <= 20
