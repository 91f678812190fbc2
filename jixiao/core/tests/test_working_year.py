"""The one working year: each stage's object year, the header's switcher, and per-year deadlines."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jixiao.core import years


@pytest.mark.parametrize(("stage", "expected", "words"), [
    ("targets", 2026, "2026年度绩效目标"),
    ("monitoring", 2026, "2026年1–9月绩效运行监控"),
    ("evaluation", 2025, "2025年度项目支出绩效自评"),
    ("key_evaluation", 2025, "2025年度财政重点绩效评价"),
    ("results", 2027, "2027年度预算结果应用"),
    ("assessment", 2026, "2026年度预算绩效管理工作考核"),
    ("plan", 2026, "2026年度预算绩效管理工作方案"),
])
def test_each_stage_derives_its_object_year_from_the_plan_year(stage: str, expected: int, words: str) -> None:
    assert years.object_year(stage, 2026) == expected
    assert years.stage_words(stage, expected) == words


def test_default_is_the_plan_year_today_falls_in_and_is_configurable(settings: Any) -> None:
    settings.JIXIAO_WORKING_YEAR = 0
    assert years.default_working_year(date(2026, 11, 29)) == 2026
    assert years.default_working_year(date(2027, 1, 2)) == 2027
    settings.JIXIAO_WORKING_YEAR = 2024
    assert years.default_working_year(date(2026, 11, 29)) == 2024


def test_a_list_year_comes_from_the_url_only_when_valid(settings: Any) -> None:
    settings.JIXIAO_WORKING_YEAR = 0
    rf = RequestFactory()

    class Anonymous:
        is_authenticated = False

    def request(query: str) -> Any:
        r = rf.get(f"/x/{query}")
        r.user = Anonymous()
        return r

    today = timezone.localdate().year
    assert years.list_year(request(""), "evaluation") == today - 1
    assert years.list_year(request("?year=2022"), "evaluation") == 2022
    assert years.list_year(request("?year="), "evaluation") is None  # every year
    assert years.list_year(request("?year=abc"), "evaluation") is None
    assert years.valid_year("1999") is None and years.valid_year(" 2030 ") == 2030


@pytest.mark.django_db
def test_switcher_is_remembered_and_changes_every_page(org: dict[str, Any], users: dict[str, Any], login: Any,
                                                      settings: Any) -> None:
    from jixiao.accounts.models import User
    from jixiao.organisation.models import Project

    settings.JIXIAO_WORKING_YEAR = 0  # the plan year today falls in
    this_year = timezone.localdate().year
    unit = org["units"]["a"]
    Project.objects.create(year=this_year, code="P-NOW", name="本年度项目", unit=unit, sector=unit.sector,
                           initial_budget_fen=1_000_000, adjusted_budget_fen=1_000_000)
    user = users["perf_section"]
    client = login(user)

    home = client.get("/").content.decode()
    assert f'<option value="{this_year}" selected>' in home
    assert f"{this_year}年度预算项目" in home
    projects = client.get(reverse("organisation:project_list")).content.decode()
    assert "本年度项目" in projects and "东湖局项目" not in projects  # 2021's project is not this year's

    response = client.post(reverse("core:working_year"), {"year": "2021", "next": "/organisation/projects/?year=2026&q="})
    assert response.status_code == 302 and response["Location"] == "/organisation/projects/?q="
    assert User.objects.get(pk=user.pk).working_year == 2021

    other_client = login(User.objects.get(pk=user.pk))  # a new session: the choice is the user's, not the session's
    home = other_client.get("/").content.decode()
    assert '<option value="2021" selected>' in home and "2021年度预算项目" in home
    projects = other_client.get(reverse("organisation:project_list")).content.decode()
    assert "东湖局项目" in projects and "本年度项目" not in projects and "2021年度预算项目" in projects
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    calendar = other_client.get(reverse("deadlines:calendar")).content.decode()
    assert "2021年度工作日历尚未生成" in calendar and not CalendarEntry.objects.filter(year=2021).exists()  # GETs never write
    ensure_year(2021)  # the page's 生成 button, `jixiao remind` or 开启下一年度
    calendar = other_client.get(reverse("deadlines:calendar")).content.decode()
    assert "2021-11-30" in calendar and f"{this_year}-11-30" not in calendar
    # ?year= narrows a list for one look without changing the working year.
    projects = other_client.get(reverse("organisation:project_list") + f"?year={this_year}").content.decode()
    assert "本年度项目" in projects
    assert User.objects.get(pk=user.pk).working_year == 2021

    # Back to the default year: nothing is stored, so the user follows the plan year as it turns.
    client.post(reverse("core:working_year"), {"year": str(this_year), "next": "/"})
    assert User.objects.get(pk=user.pk).working_year is None


@pytest.mark.django_db
def test_switcher_refuses_a_bad_year_and_a_foreign_address(users: dict[str, Any], login: Any) -> None:
    from jixiao.accounts.models import User

    user = users["unit_filler"]
    client = login(user)
    response = client.post(reverse("core:working_year"), {"year": "1900", "next": "/"}, follow=True)
    assert "请选择有效的工作年度" in response.content.decode()
    assert User.objects.get(pk=user.pk).working_year is None
    response = client.post(reverse("core:working_year"), {"year": "2022", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_past_years_unsubmitted_declaration_is_overdue_not_being_filled(org: dict[str, Any], users: dict[str, Any],
                                                                         login: Any) -> None:
    from jixiao.deadlines.models import CalendarEntry, ensure_year
    from jixiao.targets.services import open_project_declaration

    open_project_declaration(org["projects"]["a_sub"], users["unit_filler"])  # a 2021 draft, never submitted
    ensure_year(2021)
    due = CalendarEntry.objects.get(year=2021, code="targets_declare").due_on
    days = (timezone.localdate() - due).days
    home = login(users["unit_filler"]).get("/").content.decode()
    assert f"逾期未报{days}天" in home
    assert "南山所项目" in home
