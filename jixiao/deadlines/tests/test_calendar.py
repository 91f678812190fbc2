from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from jixiao.deadlines.models import CalendarEntry, ensure_year
from jixiao.deadlines.services import due_items

pytestmark = pytest.mark.django_db


def test_plan_dates_are_the_defaults() -> None:
    ensure_year(2021)
    due = {e.code: e.due_on for e in CalendarEntry.objects.filter(year=2021)}
    assert due["targets_declare"] == date(2021, 4, 15)
    assert due["key_eval_topics"] == date(2021, 4, 30)
    assert due["selfeval_submit"] == date(2021, 6, 15)
    assert due["selfeval_publish"] == date(2021, 7, 15)
    assert due["monitoring_report"] == date(2021, 11, 30)
    assert due["assessment"] == date(2021, 12, 31)
    assert ensure_year(2021) == []  # idempotent


@time_machine.travel("2021-06-16 10:00 +0800", tick=False)
def test_due_and_overdue_by_role(users: dict[str, Any]) -> None:
    filler = due_items(users["unit_filler"])
    assert "上年度绩效自评材料报送财政局" in [e.label for e in filler["overdue"]]
    assert "自评报告公开" in [e.label for e in filler["open"]]
    assert "重点评价选题报区人大审定" not in [e.label for e in filler["overdue"] + filler["open"]]
    perf = due_items(users["perf_section"])
    assert "重点评价报告完成并报送区人大、区政府" in [e.label for e in perf["open"]]


def test_home_page_shows_what_is_due_whatever_the_stage(users: dict[str, Any], login: Any) -> None:
    with time_machine.travel("2021-03-01 09:00 +0800", tick=False):
        html = login(users["unit_filler"]).get("/").content.decode()
    assert "单位申报绩效目标" in html and "进行中" in html
    with time_machine.travel("2021-11-10 09:00 +0800", tick=False):
        html = login(users["unit_filler"]).get("/").content.decode()
    assert "报送1-9月绩效监控情况表" in html


def test_performance_section_moves_a_deadline_and_everyone_sees_it(users: dict[str, Any], login: Any) -> None:
    ensure_year(2021)
    entry = CalendarEntry.objects.get(year=2021, code="selfeval_submit")
    url = reverse("deadlines:calendar_entry_edit", kwargs={"pk": entry.pk})
    client = login(users["perf_section"])
    bad = client.post(url, {"label": entry.label, "opens_on": "2021-06-30", "due_on": "2021-06-20",
                            "lock_version": entry.lock_version})
    assert "截止日期不能早于开始日期" in bad.content.decode()
    ok = client.post(url, {"label": entry.label, "opens_on": "2021-05-01", "due_on": "2021年06月20日",
                           "lock_version": entry.lock_version})
    assert ok.status_code == 302
    entry.refresh_from_db()
    assert entry.due_on == date(2021, 6, 20)
    with time_machine.travel("2021-06-16 10:00 +0800", tick=False):
        filler = due_items(users["unit_filler"])
    assert "上年度绩效自评材料报送财政局" in [e.label for e in filler["open"]]
    assert login(users["unit_filler"]).post(url, {}).status_code == 403


def test_every_role_has_a_chinese_home_page(users: dict[str, Any], login: Any) -> None:
    for role, user in users.items():
        response = login(user).get("/")
        assert response.status_code == 200, role
        html = response.content.decode()
        assert user.get_role_display() in html and "http://" not in html.split("<body")[0]


def test_daily_reminders_reach_the_people_concerned_once(users: dict[str, Any]) -> None:
    from django.core.management import call_command

    from jixiao.workflow.models import Notification

    with time_machine.travel("2021-06-10 08:00 +0800", tick=False):
        call_command("remind", "--days", "7")
        call_command("remind", "--days", "7")  # run twice the same day: no duplicate
    titles = list(Notification.objects.filter(recipient=users["unit_filler"]).values_list("title", flat=True))
    assert titles == ["即将到期：上年度绩效自评材料报送财政局（2021-06-15截止）"]
    assert not Notification.objects.filter(recipient=users["audit_admin"]).exists()
    with time_machine.travel("2021-06-11 08:00 +0800", tick=False):
        call_command("remind")
    assert Notification.objects.filter(recipient=users["unit_filler"]).count() == 2  # one a day
