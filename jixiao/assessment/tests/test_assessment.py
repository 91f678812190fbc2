"""The assessment end to end: facts → computed items with their drill-down → self-assessment →
review with reasons → ranking and 公示 → dispute → 定稿 → the workbook for the 区绩效办."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jixiao.assessment import services
from jixiao.assessment.models import AssessmentScheme, ScopeChange, UnitAssessment
from jixiao.organisation.models import BudgetUnit, UnitYearSetting

YEAR = 2021


@pytest.fixture
def scheme(org: dict[str, Any]) -> AssessmentScheme:
    for key in ("a", "b"):
        UnitYearSetting.objects.create(unit=org["units"][key], year=YEAR, in_assessment_scope=True)
    return services.ensure_scheme(YEAR)


def late_target(org: dict[str, Any], users: dict[str, Any]) -> Any:
    """Unit a's project target first submitted 2 working days after the calendar's 4/15."""
    from django.contrib.contenttypes.models import ContentType

    from jixiao.targets.models import TargetDeclaration
    from jixiao.workflow.models import ReviewLog

    p = org["projects"]["a"]
    d = TargetDeclaration.objects.create(kind="project", year=YEAR, unit=p.unit, sector=p.sector, project=p,
                                         state="approved", review_grade="优")
    ReviewLog.objects.create(content_type=ContentType.objects.get_for_model(d), object_id=d.pk, transition="submit",
                             transition_label="提交", from_state="draft", to_state="submitted", from_label="填报中",
                             to_label="已提交", actor=users["unit_approver"], actor_role="unit_approver",
                             at=timezone.make_aware(datetime(2021, 4, 19, 10)))
    return d


@pytest.mark.django_db
def test_computed_scores_open_to_their_facts(org: dict[str, Any], users: dict[str, Any], login: Any,
                                             scheme: AssessmentScheme) -> None:
    late_target(org, users)
    services.open_assessments(scheme, users["perf_section"], as_of=date(2021, 12, 1))
    ua = UnitAssessment.objects.get(unit=org["units"]["a"])
    on_time = ua.scores.get(code="2.3")
    # a's project: 4/16 Fri and 4/19 Mon, two working days late; the others never submitted
    assert any(f["text"].startswith("东湖局项目项目绩效目标：") and "晚2个工作日" in f["text"] for f in on_time.facts)
    assert sum("仍未报送" in f["text"] for f in on_time.facts) == 2
    assert on_time.computed == Decimal(0)
    coverage = ua.scores.get(code="2.1")
    # 部门整体 (none) + the two projects of a's tree (a's declared, a_sub's not): 1 of 3
    assert coverage.computed == Decimal("2.67")
    assert sum(not f["ok"] for f in coverage.facts) == 2
    page = login(users["unit_approver"]).get(reverse("assessment:item_facts", kwargs={"pk": ua.pk, "code": "2.3"}))
    assert page.status_code == 200 and "晚2个工作日" in page.content.decode()
    detail = login(users["unit_approver"]).get(reverse("assessment:detail", kwargs={"pk": ua.pk}))
    assert reverse("assessment:item_facts", kwargs={"pk": ua.pk, "code": "2.3"}) in detail.content.decode()


@pytest.mark.django_db
def test_workflow_to_the_exported_sheet(org: dict[str, Any], users: dict[str, Any], login: Any,
                                        scheme: AssessmentScheme) -> None:
    from openpyxl import load_workbook

    from jixiao.workflow.engine import perform_transition

    services.open_assessments(scheme, users["perf_section"], as_of=date(2021, 12, 1))
    ua = UnitAssessment.objects.get(unit=org["units"]["a"])
    unit = login(users["unit_approver"])
    judged = [s.code for s in ua.scores.all() if not s.measure]
    bad = unit.post(reverse("assessment:self_score", kwargs={"pk": ua.pk}), {"score_1": "abc", "note_1": "已明确专人"})
    assert "不是数字" in bad.content.decode() and "已明确专人" in bad.content.decode()  # typed text kept
    unit.post(reverse("assessment:self_score", kwargs={"pk": ua.pk}), {"score_1": "9", "score_3.3": "6", "score_5.1": "5"})
    assert ua.scores.get(code="1").self_score == Decimal(9)
    perform_transition(ua, "submit", users["unit_approver"])
    perf = login(users["perf_section"])
    refused = perf.post(reverse("assessment:review", kwargs={"pk": ua.pk}), {"score_1": "7"})
    assert "须写明理由" in refused.content.decode()
    perf.post(reverse("assessment:review", kwargs={"pk": ua.pk}),
              {"score_1": "7", "reason_1": "未参加年度培训", "score_3.3": "6", "score_5.1": "5", "score_B": "0"})
    assert ua.scores.get(code="1").changes.get().reason == "未参加年度培训"
    assert set(judged) >= {"1", "3.3", "5.1"}
    for other in UnitAssessment.objects.filter(year=YEAR):
        other.refresh_from_db()
        if other.state == "self_assessment":
            UnitAssessment.objects.filter(pk=other.pk).update(state="review")
        for s in other.scores.filter(measure="").exclude(code__startswith="D"):
            if s.score is None:
                s.score = Decimal(0) if s.code == "B" else s.points
                s.save()
        perform_transition(UnitAssessment.objects.get(pk=other.pk), "confirm", users["perf_section"])
    perf.post(reverse("assessment:round_action"), {"year": YEAR, "action": "publicise"})
    ua.refresh_from_db()
    assert ua.state == "publicised" and ua.rank and ua.grade
    perform_transition(ua, "dispute", users["unit_approver"], comment="2.3项已按时报送")
    perf.post(reverse("assessment:round_action"), {"year": YEAR, "action": "finalise"})
    assert UnitAssessment.objects.get(pk=ua.pk).state == "disputed"  # refused while a dispute is open
    perform_transition(UnitAssessment.objects.get(pk=ua.pk), "resolve", users["perf_section"], comment="经核实维持原分")
    AssessmentScheme.objects.filter(pk=scheme.pk).update(dispute_until=timezone.localdate() - timedelta(days=1))
    perf.post(reverse("assessment:round_action"), {"year": YEAR, "action": "finalise"})
    assert set(UnitAssessment.objects.filter(year=YEAR).values_list("state", flat=True)) == {"final"}
    response = perf.get(reverse("assessment:export") + f"?year={YEAR}")
    ws = load_workbook(io.BytesIO(response.content))["考核结果"]
    header = [c.value for c in ws[3]]
    assert "2.3 绩效目标：按时申报（每晚一个工作日扣1分）（4分）" in header and header[-4] == "总分"
    names = {ws.cell(row=r, column=3).value for r in range(4, ws.max_row + 1)}
    assert names == {org["units"]["a"].name, org["units"]["b"].name}
    notice = perf.get(reverse("assessment:notice") + f"?year={YEAR}")
    assert notice.status_code == 200 and notice.content[:2] == b"PK"
    # external readers see final sheets
    assert login(users["audit_reader"]).get(reverse("assessment:detail", kwargs={"pk": ua.pk})).status_code == 200


@pytest.mark.django_db
def test_scope_as_of_the_date_with_a_merged_unit(org: dict[str, Any], users: dict[str, Any],
                                                 scheme: AssessmentScheme) -> None:
    b = org["units"]["b"]
    ScopeChange.objects.create(year=YEAR, unit=b, kind="merged", on=date(2021, 8, 1), into=org["units"]["a"])
    new = BudgetUnit.objects.create(code="999", name="新设局", sector=b.sector)
    ScopeChange.objects.create(year=YEAR, unit=new, kind="joined", on=date(2021, 6, 1))
    services.open_assessments(scheme, users["perf_section"], as_of=date(2021, 12, 1))
    assessed = dict(UnitAssessment.objects.filter(year=YEAR).values_list("unit__name", "scope_note"))
    assert set(assessed) == {org["units"]["a"].name, "新设局"}
    assert b.name in assessed[org["units"]["a"].name]
    joined = UnitAssessment.objects.get(unit=new)
    assert joined.joined_on == date(2021, 6, 1)
    assert joined.scores.get(code="2.3").computed == Decimal(4)  # targets were due before it joined


@pytest.mark.django_db
def test_scheme_form_rerenders_and_names_the_row(users: dict[str, Any], login: Any, scheme: AssessmentScheme) -> None:
    page = login(users["perf_section"]).get(reverse("assessment:scheme") + f"?year={YEAR}")
    assert "系统示例" in page.content.decode()
    items = list(scheme.items.all())
    data: dict[str, Any] = {"year": YEAR, "lock_version": scheme.lock_version, "title": "我区考核办法",
                            "basis": "", "excellent": "90", "good": "80", "passing": "60", "bonus_max": "5",
                            "praise_top": "3", "interview_bottom": "2", "scope_date": "2021-12-01",
                            "dispute_days": "5", "holidays": "2021-10-01\n国庆", "workdays": "",
                            "item-TOTAL_FORMS": str(len(items)), "item-INITIAL_FORMS": str(len(items)),
                            "item-MIN_NUM_FORMS": "0", "item-MAX_NUM_FORMS": "1000"}
    for n, i in enumerate(items):
        data |= {f"item-{n}-id": i.pk, f"item-{n}-code": i.code, f"item-{n}-name": i.name,
                 f"item-{n}-points": str(i.points), f"item-{n}-kind": i.kind, f"item-{n}-measure": i.measure,
                 f"item-{n}-per_unit": str(i.per_unit), f"item-{n}-limit": str(i.limit)}
    response = login(users["perf_section"]).post(reverse("assessment:scheme"), data)
    html = response.content.decode()
    assert "第2行「国庆」不是日期" in html and "我区考核办法" in html
    data["holidays"] = "2021-10-01"
    data["item-1-points"] = "10"
    html = login(users["perf_section"]).post(reverse("assessment:scheme"), data).content.decode()
    assert "合计须为100分，现为102分" in html
    data["item-1-points"] = "8"
    login(users["perf_section"]).post(reverse("assessment:scheme"), data)
    scheme.refresh_from_db()
    assert scheme.title == "我区考核办法" and date(2021, 10, 1) in scheme.calendar.holidays


@pytest.mark.django_db
def test_overview_queries_do_not_grow(org: dict[str, Any], users: dict[str, Any], login: Any,
                                      scheme: AssessmentScheme, django_assert_max_num_queries: Any) -> None:
    services.open_assessments(scheme, users["perf_section"], as_of=date(2021, 12, 1))
    client = login(users["perf_section"])
    with django_assert_max_num_queries(30):
        assert client.get(reverse("assessment:overview") + f"?year={YEAR}").status_code == 200


@pytest.mark.django_db
def test_home_page_links_the_assessment(users: dict[str, Any], login: Any) -> None:
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    ensure_year(YEAR)
    entry = CalendarEntry.objects.get(year=YEAR, code="assessment")
    assert entry.url == reverse("assessment:overview") + f"?year={YEAR}"
