from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from jixiao.evaluation.models import EvaluationYear, Recheck
from jixiao.evaluation.services import EvaluationError, draw_sample
from jixiao.evaluation.tests.conftest import fill
from jixiao.workflow.engine import perform_transition

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def approver_of(se: Any, users: Any) -> Any:
    from conftest import make_user

    if se.unit.root_id == users["unit_approver"].unit_id:
        return users["unit_approver"]
    from jixiao.accounts.models import User

    return User.objects.filter(unit=se.unit.root).first() or make_user("unit_approver", "approver_b", unit=se.unit.root)


def received(se: Any, users: Any) -> Any:
    fill(se)
    approver = approver_of(se, users)
    perform_transition(se, "submit", approver)
    perform_transition(se, "dept_approve", approver)
    perform_transition(se, "receive", users["perf_section"])
    return se


def test_sample_by_rule_then_a_recorded_seeded_draw(selfevals: Any, users: Any, agency: Any) -> None:
    for se in selfevals.values():
        received(se, users)
    settings = EvaluationYear.for_year(2021)
    settings.sample_rule = {"always_sectors": ["卫生健康"], "random_share": 0.5, "random_minimum": 1}
    settings.save()
    rnd = draw_sample(2021, agency, users["perf_section"], seed=7)
    picked = {r.selfeval.unit.name: r.reason for r in rnd.rechecks.select_related("selfeval__unit")}
    assert picked["西岭局"] == "规则必抽" and len(picked) == 2 and rnd.seed == 7 and rnd.candidate_count == 3
    assert sorted(picked.values()) == ["规则必抽", "随机抽取"]
    with pytest.raises(EvaluationError):  # the two not re-checked yet stay in the pool, the drawn ones do not
        settings.sample_rule = {"random_share": 2}
        settings.save()
        draw_sample(2021, agency, users["perf_section"], seed=7)


def complete(client: Any, recheck: Recheck, actual: dict[str, str], scores: dict[str, str], **extra: str) -> str:
    data = {"executed_fen": "46", "documentation_complete": "on", "findings": "抽查佐证材料", "complete": "1", **extra}
    for row in recheck.rows.select_related("indicator"):
        data[f"actual_{row.pk}"] = actual.get(row.indicator.name, row.actual)
        score = scores.get(row.indicator.name, row.score)
        data[f"score_{row.pk}"] = "" if score is None else str(score)
    page = client.post(reverse("evaluation:recheck_save", kwargs={"pk": recheck.pk}), data, follow=True)
    return page.content.decode()


def test_recheck_difference_quality_grade_and_replacement(selfevals: Any, users: Any, agency: Any, login: Any) -> None:
    se = received(selfevals["a_sub"], users)
    EvaluationYear.for_year(2021).__class__.objects.filter(year=2021).update(sample_rule={"random_share": 1})
    rnd = draw_sample(2021, agency, users["perf_section"], seed=1)
    recheck = rnd.rechecks.get(selfeval=se)
    client = login(users["agency"])
    # Verified: the mileage was 90 km, not 126 (15 × 90/120 = 11.25); the rest as claimed.
    html = complete(client, recheck, {"养护里程": "90公里"}, {})
    recheck.refresh_from_db()
    assert recheck.recheck_score == Decimal("88.13") and recheck.delta == Decimal("3.75")
    assert recheck.quality == "中" and recheck.recheck_grade == "良" and not recheck.replaces_self_score  # grade moved 优→良
    assert "自评质量等级「中」" in html
    se.refresh_from_db()
    assert se.effective_score == Decimal("91.88")


def test_recheck_score_takes_the_self_scores_place_beyond_ten(selfevals: Any, users: Any, agency: Any, login: Any) -> None:
    se = received(selfevals["a_sub"], users)
    EvaluationYear.objects.filter(year=2021).update(sample_rule={"random_share": 1})
    EvaluationYear.for_year(2021)
    recheck = draw_sample(2021, agency, users["perf_section"], seed=1).rechecks.get(selfeval=se)
    complete(login(users["agency"]), recheck, {"养护里程": "60公里", "路面优良率": "60%"}, {"群众出行条件改善": "16"})
    recheck.refresh_from_db()
    # 15×60/120 = 7.50; 15×60/85 = 10.59; qualitative 16: 9.2+7.5+10.59+9+10+16+7+9.56 = 78.85
    assert recheck.recheck_score == Decimal("78.85") and recheck.delta == Decimal("13.03")
    assert recheck.quality == "中" and recheck.replaces_self_score
    se.refresh_from_db()
    assert se.effective_score == Decimal("78.85")
    page = login(users["perf_section"]).get(reverse("evaluation:selfeval_detail", kwargs={"pk": se.pk})).content.decode()
    assert "78.85" in page and "13.03" in page


def test_agency_sees_only_its_sample(selfevals: Any, users: Any, agency: Any, login: Any) -> None:
    from jixiao.evaluation.models import Agency

    for se in selfevals.values():
        received(se, users)
    EvaluationYear.for_year(2021)
    EvaluationYear.objects.filter(year=2021).update(sample_rule={"always_sectors": ["卫生健康"], "random_share": 0})
    other = Agency.objects.create(name="其他机构")
    draw_sample(2021, other, users["perf_section"], seed=3)
    EvaluationYear.objects.filter(year=2021).update(sample_rule={"always_sectors": ["教育"], "random_share": 0})
    draw_sample(2021, agency, users["perf_section"], seed=3)
    client = login(users["agency"])
    html = client.get(reverse("evaluation:recheck_list")).content.decode()
    assert "南山所项目" in html and "西岭局项目" not in html
    assert client.get(reverse("evaluation:selfeval_detail", kwargs={"pk": selfevals["b"].pk})).status_code == 404
    assert client.get(reverse("evaluation:selfeval_detail", kwargs={"pk": selfevals["a"].pk})).status_code == 200


def test_overdue_and_unpublished_lists_follow_the_calendar(selfevals: Any, users: Any, login: Any, settings: Any) -> None:
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    settings.JIXIAO_WORKING_YEAR = 0  # the working year follows the travelled date (plan year 2022)

    submitted = received(selfevals["a_sub"], users)
    url = reverse("evaluation:overdue") + "?year=2021"
    with time_machine.travel(datetime(2022, 6, 10, 9, tzinfo=TZ)):
        client = login(users["perf_section"])  # a fresh session at the travelled time (idle timeout)
        html = client.get(url).content.decode()
        assert "报送期尚未截止" in html and "公开期尚未截止" in html
        due = login(users["unit_filler"]).get("/").content.decode()
        assert "东湖局项目" not in due and "2022-06-15" in due  # the filler's own due table: a_sub only
    with time_machine.travel(datetime(2022, 6, 16, 9, tzinfo=TZ)):
        client = login(users["perf_section"])
        html = client.get(url).content.decode()
        assert "逾期未报送（2）" in html and "东湖局项目" in html and "西岭局项目" in html
    ensure_year(2022)
    CalendarEntry.objects.filter(year=2022, code="selfeval_submit").update(due_on="2022-06-30")
    with time_machine.travel(datetime(2022, 6, 16, 9, tzinfo=TZ)):
        client = login(users["perf_section"])
        assert "报送期尚未截止" in client.get(url).content.decode()  # the edited calendar date counts
    with time_machine.travel(datetime(2022, 7, 16, 9, tzinfo=TZ)):
        client = login(users["perf_section"])
        html = client.get(url).content.decode()
        assert "逾期未公开（3）" in html
        perform_transition(submitted, "publish", users["unit_approver"])
        assert "逾期未公开（2）" in client.get(url).content.decode()
    assert login(users["unit_filler"]).get(url).status_code == 403


def test_a_recheck_saved_from_a_stale_page_and_a_repeated_completion_are_refused(
        selfevals: Any, users: Any, agency: Any, login: Any) -> None:
    """Issue 17 item 8: re-check saves and completion go through the row lock and version check."""
    se = received(selfevals["a_sub"], users)
    EvaluationYear.for_year(2021).__class__.objects.filter(year=2021).update(sample_rule={"random_share": 1})
    recheck = draw_sample(2021, agency, users["perf_section"], seed=1).rechecks.get(selfeval=se)
    client = login(users["agency"])
    page_version = str(recheck.lock_version)
    first = {"executed_fen": "46", "documentation_complete": "on", "findings": "第一位复核人的意见",
             "lock_version": page_version}
    assert client.post(reverse("evaluation:recheck_save", kwargs={"pk": recheck.pk}), first).status_code == 302
    # A second re-checker saves from the page both opened: refused, the first one's findings kept.
    stale = {**first, "findings": "第二位复核人的意见"}
    html = client.post(reverse("evaluation:recheck_save", kwargs={"pk": recheck.pk}), stale, follow=True).content.decode()
    assert "该表单已被他人修改并保存" in html
    recheck.refresh_from_db()
    assert recheck.findings == "第一位复核人的意见"
    # Completion sent twice from the same page: completed once, one completion in the history.
    current = str(recheck.lock_version)
    html = complete(client, recheck, {}, {}, lock_version=current)
    assert "复核完成" in html
    again = complete(client, recheck, {}, {}, lock_version=current)
    assert "复核完成：" not in again
    assert recheck.history.filter(history_change_reason__startswith="复核完成").count() == 1
