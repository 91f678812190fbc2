"""财审联动: the work plan; audit findings registered and imported by the audit bureau (rows named on error,
nothing half-written) as items of the one rectification register (source 审计), followed to closure there by
the unit, audit and finance, read by the assessment and the result-application board; the data package's
manifest, byte-identical re-creation and fixed number of queries."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jixiao.auditlink import package
from jixiao.auditlink.models import AuditWorkPlan
from jixiao.rectification.models import Rectification
from jixiao.rectification.services import from_audit
from jixiao.workflow.engine import WorkflowError, available_transitions, perform_transition


def finding(org: dict[str, Any], users: dict[str, Any], key: str = "a", **kw: Any) -> Rectification:
    values = {"year": 2021, "unit": org["units"][key], "problem": "项目资金闲置", "requirement": "盘活存量资金",
              "found_on": date(2021, 8, 1), "deadline": date(2021, 10, 31)} | kw
    return from_audit(users["audit_reader"], **values)


def answer(item: Rectification, user: Any, text: str = "已盘活使用") -> Rectification:
    from jixiao.rectification.services import save_feedback

    save_feedback(item, user, item.lock_version, text)
    return perform_transition(Rectification.objects.get(pk=item.pk), "answer", user)  # type: ignore[return-value]


@pytest.mark.django_db
def test_plan_items_and_key_evaluation_suggestions(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    audit = login(users["audit_reader"])
    url = reverse("auditlink:plan") + "?year=2021"
    bad = audit.post(url, {"year": 2021, "part": "plan", "title": "", "topics": "信息共享", "finance_owner": "王",
                           "audit_owner": "李"})
    assert "信息共享" in bad.content.decode()  # typed text kept
    audit.post(url, {"year": 2021, "part": "plan", "title": "2021年度财审联动工作方案", "topics": "指标共商\n信息共享",
                     "finance_owner": "王", "audit_owner": "李"})
    plan = AuditWorkPlan.objects.get(year=2021)
    assert plan.topic_lines == ["指标共商", "信息共享"]
    csv_file = io.BytesIO("审计项目,被审计单位编码,项目编码,建议重点评价,建议理由\n东湖局专项审计,%s,%s,是,资金量大\n坏行,XX,,否,\n"
                          .encode() % (org["units"]["a"].code.encode(), org["projects"]["a"].code.encode()))
    csv_file.name = "plan.csv"
    refused = audit.post(url, {"year": 2021, "part": "import", "file": csv_file})
    assert "第3行「被审计单位编码」" in refused.content.decode() and not plan.items.exists()
    good = io.BytesIO("审计项目,被审计单位编码,项目编码,建议重点评价,建议理由\n东湖局专项审计,%s,%s,是,资金量大\n"
                      .encode() % (org["units"]["a"].code.encode(), org["projects"]["a"].code.encode()))
    good.name = "plan.csv"
    audit.post(url, {"year": 2021, "part": "import", "file": good})
    assert plan.items.get().suggest_key_evaluation
    from jixiao.auditlink.services import suggested_topics

    assert [i.title for i in suggested_topics(2021)] == ["东湖局专项审计"]


@pytest.mark.django_db
def test_audit_user_registers_a_finding_on_the_register(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    from jixiao.workflow.models import Notification

    audit = login(users["audit_reader"])
    url = reverse("auditlink:finding_new") + "?year=2021"
    assert "登记2021年度审计发现问题" in audit.get(url).content.decode()
    data = {"year": 2021, "unit": org["units"]["a"].pk, "project": org["projects"]["a_sub"].pk,
            "problem": "专项资金未按规定用途使用", "requirement": "调整账务，归还原资金渠道", "found_on": "2021-08-15",
            "deadline": "2021-08-01", "amount": "3500"}
    refused = audit.post(url, data).content.decode()
    assert "整改期限不能早于发现日期" in refused and "专项资金未按规定用途使用" in refused  # typed text kept
    assert not Rectification.objects.exists()
    done = audit.post(url, data | {"deadline": "2021-12-31"})
    item = Rectification.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("rectification:detail", kwargs={"pk": item.pk})
    assert (item.source, item.unit, item.project, item.year, item.state, item.found_on, item.amount_fen, item.created_by) == (
        "audit", org["units"]["a"], org["projects"]["a_sub"], 2021, "issued", date(2021, 8, 15), 350_000,
        users["audit_reader"])
    assert Notification.objects.filter(recipient=users["unit_approver"], link=item.get_absolute_url()).exists()
    # the register shows it to everyone who follows it: the audit bureau, finance, the unit
    for role in ("audit_reader", "perf_section", "budget_desk", "unit_approver"):
        page = login(users[role]).get(reverse("rectification:list") + "?source=audit&year=2021").content.decode()
        assert "专项资金未按规定用途使用" in page and "审计发现" in page, role
    detail = login(users["perf_section"]).get(item.get_absolute_url()).content.decode()
    assert "2021-08-15" in detail and "3,500.00" in detail and "登记人" in detail
    # the former list URL is the register's audit source
    assert audit.get(reverse("auditlink:finding_list") + "?year=2021")["Location"] == (
        reverse("rectification:source", kwargs={"source": "audit"}) + "?year=2021")
    # finance's units' own readers cannot register findings
    assert login(users["budget_desk"]).get(url).status_code == 403


@pytest.mark.django_db
def test_findings_are_imported_whole_or_not_at_all(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    audit = login(users["audit_reader"])
    code = org["units"]["a"].code
    content = (f"责任单位编码,审计发现的问题,整改要求,发现日期,整改期限,涉及金额（元）,项目编码\n"
               f"{code},资金闲置,盘活,2021-08-01,2021-10-31,1000,\n"
               f"{code},目标不实,修订目标,2021-08-01,不是日期,,\n"
               f"{code},,修订目标,2021-08-01,2021-12-31,,P-902\n").encode()

    def post(data: bytes) -> str:
        upload = io.BytesIO(data)
        upload.name = "findings.csv"
        return audit.post(reverse("auditlink:finding_new") + "?year=2021",
                          {"part": "import", "year": 2021, "file": upload}).content.decode()

    html = post(content)
    assert "第3行「整改期限」：「不是日期」不是日期" in html and "第4行「审计发现的问题」：不能为空" in html
    assert "第4行「项目编码」：项目不属于所选责任单位" in html
    assert not Rectification.objects.exists()  # one bad row: nothing written
    post(content.replace("不是日期".encode(), b"2021-12-31").replace(",,修订目标,2021-08-01,2021-12-31,,P-902".encode(),
                                                                      ",未公开,公开,2021-08-01,2021-12-31,,P-901".encode()))
    assert Rectification.objects.filter(source="audit").count() == 3
    idle = Rectification.objects.get(problem="资金闲置")
    assert (idle.amount_fen, idle.unit, idle.created_by) == (100_000, org["units"]["a"], users["audit_reader"])
    assert Rectification.objects.get(problem="未公开").project == org["projects"]["a"]
    assert idle.history.first().history_change_reason == "导入审计发现问题（findings.csv）"


@pytest.mark.django_db
def test_finance_and_audit_follow_a_finding_to_closure(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    audit, perf = users["audit_reader"], users["perf_section"]
    item = finding(org, users, "a_sub")
    answer(item, users["unit_filler"])
    # the audit bureau returns the answer from the register page, the unit answers again, finance closes it
    audit_client = login(audit)
    page = audit_client.get(item.get_absolute_url()).content.decode()
    assert "核验通过并销号" in page and "退回重新整改" in page
    item.refresh_from_db()
    audit_client.post(reverse("rectification:transition", kwargs={"pk": item.pk}),
                      {"transition": "return", "comment": "佐证不足", "lock_version": item.lock_version})
    item.refresh_from_db()
    assert item.state == "returned" and item.verification == "佐证不足"
    answer(item, users["unit_filler"], "已补充凭证")
    perform_transition(Rectification.objects.get(pk=item.pk), "accept", users["budget_desk"])
    item.refresh_from_db()
    assert item.state == "closed" and item.closed_at is not None
    # a second finding closed by the audit bureau itself
    other = finding(org, users, "a", problem="目标不实")
    answer(other, users["unit_approver"])
    perform_transition(Rectification.objects.get(pk=other.pk), "accept", audit)
    assert Rectification.objects.get(pk=other.pk).state == "closed"
    # the audit bureau sees the other sources' items the same way, but only reads them
    measure = Rectification.objects.create(
        source="recheck", source_title="2020年度自评质量复核", year=2020, unit=org["units"]["a"],
        sector=org["units"]["a"].sector, problem="自评分数虚高", requirement="按复核意见更正", deadline=date(2021, 12, 31),
        created_by=perf, state="answered", feedback="已更正")
    listed = audit_client.get(reverse("rectification:list")).content.decode()
    assert "自评分数虚高" in listed and "目标不实" in listed
    assert audit_client.get(measure.get_absolute_url()).status_code == 200
    assert available_transitions(measure, audit) == []
    with pytest.raises(WorkflowError, match="只能办理审计发现问题"):
        perform_transition(measure, "accept", audit)
    assert "accept" in [t.name for t in available_transitions(measure, perf)]  # finance verifies every source


@pytest.mark.django_db
def test_finding_feeds_the_assessment_items_and_facts(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    from jixiao.assessment import services
    from jixiao.assessment.models import UnitAssessment
    from jixiao.organisation.models import UnitYearSetting

    f = finding(org, users)
    finding(org, users, problem="绩效目标不实", deadline=date(2021, 12, 31))
    cancelled = finding(org, users, problem="登记有误的问题")
    perform_transition(cancelled, "cancel", users["audit_reader"], comment="重复登记")
    answer(f, users["unit_approver"])
    perform_transition(Rectification.objects.get(pk=f.pk), "accept", users["audit_reader"])
    Rectification.objects.filter(pk=f.pk).update(closed_at=timezone.make_aware(timezone.datetime(2021, 10, 20)))
    UnitYearSetting.objects.create(unit=org["units"]["a"], year=2021)
    services.open_assessments(services.ensure_scheme(2021), users["perf_section"], as_of=date(2021, 12, 1))
    ua = UnitAssessment.objects.get(unit=org["units"]["a"])
    deduction = ua.scores.get(code="D2")
    assert deduction.computed == -4
    assert [x["text"] for x in deduction.facts] == ["2021-08-01 项目资金闲置（审计）", "2021-08-01 绩效目标不实（审计）"]
    rect = ua.scores.get(code="5.2")
    assert {x["text"]: x["effect"] for x in rect.facts if "审计发现" in x["text"]} == {
        "项目资金闲置（审计发现）：期限2021年10月31日，2021年10月20日销号": "按期销号",
        "绩效目标不实（审计发现）：期限2021年12月31日，尚未到期": "不计"}
    # the unit's drill-down pages list the facts of both items
    client = login(users["unit_approver"])
    page = client.get(reverse("assessment:item_facts", kwargs={"pk": ua.pk, "code": "D2"})).content.decode()
    assert "项目资金闲置（审计）" in page and "登记有误的问题" not in page
    page = client.get(reverse("assessment:item_facts", kwargs={"pk": ua.pk, "code": "5.2"})).content.decode()
    assert "绩效目标不实（审计发现）：期限2021年12月31日，尚未到期" in page


@pytest.mark.django_db
def test_overdue_finding_reaches_the_result_application_board(org: dict[str, Any], users: dict[str, Any], login: Any,
                                                              settings: Any) -> None:
    from jixiao.application.models import Proposal
    from jixiao.application.services import build_board

    settings.JIXIAO_WORKING_YEAR = 2021
    today = timezone.localdate()
    finding(org, users, "a_sub", project=org["projects"]["a_sub"], problem="项目资金闲置两年",
            found_on=today - timedelta(days=60), deadline=today - timedelta(days=3))
    board = build_board(2022, users["perf_section"])
    line = Proposal.objects.get(board=board, code="P-901001")
    assert (line.rectification, line.action) == ("overdue", "cut")
    assert line.rule == "无评价结果：按预算评审安排；整改逾期未完成：另压减10%"
    assert Proposal.objects.get(board=board, code="P-901").rectification == "none"
    page = login(users["budget_desk"]).get(reverse("application:proposal_detail", kwargs={"pk": line.pk})).content.decode()
    assert "项目资金闲置两年" in page and "审计发现" in page


@pytest.mark.django_db
def test_package_manifest_and_byte_identical_recreation(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    from jixiao.audit.models import SecurityEvent

    finding(org, users)
    today = timezone.localdate()
    client = login(users["audit_reader"])
    url = reverse("auditlink:package") + f"?year=2021&unit=&on={today.isoformat()}"
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == 200 and first.content == second.content
    assert package.verify(first.content) == []
    with zipfile.ZipFile(io.BytesIO(first.content)) as zf:
        names = zf.namelist()
        assert names == sorted(names) and {i.date_time for i in zf.infolist()} == {(today.year, today.month, today.day, 0, 0, 0)}
        descriptor = json.loads(zf.read("datapackage.json"))
        assert [r["name"] for r in descriptor["resources"]] == ["targets", "monitoring", "selfevaluations", "rechecks",
                                                                 "keyevaluations", "rectification"]
        fields = descriptor["resources"][1]["schema"]["fields"]
        assert {"name": "budget_yuan", "title": "调整后预算数", "description": "调整后预算数", "type": "number",
                "unit": "元"} in fields
        rect = zf.read("data/rectification.csv").decode()
        assert "审计" in rect and "项目资金闲置" in rect
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(first.content)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, data.replace("项目资金闲置".encode(), "项目资金已用".encode()))
    assert package.verify(tampered.getvalue()) == ["data/rectification.csv 的SHA-256与清单不符"]
    assert SecurityEvent.objects.filter(event_type="export", detail__list="审计数据包").count() == 2
    # a finding registered after the package's date is not in the package of that date
    yesterday = date.fromordinal(today.toordinal() - 1)
    older = client.get(reverse("auditlink:package") + f"?year=2021&on={yesterday.isoformat()}")
    with zipfile.ZipFile(io.BytesIO(older.content)) as zf:
        assert "项目资金闲置" not in zf.read("data/rectification.csv").decode()


@pytest.mark.django_db
def test_package_reads_a_fixed_number_of_queries(org: dict[str, Any], users: dict[str, Any]) -> None:
    """History versions keep their related records (no query per row): more records, the same queries."""
    from jixiao.monitoring.services import open_round
    from jixiao.monitoring.tests.conftest import approved_target, build_round

    build_round(org, users)
    finding(org, users)
    today = timezone.localdate()

    def queries() -> tuple[int, bytes]:
        with CaptureQueriesContext(connection) as ctx:
            content = package.build(users["perf_section"], 2021, today)
        return len(ctx.captured_queries), content

    few, small = queries()
    for key in ("a", "a_sub", "b"):
        approved_target("project", org["units"][key], org["projects"][key])
        for n in range(3):
            item = finding(org, users, key, problem=f"问题{key}{n}")
            perform_transition(item, "escalate", users["perf_section"], comment="督办")
    open_round(users["perf_section"], 2021, 6, date(2021, 7, 31))
    many, large = queries()
    assert many == few
    with zipfile.ZipFile(io.BytesIO(large)) as zf:
        assert zf.read("data/rectification.csv").decode().count("问题") == 9
        assert len(zf.read("data/monitoring.csv").decode().splitlines()) == 1 + 8  # two rounds of four tables
    assert len(large) > len(small)


@pytest.mark.django_db
def test_package_of_a_past_date_shows_the_unit_an_item_had_then(org: dict[str, Any], users: dict[str, Any]) -> None:
    item = finding(org, users)
    yesterday = timezone.now() - timedelta(days=1)
    item.history.update(history_date=yesterday)
    item.unit = org["units"]["b"]
    item.save()
    with zipfile.ZipFile(io.BytesIO(package.build(users["audit_reader"], 2021, timezone.localtime(yesterday).date()))) as zf:
        then = zf.read("data/rectification.csv").decode()
    with zipfile.ZipFile(io.BytesIO(package.build(users["audit_reader"], 2021, timezone.localdate()))) as zf:
        now = zf.read("data/rectification.csv").decode()
    assert ",901,东湖局,项目资金闲置," in then and ",902,西岭局,项目资金闲置," in now
