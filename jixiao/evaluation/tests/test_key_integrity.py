"""Who may act on a key evaluation: only the engaged agency's staff and experts score; the evaluated
unit sees scores once the report is issued; one 确认委托, which needs an agency of the registry."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from jixiao.evaluation.models import Agency, IndicatorScore, KeyEvaluation
from jixiao.evaluation.services import EvaluationError, engage, key_score
from jixiao.evaluation.tests.test_key_reports import approved, topic
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db


def in_fieldwork(org: Any, users: Any, agency: Any, expert: Any) -> KeyEvaluation:
    ke = approved(topic(org), users)
    engage(ke, agency, [expert], users["perf_section"])
    perform_transition(ke, "submit_plan", users["agency"])
    perform_transition(ke, "approve_plan", users["perf_section"])
    ke.refresh_from_db()
    return ke


def score_all(login: Any, user: Any, ke: KeyEvaluation, below: Decimal) -> Any:
    data = {f"score_{i.pk}": str(max(Decimal(0), i.weight - below)) for i in ke.indicators.all()}
    return login(user).post(reverse("evaluation:keyeval_scores", kwargs={"pk": ke.pk}), data)


def test_only_the_engaged_agency_and_experts_score(org: Any, users: Any, agency: Any, expert: Any, login: Any) -> None:
    ke = in_fieldwork(org, users, agency, expert)
    approver = login(users["unit_approver"])
    page = approver.get(ke.get_absolute_url()).content.decode()
    assert "保存我的评分" not in page and "score_" not in page
    assert score_all(login, users["unit_approver"], ke, Decimal(0)).status_code == 403  # full marks refused
    assert not IndicatorScore.objects.filter(scorer=users["unit_approver"]).exists()
    assert "保存我的评分" in login(users["agency"]).get(ke.get_absolute_url()).content.decode()
    assert score_all(login, users["agency"], ke, Decimal(1)).status_code == 302
    assert score_all(login, users["expert"], ke, Decimal(2)).status_code == 302
    # another agency's staff member, not engaged here, is refused too
    other = Agency.objects.create(name="其他评价机构")
    outsider = users["agency"].__class__.objects.create(username="jg_other", real_name="王五", role="agency")
    other.members.add(outsider)
    assert score_all(login, outsider, ke, Decimal(0)).status_code == 404
    total = key_score(ke).total
    # a score written by someone who may not score never counts
    for i in ke.indicators.all():
        IndicatorScore.objects.create(indicator=i, scorer=users["unit_approver"], score=i.weight)
    assert key_score(ke).total == total == Decimal("74.50")


def test_the_evaluated_unit_sees_scores_after_the_report_is_issued(org: Any, users: Any, agency: Any, expert: Any,
                                                                   login: Any) -> None:
    ke = in_fieldwork(org, users, agency, expert)
    score_all(login, users["agency"], ke, Decimal(1))
    score_all(login, users["expert"], ke, Decimal(2))
    approver = login(users["unit_approver"])
    page = approver.get(ke.get_absolute_url()).content.decode()
    assert "74.50" not in page and "报告报送后公布" in page
    report = Document(io.BytesIO(approver.get(reverse("evaluation:keyeval_docx", kwargs={"pk": ke.pk})).content))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "74.50" not in text and "评价得分和等级在报告报送后公布" in text
    assert "74.50" in login(users["perf_section"]).get(ke.get_absolute_url()).content.decode()
    KeyEvaluation.objects.filter(pk=ke.pk).update(draft_report="初稿", unit_feedback="无异议", final_conclusion="良好")
    perform_transition(ke, "submit_draft", users["agency"])
    assert "74.50" not in approver.get(ke.get_absolute_url()).content.decode()  # a draft is not issued
    perform_transition(ke, "give_feedback", users["unit_approver"])
    perform_transition(ke, "finalise", users["agency"])
    perform_transition(ke, "report", users["perf_section"])
    assert "74.50" in approver.get(ke.get_absolute_url()).content.decode()


def test_one_engage_path_with_an_agency_of_the_registry(org: Any, users: Any, agency: Any, expert: Any,
                                                        login: Any) -> None:
    ke = approved(topic(org), users)
    perf = login(users["perf_section"])
    page = perf.get(ke.get_absolute_url()).content.decode()
    assert page.count("确认委托") == 1  # the engagement form's button, not a bare workflow button
    # the bare transition is refused, whoever posts it
    perf.post(reverse("evaluation:keyeval_transition", kwargs={"pk": ke.pk}),
              {"transition": "engage", "lock_version": ke.lock_version})
    ke.refresh_from_db()
    assert ke.state == "approved"
    with pytest.raises(WorkflowError, match="须在页面上的表单中办理"):
        perform_transition(ke, "engage", users["perf_section"])
    # the engine refuses 已委托 without an agency, even when asked through the form's path
    with pytest.raises(WorkflowError, match=r"已委托.*须从第三方机构库选定受托机构"):
        perform_transition(ke, "engage", users["perf_section"], via_form=True)
    with pytest.raises(EvaluationError, match="请从第三方机构库选择机构"):
        engage(ke, None, [], users["perf_section"])
    retired = Agency.objects.create(name="已出库机构", is_active=False)
    with pytest.raises(EvaluationError, match="不在第三方机构库中"):
        engage(ke, retired, [], users["perf_section"])
    response = perf.post(reverse("evaluation:keyeval_section", kwargs={"pk": ke.pk, "section": "engage"}),
                         {"agency": "", "lock_version": ke.lock_version}, follow=True)
    ke.refresh_from_db()
    assert ke.state == "approved" and ke.agency is None and "第三方机构" in response.content.decode()
    perf.post(reverse("evaluation:keyeval_section", kwargs={"pk": ke.pk, "section": "engage"}),
              {"agency": agency.pk, "experts": [expert.pk], "lock_version": ke.lock_version})
    ke.refresh_from_db()
    assert ke.state == "engaged" and ke.agency == agency
    # the engaged agency now has its button
    assert "提交评价方案" in login(users["agency"]).get(ke.get_absolute_url()).content.decode()


def test_project_picker_tells_namesakes_apart_and_lists_the_evaluated_year(org: Any, users: Any, login: Any) -> None:
    from jixiao.organisation.models import Project

    same = org["projects"]["b"]
    Project.objects.create(year=2019, code=same.code, name=same.name, unit=same.unit, sector=same.sector,
                           initial_budget_fen=1, adjusted_budget_fen=1)
    page = login(users["perf_section"]).get(reverse("evaluation:candidates") + "?year=2021").content.decode()
    assert "data-filterable" in page  # the search box over the picker
    response = login(users["perf_section"]).post(reverse("evaluation:candidates"), {
        "title": "复评", "subject": "project", "unit": same.unit_id, "project": same.pk, "evaluated_year": "2021",
        "sector": same.sector_id, "reason": "测试"})
    assert response.status_code == 302  # the 2021 project is offered for evaluated year 2021
    form_page = login(users["perf_section"]).post(reverse("evaluation:candidates"), {
        "title": "", "subject": "project", "unit": same.unit_id, "evaluated_year": "2019"}).content.decode()
    assert f"2019年 {same.code} {same.name}（西岭局）" in form_page  # namesakes labelled by year and unit
    assert f"2021年 {same.code}" not in form_page  # only the evaluated year's projects
