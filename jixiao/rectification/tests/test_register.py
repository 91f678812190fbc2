"""The rectification register: every source's findings on one list, one workflow to closure, the
calendar's deadline, evidence, the overdue list on home pages and in reminders, old URLs redirecting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jixiao.deadlines.models import CalendarEntry
from jixiao.evaluation.tests.test_key_reports import approved, topic
from jixiao.monitoring.models import MonitoringForm
from jixiao.rectification.models import Rectification
from jixiao.rectification.services import (
    RectificationError,
    from_key_evaluation,
    from_monitoring,
    save_feedback,
)
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def a_sub_form(monitoring_round: Any, org: dict[str, Any]) -> MonitoringForm:
    return MonitoringForm.objects.get(round=monitoring_round, project=org["projects"]["a_sub"])


def test_corrective_action_tracked_to_closure(monitoring_round: Any, users: dict[str, Any], org: Any, login: Any) -> None:
    form = a_sub_form(monitoring_round, org)
    with pytest.raises(RectificationError, match="请填写存在问题"):
        from_monitoring(form, users["perf_section"], "urge", "", "", None)
    with pytest.raises(RectificationError, match="无权"):
        from_monitoring(form, users["unit_approver"], "urge", "加快执行", "王会计", None)
    action = from_monitoring(form, users["budget_desk"], "urge", "执行进度偏慢，请加快支付", "王会计", None)
    # the deadline comes from the calendar (监控发现问题整改: 12月31日 of the plan year)
    assert action.deadline == CalendarEntry.objects.get(year=timezone.localdate().year, code="rectify_monitoring").due_on
    assert action.source == "monitoring" and action.year == 2021 and action.project == org["projects"]["a_sub"]
    assert users["unit_filler"].notifications.filter(title__contains="督促整改").exists()
    with pytest.raises(WorkflowError, match="请先填写整改反馈"):
        perform_transition(action, "answer", users["unit_filler"])
    filler = login(users["unit_filler"])
    pdf = SimpleUploadedFile("支付凭证.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    filler.post(reverse("rectification:evidence_upload", kwargs={"pk": action.pk}), {"file": pdf, "description": "第三批"})
    save_feedback(action, users["unit_filler"], action.lock_version, "已完成第三批资金支付")
    action.refresh_from_db()
    perform_transition(action, "answer", users["unit_filler"])
    with pytest.raises(WorkflowError, match="必须填写"):
        perform_transition(action, "return", users["perf_section"])
    perform_transition(action, "return", users["perf_section"], comment="请补充支付凭证")
    action.refresh_from_db()
    assert action.state == "returned" and action.verification == "请补充支付凭证"
    perform_transition(action, "answer", users["unit_filler"])
    perform_transition(action, "accept", users["budget_desk"], comment="凭证齐全")
    action.refresh_from_db()
    assert action.state == "closed" and action.closed_at and action.answered_at
    page = login(users["unit_approver"]).get(action.get_absolute_url()).content.decode()
    assert "已销号" in page and "支付凭证.pdf" in page and "凭证齐全" in page
    evidence = action.evidence.get()
    download = login(users["unit_approver"]).get(reverse("rectification:evidence_download",
                                                         kwargs={"pk": action.pk, "evidence": evidence.pk}))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 evidence"  # type: ignore[attr-defined]
    assert login(users["budget_desk"]).get(reverse("rectification:evidence_download", kwargs={
        "pk": action.pk, "evidence": evidence.pk})).status_code == 200
    other = login(users["unit_filler"]).get(reverse("rectification:unit", kwargs={"pk": org["units"]["b"].pk}))
    assert other.status_code == 404


def test_escalate_and_cancel(monitoring_round: Any, users: dict[str, Any], org: Any) -> None:
    item = from_monitoring(a_sub_form(monitoring_round, org), users["perf_section"], "withhold", "红灯且无整改计划",
                           "王会计", date(2021, 12, 10))
    with pytest.raises(WorkflowError, match="没有权限"):
        perform_transition(item, "escalate", users["budget_desk"], comment="逾期")
    perform_transition(item, "escalate", users["perf_section"], comment="逾期未整改，报区政府督办")
    item.refresh_from_db()
    assert item.state == "escalated" and item.escalated_at and item.is_overdue  # still the unit's to answer
    perform_transition(item, "cancel", users["perf_section"], comment="项目已终止")
    item.refresh_from_db()
    assert item.state == "cancelled" and not item.is_overdue


def test_retarget_closes_only_with_approved_target_or_override(monitoring_round: Any, users: dict[str, Any], org: Any,
                                                                  login: Any) -> None:
    form = a_sub_form(monitoring_round, org)
    with pytest.raises(RectificationError, match="调减（收回）金额"):
        from_monitoring(form, users["perf_section"], "retarget", "政策变化", "王会计", None)
    item = from_monitoring(form, users["perf_section"], "retarget", "受政策调整影响，调减预算并调整培训人次", "王会计", None,
                           reduce_fen=10_000_000)
    response = login(users["unit_filler"]).post(reverse("rectification:retarget", kwargs={"pk": item.pk}),
                                                {"reason": "政策调整，培训人次调减为800"})
    item.refresh_from_db()
    new = item.target_adjustment
    assert new is not None and new.version == form.target.version + 1 and new.supersedes_id == form.target_id
    assert response["Location"] == reverse("targets:declaration_edit", kwargs={"pk": new.pk})
    save_feedback(item, users["unit_filler"], item.lock_version, "已报送调整后的绩效目标")
    item.refresh_from_db()
    perform_transition(item, "answer", users["unit_filler"])
    with pytest.raises(WorkflowError, match=r"调整后的绩效目标（第2版）尚未批复"):
        perform_transition(item, "accept", users["perf_section"])
    with pytest.raises(WorkflowError, match="没有权限"):
        perform_transition(item, "override_close", users["budget_desk"], comment="已调减预算")
    with pytest.raises(WorkflowError, match="必须填写"):
        perform_transition(item, "override_close", users["perf_section"])
    perform_transition(item, "override_close", users["perf_section"], comment="预算已调减，目标调整随年度调整一并办理")
    item.refresh_from_db()
    assert item.state == "closed" and item.close_override.startswith("预算已调减")


def test_retarget_accepted_once_the_new_target_is_approved(monitoring_round: Any, users: dict[str, Any], org: Any) -> None:
    from jixiao.rectification.services import start_retarget

    form = a_sub_form(monitoring_round, org)
    item = from_monitoring(form, users["perf_section"], "retarget", "调减预算并调整目标", "王会计", None, reduce_fen=5_000_000)
    new = start_retarget(item, users["unit_filler"], "政策调整")
    # the unit revises v+1 so that it passes the automatic review (weights 产出50 / 效益30 / 满意度10)
    from decimal import Decimal

    from jixiao.targets.models import TargetIndicator

    for row, weight in zip(new.indicators.order_by("position"), (25, 25, 30), strict=True):
        TargetIndicator.objects.filter(pk=row.pk).update(weight=Decimal(weight))
    TargetIndicator.objects.create(declaration=new, position=9, level1="满意度指标", level2="服务对象满意度指标",
                                   name="参训人员满意度", comparison=">=", value="90", unit="%", weight=Decimal(10))
    for name, user, grade in (("submit", "unit_filler", ""), ("dept_approve", "unit_approver", ""),
                              ("approve", "perf_section", "优")):
        perform_transition(new, name, users[user], grade=grade)
    item.refresh_from_db()
    save_feedback(item, users["unit_filler"], item.lock_version, "目标调整已批复")
    item.refresh_from_db()
    perform_transition(item, "answer", users["unit_filler"])
    with pytest.raises(WorkflowError, match="请直接核验销号"):
        perform_transition(item, "override_close", users["perf_section"], comment="无")
    perform_transition(item, "accept", users["perf_section"])
    item.refresh_from_db()
    assert item.state == "closed" and not item.close_override


def test_every_source_on_one_register_per_unit_and_per_source(monitoring_round: Any, users: dict[str, Any], org: Any,
                                                              login: Any) -> None:
    from_monitoring(a_sub_form(monitoring_round, org), users["perf_section"], "urge", "执行偏慢", "王会计", None)
    ke = approved(topic(org, unit="a"), users)
    with pytest.raises(RectificationError, match="报告报送后"):
        from_key_evaluation(ke, users["perf_section"], "目标不细", "细化", org["units"]["a_sub"], None)
    type(ke).objects.filter(pk=ke.pk).update(state="reported")
    ke.refresh_from_db()
    item = from_key_evaluation(ke, users["perf_section"], "绩效目标不够细化", "细化量化指标", org["units"]["a_sub"], None)
    due = CalendarEntry.objects.get(year=timezone.localdate().year, code="rectify_key_evaluation").due_on
    assert item.deadline == due and due.year == timezone.localdate().year + 1 and item.source == "key_evaluation"
    page = login(users["unit_filler"]).get(reverse("rectification:unit", kwargs={"pk": org["units"]["a_sub"].pk}))
    html = page.content.decode()
    assert "本单位整改清单" in html and "绩效监控（1项）" in html and "财政重点评价（1项）" in html
    monitoring_only = login(users["unit_filler"]).get(reverse("rectification:source", kwargs={"source": "monitoring"}))
    assert "执行偏慢" in monitoring_only.content.decode() and "绩效目标不够细化" not in monitoring_only.content.decode()
    assert login(users["unit_filler"]).get(reverse("rectification:source", kwargs={"source": "nothing"})).status_code == 404
    # unit b's filler-less scope: the budget desk of 教育 sees a_sub's items, not another sector's
    assert Rectification.objects.for_user(users["budget_desk"]).count() == 2


def test_overdue_list_feeds_home_pages_and_reminders(monitoring_round: Any, users: dict[str, Any], org: Any,
                                                     login: Any) -> None:
    from jixiao.deadlines.services import send_reminders

    today = timezone.localdate()
    late = from_monitoring(a_sub_form(monitoring_round, org), users["perf_section"], "urge", "执行偏慢", "王会计",
                           today - timedelta(days=3))
    soon = from_monitoring(a_sub_form(monitoring_round, org), users["perf_section"], "stop", "资金闲置", "王会计",
                           today + timedelta(days=3))
    assert list(Rectification.objects.overdue()) == [late]
    overdue = login(users["perf_section"]).get(reverse("rectification:overdue")).content.decode()
    assert "执行偏慢" in overdue and "资金闲置" not in overdue and "已逾期" in overdue
    home = login(users["unit_filler"]).get(reverse("core:home")).content.decode()
    assert "整改：督促整改" in home and "逾期未整改的事项" in home
    assert "逾期未整改的事项" in login(users["perf_section"]).get(reverse("core:home")).content.decode()
    send_reminders(today)
    titles = list(users["unit_filler"].notifications.values_list("title", flat=True))
    assert any("停止拨款" in t and "即将到期" in t for t in titles), titles
    assert soon.pk


def test_old_urls_redirect_into_the_register(users: dict[str, Any], org: Any, login: Any) -> None:
    item = Rectification.objects.create(source="monitoring", source_title="2021年1-9月绩效运行监控", year=2021,
                                        unit=org["units"]["a_sub"], sector=org["units"]["a_sub"].sector, kind="urge",
                                        problem="执行偏慢", requirement="加快", deadline=date(2021, 12, 31),
                                        state="issued", legacy="correctiveaction:41")
    client = login(users["unit_filler"])
    assert client.get(reverse("monitoring:action_detail", kwargs={"pk": 41}))["Location"] == item.get_absolute_url()
    assert client.get(reverse("monitoring:action_list"))["Location"] == reverse("rectification:source", kwargs={"source": "monitoring"})
    assert client.get(reverse("evaluation:rectification_list"))["Location"] == reverse(
        "rectification:source", kwargs={"source": "key_evaluation"})
    assert login(users["unit_filler"]).get(reverse("monitoring:action_detail", kwargs={"pk": 42})).status_code == 404


def test_register_list_query_count_does_not_grow(users: dict[str, Any], org: Any, login: Any) -> None:
    def make(n: int) -> None:
        unit = org["units"]["a_sub"]
        Rectification.objects.bulk_create(
            Rectification(source="monitoring", source_title="监控", year=2021, unit=unit, sector=unit.sector,
                          problem=f"问题{i}", requirement="整改", deadline=date(2021, 12, 31), state="issued")
            for i in range(n))

    client = login(users["perf_section"])
    make(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("rectification:list")).status_code == 200
    make(40)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("rectification:list")).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries) <= 14


def test_answers_and_closing_are_locked_and_done_once(org: Any, users: Any, login: Any) -> None:
    """Issue 17 item 8 on the register: a stale answer is refused, and repeated 销号 POSTs close the item once."""
    unit = org["units"]["a"]
    item = Rectification.objects.create(source="key_evaluation", source_title="东湖局项目重点评价", year=2020, unit=unit,
                                        sector=unit.sector, problem="绩效目标不够细化", requirement="细化指标",
                                        deadline=date(2022, 6, 30), state="issued")
    feedback = reverse("rectification:feedback", kwargs={"pk": item.pk})
    approver, section = login(users["unit_approver"]), login(users["perf_section"])
    rendered = item.lock_version
    approver.post(feedback, {"feedback": "已修订指标", "lock_version": rendered})
    stale = approver.post(feedback, {"feedback": "旧页面上的反馈", "lock_version": rendered}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    item.refresh_from_db()
    assert item.feedback == "已修订指标"
    perform_transition(item, "answer", users["unit_approver"])
    item.refresh_from_db()
    url = reverse("rectification:transition", kwargs={"pk": item.pk})
    for _ in range(5):
        section.post(url, {"transition": "accept", "lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.state == "closed"
    assert item.history.filter(history_change_reason__startswith="核验通过并销号").count() == 1
