"""财审联动: the work plan, findings registered and imported (rows named on error, nothing half-written),
followed to closure, feeding the assessment; the data package's manifest and byte-identical re-creation."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jixiao.auditlink import package
from jixiao.auditlink.models import AuditFinding, AuditWorkPlan
from jixiao.workflow.engine import perform_transition


def finding(org: dict[str, Any], users: dict[str, Any], key: str = "a", **kw: Any) -> AuditFinding:
    values = {"year": 2021, "unit": org["units"][key], "title": "项目资金闲置", "requirement": "盘活存量资金",
              "found_on": date(2021, 8, 1), "deadline": date(2021, 10, 31), "created_by": users["audit_reader"]} | kw
    return AuditFinding.objects.create(**values)


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
def test_findings_are_imported_whole_or_not_at_all(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    audit = login(users["audit_reader"])
    code = org["units"]["a"].code
    content = (f"责任单位编码,审计发现的问题,整改要求,发现日期,整改期限,涉及金额（元）\n{code},资金闲置,盘活,2021-08-01,2021-10-31,1000\n"
               f"{code},目标不实,修订目标,2021-08-01,不是日期,\n").encode()
    upload = io.BytesIO(content)
    upload.name = "findings.csv"
    html = audit.post(reverse("auditlink:finding_new") + "?year=2021", {"part": "import", "year": 2021,
                                                                       "file": upload}).content.decode()
    assert "第3行「整改期限」" in html and not AuditFinding.objects.exists()
    upload = io.BytesIO(content.replace("不是日期".encode(), b"2021-12-31"))
    upload.name = "findings.csv"
    audit.post(reverse("auditlink:finding_new") + "?year=2021", {"part": "import", "year": 2021, "file": upload})
    assert AuditFinding.objects.count() == 2
    assert AuditFinding.objects.get(title="资金闲置").amount_fen == 100_000


@pytest.mark.django_db
def test_finding_followed_to_closure_feeds_the_assessment(org: dict[str, Any], users: dict[str, Any]) -> None:
    from jixiao.assessment import services
    from jixiao.assessment.models import UnitAssessment
    from jixiao.organisation.models import UnitYearSetting

    f = finding(org, users)
    finding(org, users, title="绩效目标不实", deadline=date(2021, 12, 31))
    perform_transition(f, "answer", users["unit_approver"], comment="已收回统筹")
    perform_transition(AuditFinding.objects.get(pk=f.pk), "close", users["audit_reader"])
    AuditFinding.objects.filter(pk=f.pk).update(closed_at=timezone.make_aware(timezone.datetime(2021, 10, 20)))
    UnitYearSetting.objects.create(unit=org["units"]["a"], year=2021)
    services.open_assessments(services.ensure_scheme(2021), users["perf_section"], as_of=date(2021, 12, 1))
    ua = UnitAssessment.objects.get(unit=org["units"]["a"])
    deduction = ua.scores.get(code="D2")
    assert deduction.computed == -4 and len(deduction.facts) == 2
    rect = ua.scores.get(code="5.2")
    assert any("（审计）" in x["text"] and x["effect"] == "按期销号" for x in rect.facts)


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
