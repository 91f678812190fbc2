"""Shared fixtures: two unit trees, a project and expenditure in each unit, a user of every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jixiao.accounts.roles import Role

PASSWORD = "Test@2021pw"
#: The budget year of the fixtures' records; tests work in the plan year where they are current.
FIXTURE_YEAR = 2021


@pytest.fixture(autouse=True)
def fixture_working_year(settings: Any) -> None:
    """Every user's default working year is the fixtures' plan year (``JIXIAO_WORKING_YEAR``), so
    pages show the fixtures' records without ``?year=``; tests of the default itself reset it."""
    settings.JIXIAO_WORKING_YEAR = FIXTURE_YEAR


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files of a test go to its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    from jixiao.organisation.models import BudgetUnit, DepartmentExpenditure, FundSource, Project, Sector

    edu = Sector.objects.get(name="教育")
    health = Sector.objects.get(name="卫生健康")
    a = BudgetUnit.objects.create(code="901", name="东湖局", sector=edu)
    a_sub = BudgetUnit.objects.create(code="901001", name="南山所", sector=edu, parent=a)
    b = BudgetUnit.objects.create(code="902", name="西岭局", sector=health)
    source = FundSource.objects.get(name="一般公共预算")
    projects = {}
    for key, unit in (("a", a), ("a_sub", a_sub), ("b", b)):
        p = Project.objects.create(
            year=2021, code=f"P-{unit.code}", name=f"{unit.name}项目", unit=unit, sector=unit.sector,
            initial_budget_fen=50_000_000, adjusted_budget_fen=50_000_000,
        )
        p.fund_sources.add(source)
        projects[key] = p
    expenditures = {
        key: DepartmentExpenditure.objects.create(unit=unit, year=2021, personnel_fen=100, public_fen=200, project_fen=300)
        for key, unit in (("a", a), ("a_sub", a_sub), ("b", b))
    }
    return {"units": {"a": a, "a_sub": a_sub, "b": b}, "projects": projects, "expenditures": expenditures,
            "sectors": {"edu": edu, "health": health}}


def make_user(role: str, username: str | None = None, **extra: Any) -> Any:
    from jixiao.accounts.models import User

    user = User(username=username or role, real_name=f"{role}用户", role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(org: dict[str, Any]) -> dict[str, Any]:
    units = org["units"]
    result = {}
    for role in Role:
        extra: dict[str, Any] = {}
        if role == Role.UNIT_APPROVER:
            extra["unit"] = units["a"]
        elif role == Role.UNIT_FILLER:
            extra["unit"] = units["a_sub"]
        elif role in (Role.AGENCY, Role.EXPERT):
            extra["agency_name"] = "湖南测试会计师事务所"
        result[str(role)] = make_user(role, **extra)
    result[Role.BUDGET_DESK].sectors.add(org["sectors"]["edu"])
    return result


def enrol_totp(user: Any) -> Any:
    """A confirmed TOTP device for the user (what the enrolment page makes), returned for computing codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="测试验证器", confirmed=True)


def signed_in(user: Any) -> Client:
    """A client signed in as the user with both factors, as after password and dynamic code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from jixiao.accounts.otp import second_factor_required

    client = Client()
    client.force_login(user)
    if second_factor_required(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = enrol_totp(user).persistent_id
        session.save()
    return client


@pytest.fixture
def login() -> Any:
    return signed_in


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests of the worker's own processes need PostgreSQL (a second process opens the test
    database); on SQLite they are deselected, and the PostgreSQL run of `.ci/run` (and
    `make test-worker`) runs them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        kept = [item for item in items
                if item.get_closest_marker("worker") is None and item.get_closest_marker("scaleout") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in kept])
            items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_audit_checkpoints() -> Any:
    """Checkpoints live outside the database: each test starts without the previous test's."""
    yield
    from pathlib import Path

    from django.conf import settings

    Path(settings.JIXIAO_AUDIT_CHECKPOINT_FILE).unlink(missing_ok=True)
