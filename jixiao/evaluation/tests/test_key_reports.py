from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from jixiao.evaluation.models import AgencyService, FrameworkIndicator, KeyEvaluation
from jixiao.evaluation.services import EvaluationError, engage, quota
from jixiao.evaluation.tests.conftest import fill
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db


def topic(org: Any, unit: str = "a", **extra: Any) -> KeyEvaluation:
    u = org["units"][unit]
    return KeyEvaluation.objects.create(year=2021, evaluated_year=2020, title=f"{u.name}项目重点评价", unit=u,
                                        sector=u.sector, project=org["projects"][unit], amount_fen=50_000_000, **extra)


def approved(ke: KeyEvaluation, users: Any) -> KeyEvaluation:
    perform_transition(ke, "shortlist", users["perf_section"])
    with pytest.raises(WorkflowError, match="必须填写意见"):
        perform_transition(ke, "npc_approve", users["perf_section"])
    with pytest.raises(WorkflowError, match="没有权限"):  # the 人大 reader reads; the performance section records
        perform_transition(ke, "npc_approve", users["npc_reader"], comment="云人大常发〔2021〕3号")
    perform_transition(ke, "npc_approve", users["perf_section"], comment="云人大常发〔2021〕3号")
    ke.refresh_from_db()
    return ke


def test_conflict_rule_refuses_an_agency_that_served_the_unit(org: Any, users: Any, agency: Any, expert: Any) -> None:
    ke = approved(topic(org), users)  # plan year 2021, evaluating 2020 spending
    assert ke.npc_approval_ref == "云人大常发〔2021〕3号" and ke.npc_approved_on is not None
    service = AgencyService.objects.create(agency=agency, unit=org["units"]["a"], year=2020, description="财务收支审计")
    # The window is the evaluated year and the 3 years before it (2017–2020), not the plan year's.
    for year in (2020, 2019, 2017):  # in the evaluated year, inside the window, at its edge
        AgencyService.objects.filter(pk=service.pk).update(year=year)
        with pytest.raises(EvaluationError, match=rf"回避规则.*{year}年为「东湖局」提供过“财务收支审计”服务，3年内不得承担"):
            engage(ke, agency, [expert], users["perf_section"])
    ke.refresh_from_db()
    assert ke.state == "approved" and ke.agency is None
    AgencyService.objects.filter(agency=agency).update(year=2016)  # outside the 3-year window
    engage(ke, agency, [expert], users["perf_section"])
    ke.refresh_from_db()
    assert ke.state == "engaged" and ke.indicators.count() == 17


def test_output_and_benefit_below_sixty_is_refused(org: Any, users: Any, agency: Any, login: Any) -> None:
    ke = approved(topic(org), users)
    engage(ke, agency, [], users["perf_section"])
    ke.refresh_from_db()
    rows = list(ke.indicators.all())
    data = {"lock_version": ke.lock_version, "scope_text": "2020年度资金", "method": "比较法", "schedule": "7-11月",
            "ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": str(len(rows)), "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "1000"}
    for n, r in enumerate(rows):
        weight = r.weight
        if r.name == "实施效益":
            weight = Decimal(10)  # 产出 35 + 效益 20 = 55
        if r.name == "立项依据充分性":
            weight = Decimal(13)  # keep the total at 100
        data |= {f"ind-{n}-id": r.pk, f"ind-{n}-level1": r.level1, f"ind-{n}-level2": r.level2, f"ind-{n}-name": r.name,
                 f"ind-{n}-weight": str(weight), f"ind-{n}-standard": r.standard}
    client = login(users["agency"])
    page = client.post(reverse("evaluation:keyeval_section", kwargs={"pk": ke.pk, "section": "plan"}), data, follow=True)
    assert "产出和效益指标权重合计应不低于60（财预〔2020〕10号），当前为55" in page.content.decode()
    assert FrameworkIndicator.objects.get(key_evaluation=ke, name="实施效益").weight == 20  # nothing saved
    ke.refresh_from_db()
    assert ke.scope_text == ""
    FrameworkIndicator.objects.filter(key_evaluation=ke, name="实施效益").update(weight=10)
    with pytest.raises(WorkflowError, match="产出和效益指标权重合计应不低于60"):
        perform_transition(ke, "submit_plan", users["agency"])


def run_to_final(ke: KeyEvaluation, users: Any, login: Any) -> None:
    perform_transition(ke, "submit_plan", users["agency"])
    perform_transition(ke, "approve_plan", users["perf_section"])
    ke.refresh_from_db()
    for user, delta in ((users["agency"], Decimal(0)), (users["expert"], Decimal(1))):
        data = {f"score_{i.pk}": str(max(Decimal(0), i.weight - 1 - delta)) for i in ke.indicators.all()}
        login(user).post(reverse("evaluation:keyeval_scores", kwargs={"pk": ke.pk}), data)
    with pytest.raises(WorkflowError, match="报告初稿"):
        perform_transition(ke, "submit_draft", users["agency"])
    KeyEvaluation.objects.filter(pk=ke.pk).update(draft_report="初稿：项目总体实施较好。")
    perform_transition(ke, "submit_draft", users["agency"])
    KeyEvaluation.objects.filter(pk=ke.pk).update(unit_feedback="无异议。")
    perform_transition(ke, "give_feedback", users["unit_approver"])
    KeyEvaluation.objects.filter(pk=ke.pk).update(final_conclusion="项目绩效良好。", final_problems="绩效目标不够细化。")
    perform_transition(ke, "finalise", users["agency"])
    ke.refresh_from_db()


def test_key_evaluation_from_topic_to_rectification_and_its_report(org: Any, users: Any, agency: Any, expert: Any, login: Any) -> None:
    ke = approved(topic(org), users)
    engage(ke, agency, [expert], users["perf_section"])
    ke.refresh_from_db()
    with pytest.raises(WorkflowError, match="受托第三方机构"):
        perform_transition(ke, "submit_plan", users["unit_approver"])
    run_to_final(ke, users, login)
    # 17 indicators, agency w−1 and expert w−2 (never below 0): mean w−1.5 → 100 − 25.5 = 74.50
    assert ke.state == "final_report" and ke.total == Decimal("74.50") and ke.grade == "中"
    perform_transition(ke, "report", users["perf_section"])
    client = login(users["perf_section"])
    client.post(reverse("evaluation:keyeval_section", kwargs={"pk": ke.pk, "section": "rectify"}),
                {"problem": "绩效目标不够细化", "requirement": "细化量化绩效指标", "owner_unit": org["units"]["a"].pk,
                 "deadline": "2022-06-30"})
    item = ke.rectifications.get()  # on the one rectification register
    assert item.source == "key_evaluation" and item.source_title == ke.title and item.year == ke.evaluated_year
    approver = login(users["unit_approver"])
    approver.post(reverse("rectification:feedback", kwargs={"pk": item.pk}),
                  {"feedback": "已修订指标", "lock_version": item.lock_version})
    approver.post(reverse("rectification:transition", kwargs={"pk": item.pk}),
                  {"transition": "answer", "lock_version": item.lock_version + 1})
    item.refresh_from_db()
    client.post(reverse("rectification:transition", kwargs={"pk": item.pk}),
                {"transition": "accept", "lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.state == "closed" and item.feedback == "已修订指标"
    page = client.get(reverse("evaluation:keyeval_detail", kwargs={"pk": ke.pk})).content.decode()
    shown = re.search(r'id="key-total">([\d.]+)', page).group(1)  # type: ignore[union-attr]
    doc = Document(io.BytesIO(client.get(reverse("evaluation:keyeval_docx", kwargs={"pk": ke.pk})).content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"评价得分 {shown} 分，评价等级「中」" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "产出" in cells and "29.00" in cells  # 产出 35 − 4 × 1.5 = 29.00
    assert len(doc.inline_shapes) == 1  # the chart


def test_agency_and_expert_see_only_their_engagements(org: Any, users: Any, agency: Any, expert: Any, login: Any) -> None:
    from jixiao.evaluation.models import Agency

    mine = approved(topic(org, "a"), users)
    engage(mine, agency, [expert], users["perf_section"])
    other = approved(topic(org, "b"), users)
    engage(other, Agency.objects.create(name="其他机构"), [], users["perf_section"])
    for role in ("agency", "expert"):
        client = login(users[role])
        html = client.get(reverse("evaluation:keyeval_list")).content.decode()
        assert "东湖局项目重点评价" in html and "西岭局项目重点评价" not in html, role
        assert client.get(reverse("evaluation:keyeval_detail", kwargs={"pk": other.pk})).status_code == 404


def test_quota_warning_until_four_projects_and_one_department(org: Any, users: Any, login: Any) -> None:
    assert len(quota(2021).warnings) == 2
    page = login(users["perf_section"]).get(reverse("evaluation:keyeval_list") + "?year=2021").content.decode()
    assert "少于方案要求的4个以上" in page
    for _ in range(4):
        approved(topic(org), users)
    dept = KeyEvaluation.objects.create(year=2021, evaluated_year=2020, title="东湖局部门整体支出", subject="department",
                                        unit=org["units"]["a"], sector=org["units"]["a"].sector)
    approved(dept, users)
    assert quota(2021).warnings == []


def test_units_own_key_evaluation_skips_the_peoples_congress(org: Any, users: Any) -> None:
    ke = topic(org, kind="unit")
    with pytest.raises(WorkflowError, match="不需报区人大"):
        perform_transition(ke, "shortlist", users["perf_section"])
    perform_transition(ke, "start_own", users["unit_approver"])
    engage(ke, None, [], users["unit_approver"])
    ke.refresh_from_db()
    assert ke.state == "engaged" and ke.agency is None
    perform_transition(ke, "submit_plan", users["unit_approver"])


def test_self_evaluation_report_and_summary_hold_the_scores_on_screen(selfevals: Any, users: Any, login: Any) -> None:
    se = fill(selfevals["a_sub"])
    type(se).objects.filter(pk=se.pk).update(state="received")  # the summary scores accepted tables only
    client = login(users["perf_section"])
    page = client.get(reverse("evaluation:selfeval_detail", kwargs={"pk": se.pk})).content.decode()
    shown = re.search(r'data-total="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    doc = Document(io.BytesIO(client.get(reverse("evaluation:selfeval_docx", kwargs={"pk": se.pk})).content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"系统计算总分 {shown} 分，等级「优」" in text and shown == "91.88"
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    assert ["产出指标", "质量指标", "路面优良率", "≥85%", "80%", "15.00", "14.12", "14.12"] in rows
    assert len(doc.inline_shapes) == 1
    summary = client.get(reverse("evaluation:summary") + "?year=2021").content.decode()
    report = Document(io.BytesIO(client.get(reverse("evaluation:summary_docx") + "?year=2021").content))
    summary_text = "\n".join(p.text for p in report.paragraphs)
    assert "共开展绩效自评 3 项" in summary_text
    averages = re.search(r"平均得分 ([\d.]+) 分", summary_text)
    assert averages and averages.group(1) in summary
    assert login(users["unit_filler"]).get(reverse("evaluation:summary")).status_code == 403


def test_npc_approval_date_and_number_entered_by_the_performance_section(org: Any, users: Any, login: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    ke = topic(org)
    perform_transition(ke, "shortlist", users["perf_section"])
    ke.refresh_from_db()
    client = login(users["perf_section"])
    url = reverse("evaluation:keyeval_transition", kwargs={"pk": ke.pk})
    page = client.get(ke.get_absolute_url()).content.decode()
    assert "区人大审定日期" in page and f'value="{timezone.localdate():%Y-%m-%d}"' in page  # defaults to today
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"transition": "npc_approve", "lock_version": ke.lock_version,
                                 "comment": "云人大常发〔2021〕3号", "on": f"{tomorrow:%Y-%m-%d}"}, follow=True)
    assert "区人大审定日期不能晚于今天" in response.content.decode()
    ke.refresh_from_db()
    assert ke.state == "shortlisted" and ke.npc_approved_on is None  # nothing written
    # Without a 文号 the transition is refused and the date is not kept either.
    client.post(url, {"transition": "npc_approve", "lock_version": ke.lock_version, "on": "2021-04-20"})
    ke.refresh_from_db()
    assert ke.state == "shortlisted" and ke.npc_approved_on is None
    response = client.post(url, {"transition": "npc_approve", "lock_version": ke.lock_version,
                                 "comment": "云人大常发〔2021〕3号", "on": "2021-05-08"}, follow=True)
    ke.refresh_from_db()
    assert ke.state == "approved" and ke.npc_approval_ref == "云人大常发〔2021〕3号"
    assert str(ke.npc_approved_on) == "2021-05-08"  # the day the 人大 approved, not the day it was typed in
    assert "晚于4月30日" in response.content.decode()  # the plan year's calendar: 2021-04-30
    KeyEvaluation.objects.filter(pk=ke.pk).update(npc_approved_on="2021-04-28")
    assert "晚于4月30日" not in client.get(ke.get_absolute_url()).content.decode()


def test_conflict_rule_refuses_an_expert_who_served_the_unit(org: Any, users: Any, agency: Any, expert: Any,
                                                             login: Any) -> None:
    ke = approved(topic(org), users)  # evaluating 2020 spending
    perf = login(users["perf_section"])
    response = perf.post(reverse("evaluation:expert_service_add", kwargs={"pk": expert.pk}),
                         {"unit": org["units"]["a"].pk, "year": 2018, "description": "预算评审专家"})
    assert response.status_code == 302 and expert.services.count() == 1  # recorded on the expert's page
    assert "预算评审专家" in perf.get(reverse("evaluation:expert_edit", kwargs={"pk": expert.pk})).content.decode()
    for year in (2020, 2018, 2017):  # in the evaluated year, inside the window, at its edge
        expert.services.update(year=year)
        with pytest.raises(EvaluationError, match=rf"回避规则：专家「{expert.name}」于{year}年为「东湖局」"):
            engage(ke, agency, [expert], users["perf_section"])
    expert.services.update(year=2016)  # outside the window
    engage(ke, agency, [expert], users["perf_section"])
    ke.refresh_from_db()
    assert ke.state == "engaged" and list(ke.experts.all()) == [expert]
