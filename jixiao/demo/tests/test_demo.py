from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone
from pypinyin import lazy_pinyin

from jixiao.accounts.models import User
from jixiao.accounts.roles import ADMIN_ROLES, Role
from jixiao.audit.models import EventType, SecurityEvent, verify_chain
from jixiao.audit.services import log_event
from jixiao.deadlines.models import CalendarEntry
from jixiao.demo import data, services
from jixiao.organisation.models import (
    THRESHOLD_PAPER_COPY_FEN,
    BudgetUnit,
    DepartmentExpenditure,
    FiscalYear,
    Project,
    UnitYearSetting,
)


@pytest.fixture
def fast_hasher(settings: Any) -> None:
    # The loader hashes with whatever hasher is configured; Argon2 would make every load slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def plan_year(settings: Any) -> int:
    """The demo's plan year: the one today falls in (as on a fresh machine)."""
    from jixiao.core.years import default_working_year

    settings.JIXIAO_WORKING_YEAR = 0
    return default_working_year()


@pytest.fixture
def district(fast_hasher: None, plan_year: int) -> str:
    return run_demo("load", "--scale", "district", "--seed", "2021")


def fingerprint() -> list[tuple[object, ...]]:
    funds: dict[int, list[str]] = defaultdict(list)
    for project_id, code in Project.fund_sources.through.objects.values_list("project_id", "fundsource__code"):
        funds[project_id].append(code)
    projects = [
        (p.year, p.code, p.name, p.unit.code, p.sector.name, p.initial_budget_fen, p.adjusted_budget_fen,
         p.is_continuing, p.is_classified, tuple(sorted(funds[p.pk])))
        for p in Project.objects.select_related("unit", "sector").order_by("year", "code")
    ]
    units = list(BudgetUnit.objects.order_by("code").values_list("code", "name", "parent__code", "root__code", "sector__name"))
    spending = list(
        DepartmentExpenditure.objects.order_by("unit__code", "year")
        .values_list("unit__code", "year", "personnel_fen", "public_fen", "project_fen")
    )
    return [*projects, *units, *spending]


@pytest.mark.django_db
def test_district_units(district: str) -> None:
    first = BudgetUnit.objects.filter(parent__isnull=True)
    subs = BudgetUnit.objects.filter(parent__isnull=False)
    assert 35 <= first.count() <= 45
    assert 70 <= subs.count() <= 100
    names = set(BudgetUnit.objects.values_list("name", flat=True))
    for name in ("云溪区教育局", "云溪区卫生健康局", "云溪区财政局", "岳阳市生态环境局云溪分局", "云溪区公安分局",
                 "云溪街道", "长岭街道", "松杨湖街道", "陆城镇", "路口镇", "永济乡", "云溪区第一中学", "云溪区人民医院"):
        assert name in names
    assert BudgetUnit.objects.get(name="云溪区教育局").sector.name == "教育"
    assert BudgetUnit.objects.get(name="云溪区公安分局").sector.name == "公共安全"
    for unit in BudgetUnit.objects.select_related("parent"):
        expected_root = unit.parent.root_id if unit.parent_id else unit.pk
        assert unit.root_id == expected_root, unit
        assert unit.sort_key == "".join(lazy_pinyin(unit.name))[:200]
        if unit.parent_id:
            assert unit.parent.parent_id is None
            assert unit.sector_id == unit.parent.sector_id, unit
            assert unit.code.startswith(unit.parent.code) and len(unit.code) == 6
        else:
            assert len(unit.code) == 3
    assert BudgetUnit.objects.filter(is_classified=True, root__name="云溪区公安分局").exists()
    assert BudgetUnit.history.count() == BudgetUnit.objects.count()


@pytest.mark.django_db
def test_district_year_settings_expenditure_calendar(district: str, plan_year: int) -> None:
    years = data.demo_years(plan_year)
    assert years == (plan_year - 1, plan_year, plan_year + 1)
    first = BudgetUnit.objects.filter(parent__isnull=True).count()
    assert UnitYearSetting.objects.count() == first * len(years)
    out_of_scope = set(UnitYearSetting.objects.filter(in_assessment_scope=False).values_list("unit__name", flat=True))
    assert "共青团云溪区委" in out_of_scope and "云溪区妇女联合会" in out_of_scope
    assert len(out_of_scope) < first / 4
    assert DepartmentExpenditure.objects.count() == BudgetUnit.objects.count() * len(years)
    totals = {
        (row["unit"], row["year"]): row["s"]
        for row in Project.objects.values("unit", "year").annotate(s=Sum("adjusted_budget_fen"))
    }
    for e in DepartmentExpenditure.objects.all():
        assert e.project_fen == totals.get((e.unit_id, e.year), 0)
        assert e.personnel_fen > 0 and e.public_fen > 0
    for year in years:
        assert CalendarEntry.objects.filter(year=year).exists()
        assert FiscalYear.objects.filter(year=year).exists()
    assert FiscalYear.objects.get(is_current=True).year == plan_year


@pytest.mark.django_db
def test_district_projects(district: str, plan_year: int) -> None:
    n = plan_year
    per_year = dict(Project.objects.values("year").annotate(n=Count("id")).values_list("year", "n"))
    assert set(per_year) == {n - 1, n, n + 1}
    assert 550 <= sum(per_year.values()) <= 650
    assert max(per_year, key=per_year.__getitem__) == n
    amounts = list(Project.objects.values_list("adjusted_budget_fen", flat=True))
    large = sum(a >= THRESHOLD_PAPER_COPY_FEN for a in amounts)
    assert 0 < large < len(amounts) / 2
    assert any(a >= 100_000_000 for a in amounts)  # some in the millions of 元
    assert all(a > 0 and a % 100 == 0 for a in amounts)
    assert Project.objects.exclude(adjusted_budget_fen=F("initial_budget_fen")).exists()
    for p in Project.objects.filter(year=n).select_related("unit")[:50]:
        assert p.code.startswith(f"{data.DIVISION_CODE}-") and len(p.code) == len(f"430603-{n}-0001")
    # Projects carry one or two fund sources.
    per_project = Project.objects.annotate(n=Count("fund_sources")).values_list("n", flat=True)
    assert set(per_project) <= {1, 2} and 2 in set(per_project)
    # Policy categories land on the right kinds of projects.
    def category_of(name: str) -> set[str]:
        return set(Project.objects.filter(name=name).values_list("policy_categories__code", flat=True))
    assert category_of("城乡低保资金") == {"livelihood"}
    assert category_of("政府专项债券付息") == {"debt"}
    assert category_of("非税收入征收成本") == {"revenue_cost"}
    assert Project.objects.filter(policy_categories__code="reward").exists()
    # Continuing projects keep their code and name across years.
    low_income = Project.objects.filter(name="城乡低保资金").order_by("year")
    assert [p.year for p in low_income] == [n - 1, n, n + 1]
    assert len({p.code for p in low_income}) == 1
    assert all(p.is_continuing for p in low_income[1:])
    assert Project.objects.filter(is_continuing=False, year=n).exists()
    # Classified projects only under classified units.
    assert Project.objects.filter(is_classified=True).exists()
    assert not Project.objects.filter(is_classified=True, unit__is_classified=False).exists()
    assert Project.history.count() == Project.objects.count()


@pytest.mark.django_db
def test_district_users(district: str) -> None:
    users = {u.username: u for u in User.objects.select_related("unit").prefetch_related("sectors")}
    assert set(users) == data.DEMO_USERNAMES
    assert {u.role for u in users.values()} == set(Role.values)
    assert not any(u.is_superuser or u.is_staff or u.must_change_password for u in users.values())
    for user in users.values():
        user.full_clean()
        assert user.real_name and user.phone.startswith("1387301")
        if user.role == Role.UNIT_APPROVER:
            assert user.unit is not None and user.unit.parent_id is None
        if user.role in (Role.UNIT_APPROVER, Role.UNIT_FILLER):
            assert user.unit is not None
        if user.role == Role.BUDGET_DESK:
            assert user.unit is None and user.sectors.exists()
        if user.role in ADMIN_ROLES:
            assert user.unit is None
    assert users["yz_tb"].unit.name == "云溪区第一中学"  # type: ignore[union-attr]
    assert users["jxg"].real_name == "李明"
    # Budget desks cover every sector between them.
    covered = {s.name for u in users.values() if u.role == Role.BUDGET_DESK for s in u.sectors.all()}
    assert len(covered) == 12
    # Scoping works on the loaded data: an approver sees exactly their department's tree.
    approver = users["jyj_sh"]
    visible = Project.objects.for_user(approver)
    assert visible.exists()
    assert set(visible.values_list("unit__root__name", flat=True)) == {"云溪区教育局"}
    desk = users["nyk"]
    assert set(Project.objects.for_user(desk).values_list("sector__name", flat=True)) == {"农林水"}


@pytest.mark.django_db
def test_users_json_and_login(district: str) -> None:
    accounts = json.loads(run_demo("users", "--json"))
    assert isinstance(accounts, list) and len(accounts) == len(data.DEMO_ACCOUNTS)
    assert {a["role"] for a in accounts} == set(Role.values)
    from django_otp import match_token
    from django_otp.oath import totp

    from jixiao.accounts.otp import second_factor_required

    for account in accounts:
        assert set(account) == {"username", "password", "role", "unit", "totp_key"}
        user = authenticate(username=account["username"], password=account["password"])
        assert user is not None, account["username"]
        assert user.role == account["role"]
        assert account["unit"] == (user.unit.name if user.unit else None)
        # Finance and administrator accounts come enrolled, with the published demo key.
        assert bool(account["totp_key"]) == second_factor_required(user), account["username"]
        if account["totp_key"]:
            assert match_token(user, f"{totp(bytes.fromhex(account['totp_key'])):06d}") is not None
    assert run_demo("otp", "sysadmin").strip().isdigit()
    table = run_demo("users")
    for header in ("账号", "密码", "角色", "单位", "动态口令密钥"):
        assert header in table
    assert "云溪区第一中学" in table and data.DEMO_PASSWORD in table


@pytest.mark.django_db
def test_users_json_before_loading_names_district_units() -> None:
    accounts = {a["username"]: a for a in json.loads(run_demo("users", "--json"))}
    assert accounts["jyj_sh"]["unit"] == "云溪区教育局"
    assert accounts["jxg"]["unit"] is None
    assert accounts["sysadmin"]["password"] == data.DEMO_PASSWORD


@pytest.mark.django_db
def test_load_twice_does_not_duplicate(district: str) -> None:
    counts = (BudgetUnit.objects.count(), Project.objects.count(), User.objects.count())
    out = run_demo("load")
    assert "未重复导入" in out
    assert (BudgetUnit.objects.count(), Project.objects.count(), User.objects.count()) == counts


@pytest.mark.django_db
def test_same_seed_same_data_and_reset_keeps_security_log(district: str) -> None:
    assert "单位" in district and "项目 600 个" in district
    before = fingerprint()
    log_event(EventType.SETTINGS_CHANGE, username="tester", note="before reset")
    events = SecurityEvent.objects.count()
    out = run_demo("load", "--seed", "2021", "--reset")
    assert "项目" in out
    assert fingerprint() == before
    assert SecurityEvent.objects.count() == events
    assert verify_chain() is None
    assert User.objects.count() == len(data.DEMO_ACCOUNTS)
    run_demo("load", "--seed", "7", "--reset")
    assert fingerprint() != before


def test_planning_is_deterministic_without_database() -> None:
    a = services.plan_district_projects(random.Random(5))
    b = services.plan_district_projects(random.Random(5))
    c = services.plan_district_projects(random.Random(6))
    assert a == b and a != c
    assert len({(p.year, p.code) for p in a}) == len(a)


def test_province_unit_tree_shape() -> None:
    units = list(services.province_units())
    assert len(units) == data.PROVINCE_FIRST_LEVEL * (1 + data.PROVINCE_SUBORDINATES_PER_UNIT) == 25_000
    codes = {u.code for u in units}
    assert len(codes) == len(units)
    first = [u for u in units if u.parent_code is None]
    assert len(first) == data.PROVINCE_FIRST_LEVEL
    assert all(u.parent_code in codes for u in units if u.parent_code)
    # The demo accounts' units exist at province scale too (in 云溪区).
    for account in data.DEMO_ACCOUNTS:
        if account.unit_code:
            assert f"{data.PROVINCE_ACCOUNT_DIVISION}{account.unit_code}" in codes


@pytest.mark.django_db
def test_year_2021_reproduces_the_seed_plans_year(fast_hasher: None, settings: Any) -> None:
    from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
    from jixiao.monitoring.models import MonitoringRound

    settings.JIXIAO_WORKING_YEAR = 0  # whatever today is, --year 2021 builds the seed's year
    out = run_demo("load", "--year", "2021")
    assert "2021年度工作方案" in out and "2020—2022" in out
    assert set(Project.objects.values_list("year", flat=True)) == {2020, 2021, 2022}
    # The epidemic years of the seed plan: 新冠 projects carry the 防疫资金 policy category.
    assert set(Project.objects.filter(name="新冠疫情防控经费").values_list("policy_categories__code", flat=True)) == {"epidemic"}
    assert list(MonitoringRound.objects.values_list("year", "end_month")) == [(2021, 9)]
    assert set(SelfEvaluation.objects.values_list("year", flat=True)) == {2020}
    assert set(KeyEvaluation.objects.values_list("year", "evaluated_year")) == {(2021, 2020)}
    from jixiao.assessment.models import UnitAssessment

    assert_round_in_progress(UnitAssessment.objects.filter(year=2021))  # its 考核 window is long open
    assert run_demo("load", "--year", "1800", "--reset") == ""  # refused, nothing loaded again


@pytest.mark.django_db
def test_district_assessment_every_grade_and_state(district: str, plan_year: int) -> None:
    from jixiao.assessment.models import AssessmentScheme, UnitAssessment

    last = UnitAssessment.objects.filter(year=plan_year - 1)
    assert set(last.values_list("state", flat=True)) == {"final"}
    assert set(last.values_list("grade", flat=True)) == {"优", "良", "中", "差"}
    assert set(last.values_list("mark", flat=True)) >= {"通报表扬", "约谈"}
    assert AssessmentScheme.objects.filter(year=plan_year).exists()
    current = UnitAssessment.objects.filter(year=plan_year)
    if timezone.localdate() < date(plan_year, 12, 1):  # the 考核 window (12-01~12-31) has not opened
        assert not current.exists()
        return
    assert_round_in_progress(current)


def assert_round_in_progress(current: Any) -> None:
    assert set(current.values_list("state", flat=True)) == {"self_assessment", "review", "reviewed"}
    assert current.filter(scope_note__contains="含并入单位").exists()
    assert all(s.facts or s.summary for s in current.first().scores.exclude(measure=""))


@pytest.mark.django_db
def test_district_auditlink_plan_and_findings_in_every_state(district: str, plan_year: int) -> None:
    from jixiao.auditlink.models import AuditWorkPlan
    from jixiao.rectification.models import Rectification
    from jixiao.rectification.workflows import RECTIFICATION_WORKFLOW

    plan = AuditWorkPlan.objects.get(year=plan_year)
    assert plan.items.filter(suggest_key_evaluation=True).count() == 2
    # the audit bureau's findings are register items of source 审计, in every state, one overdue
    findings = Rectification.objects.filter(source="audit", year=plan_year, created_by__role="audit_reader")
    assert set(findings.values_list("state", flat=True)) == {s.code for s in RECTIFICATION_WORKFLOW.states}
    assert findings.overdue().exists() and not findings.filter(found_on__isnull=True).exists()


@pytest.mark.django_db
def test_district_rectification_register_and_result_application_board(district: str, plan_year: int) -> None:
    """The register holds items of every source in every state (some overdue); the 结果应用 board of N+1
    has proposals of every action, desk decisions and kept totals equal to its lines."""
    from jixiao.application.models import Board, Proposal
    from jixiao.application.services import board_totals, line_totals
    from jixiao.rectification.models import Rectification
    from jixiao.rectification.workflows import RECTIFICATION_WORKFLOW
    from jixiao.rules.application import ACTION_LABELS

    assert set(Rectification.objects.values_list("state", flat=True)) == {s.code for s in RECTIFICATION_WORKFLOW.states}
    assert {"monitoring", "recheck", "key_evaluation", "audit"} <= set(Rectification.objects.values_list("source", flat=True))
    assert Rectification.objects.overdue().exists()
    board = Board.objects.get(year=plan_year + 1)
    assert set(Proposal.objects.filter(board=board).values_list("action", flat=True)) == set(ACTION_LABELS)
    assert {"", "accepted", "changed"} <= set(Proposal.objects.filter(board=board).values_list("decision", flat=True))
    assert board_totals(board) == line_totals(Proposal.objects.filter(board=board))


@pytest.mark.django_db
def test_district_publications_in_every_state_and_the_anonymous_crawl(district: str) -> None:
    """信息公开: the demo's published records are on the portal, with a corrected second version, a
    withdrawn item and postings elsewhere; an anonymous crawl finds every one and nothing 涉密 or unpublished."""
    import re

    from django.test import Client

    from jixiao.disclosure.models import ExternalPosting, Publication, PublicationVersion
    from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
    from jixiao.targets.models import TargetDeclaration

    pubs = Publication.objects.all()
    assert {k for k in pubs.values_list("kind", flat=True)} == {"target", "selfeval", "key"}
    assert pubs.filter(current_number__gt=1).count() >= 2 and pubs.filter(withdrawn_at__isnull=False).exists()
    assert ExternalPosting.objects.exists()
    hashes = set(PublicationVersion.objects.values_list("sha256", flat=True))
    for model in (TargetDeclaration, SelfEvaluation, KeyEvaluation):
        rows = model.objects.filter(state="published")
        assert rows.exists() and set(rows.values_list("snapshot_hash", flat=True)) <= hashes, model
    client, seen, queue = Client(), {}, ["/gongkai/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = response.content.decode()
        queue += [u for u in re.findall(r'href="(/gongkai/[^"#?]*/)"', seen[url]) if u not in seen]
    text = "\n".join(seen.values())
    for pub in pubs:
        assert f"/gongkai/p/{pub.pk}/" in seen and pub.title in text
    for project in Project.objects.filter(is_classified=True):
        assert project.name not in text, project.name
    for unit in BudgetUnit.objects.filter(is_classified=True):
        assert unit.name not in text, unit.name
    # Every item the crawl reached is a publication whose record is published, never an unpublished one.
    from jixiao.disclosure.services import source_record

    crawled = {int(m) for u in seen for m in re.findall(r"^/gongkai/p/(\d+)/$", u)}
    assert crawled == set(pubs.values_list("pk", flat=True))
    for pub in pubs.filter(pk__in=crawled):
        assert source_record(pub.current()).state == "published", pub


@pytest.mark.django_db
def test_district_report_packages_equal_the_pages(district: str, plan_year: int) -> None:
    """报告包: the demo's packages of the plan year are generated, one refused with its reason; the work
    report's figures equal the 六同步, 监控汇总分析 and 年度绩效评价工作情况 pages."""
    import io
    import zipfile

    from django.urls import reverse
    from docx import Document

    from conftest import signed_in
    from jixiao.disclosure.models import PortalJob

    jobs = PortalJob.objects.filter(kind__startswith="package_")
    assert set(jobs.filter(year=plan_year, status="done").values_list("kind", flat=True)) == {
        "package_work", "package_key", "package_monitoring"}
    assert "尚未开展绩效运行监控" in jobs.get(status="failed").message
    work = jobs.get(kind="package_work", year=plan_year)
    with zipfile.ZipFile(io.BytesIO(bytes(work.content))) as zf:
        docx = next(zf.read(n) for n in zf.namelist() if n.endswith(".docx"))
    doc = Document(io.BytesIO(docx))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    client = signed_in(User.objects.filter(role="perf_section").order_by("pk").first())
    totals = client.get(reverse("targets:completeness"), {"year": plan_year}).context["totals"]
    assert totals["approved"] > 0 and f"目标已批复{totals['approved']}个" in text
    assert f"纳入预算的项目{totals['projects']}个" in text
    dash = client.get(reverse("monitoring:dashboard")).context["dash"]
    assert dash.completeness.total > 0 and f"纳入监控{dash.completeness.total}张监控表" in text
    summary = client.get(reverse("evaluation:summary"), {"year": plan_year - 1}).context
    assert summary["count"] > 0 and f"共开展绩效自评{summary['count']}项" in text
    assert f"财政已接收{summary['accepted']}项" in text
    reported = [k for k in summary["key_evaluations"] if k.state in ("final_report", "reported", "published")]
    assert f"已形成报告{len(reported)}项" in text
