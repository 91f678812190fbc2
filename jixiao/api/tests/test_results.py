"""The API's register and results endpoints: rectification items, assessment sheets, the 财审联动 work
plan and result-application proposals, each with the pages' policy and scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.api.services import issue_token


def bearer(users: dict[str, Any], role: str) -> Client:
    _token, secret = issue_token(users[role], f"{role}接口", timezone.now() + timedelta(days=1), users["sec_admin"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def rows(client: Client, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def unit_codes(client: Client, path: str) -> set[str]:
    return {row["unit_code"] for row in rows(client, path)}


ENDPOINTS = ("/api/v1/rectifications/", "/api/v1/result-proposals/")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_units_token_sees_only_its_own_rows(records: dict[str, Any], users: dict[str, Any], path: str) -> None:
    assert unit_codes(bearer(users, "unit_filler"), path) == {"901001"}  # 南山所 only
    assert unit_codes(bearer(users, "unit_approver"), path) == {"901", "901001"}  # 东湖局 and below
    assert unit_codes(bearer(users, "budget_desk"), path) == {"901", "901001"}  # 教育
    assert unit_codes(bearer(users, "audit_reader"), path) == {"901", "901001", "902"}
    kind = "items" if "rectifications" in path else "proposals"
    other = records[kind]["b"].pk
    assert bearer(users, "unit_filler").get(f"{path}{other}/").status_code == 404
    assert bearer(users, "perf_section").get(f"{path}{other}/").status_code == 200


def test_register_items_filter_by_year_and_unit_with_labels_and_exact_fen(records: dict[str, Any],
                                                                          users: dict[str, Any]) -> None:
    client = bearer(users, "audit_reader")
    assert unit_codes(client, "/api/v1/rectifications/?year=2021&unit=902") == {"902"}
    assert rows(client, "/api/v1/rectifications/?year=2020") == []
    bad = client.get("/api/v1/rectifications/?year=abc")
    assert bad.status_code == 400 and "预算年度" in bad.json()["year"][0]
    item = client.get(f"/api/v1/rectifications/{records['items']['b'].pk}/")
    body = item.json()
    assert body["source"] == "key_evaluation" and body["source_title"] == "西岭局项目重点评价报告"
    assert body["state"] == "issued" and body["state_label"] == "待整改"
    assert body["project_code"] == "P-902" and body["deadline"] == "2021-12-31" and body["closed_at"] is None
    assert body["reduce_fen"] == 1_234_567 and body["overdue"] is True
    assert "张三" not in item.content.decode() and "owner" not in body and "created_by" not in body


def test_an_audit_finding_registered_by_the_audit_bureau_is_a_register_item_in_the_api(
        records: dict[str, Any], users: dict[str, Any], org: dict[str, Any]) -> None:
    from datetime import date

    from jixiao.rectification.services import from_audit

    item = from_audit(users["audit_reader"], year=2021, unit=org["units"]["b"], problem="专项资金闲置",
                      requirement="盘活闲置资金", found_on=date(2021, 9, 1), deadline=date(2021, 12, 31),
                      amount_fen=98_765_432)
    body = bearer(users, "unit_approver").get(f"/api/v1/rectifications/{item.pk}/")
    assert body.status_code == 404  # 西岭局's finding is not 东湖局's
    found = rows(bearer(users, "audit_reader"), "/api/v1/rectifications/?year=2021&unit=902")
    audit = next(r for r in found if r["source"] == "audit")
    assert audit["problem"] == "专项资金闲置" and audit["found_on"] == "2021-09-01"
    assert audit["amount_fen"] == 98_765_432 and audit["source_title"] == "区审计局2021年9月1日审计发现"


def test_assessment_rank_reaches_a_unit_once_published_and_never_another_units_sheet(
        records: dict[str, Any], users: dict[str, Any]) -> None:
    from jixiao.assessment.models import UnitAssessment

    a, b = records["sheets"]["a"], records["sheets"]["b"]
    approver = bearer(users, "unit_approver")
    own = rows(approver, "/api/v1/assessments/")
    assert [r["unit_code"] for r in own] == ["901"]  # 西岭局's sheet is not the unit's to see
    assert approver.get(f"/api/v1/assessments/{b.pk}/").status_code == 404
    assert own[0]["published"] is False and own[0]["rank"] is None and own[0]["mark"] == ""
    assert own[0]["total"] == "86.50" and own[0]["grade"] == "良"
    perf = bearer(users, "perf_section").get(f"/api/v1/assessments/{a.pk}/").json()
    assert perf["rank"] == 1 and perf["mark"] == "通报表扬"
    UnitAssessment.objects.filter(pk=a.pk).update(state="publicised")
    published = approver.get(f"/api/v1/assessments/{a.pk}/").json()
    assert published["published"] is True and published["rank"] == 1 and published["state_label"] == "公示中"
    judged = next(s for s in published["scores"] if s["code"] == "1")
    assert judged["points"] == "10.00" and judged["score"] == "9.75" and judged["effective"] == "9.75"


def test_external_readers_see_final_assessment_sheets_only(records: dict[str, Any], users: dict[str, Any]) -> None:
    reader = bearer(users, "audit_reader")
    assert unit_codes(reader, "/api/v1/assessments/?year=2021") == {"902"}
    assert reader.get(f"/api/v1/assessments/{records['sheets']['a'].pk}/").status_code == 404
    assert unit_codes(bearer(users, "perf_section"), "/api/v1/assessments/?unit=901") == {"901"}
    assert unit_codes(bearer(users, "budget_desk"), "/api/v1/assessments/") == {"901"}  # 教育 only


def test_work_plan_lists_audit_items_and_suggested_topics_without_owner_names(
        records: dict[str, Any], users: dict[str, Any]) -> None:
    plan = records["plan"]
    client = bearer(users, "audit_reader")
    listed = rows(client, "/api/v1/audit-work-plans/?year=2021")
    assert [p["title"] for p in listed] == ["2021年度财审联动工作方案"]
    assert listed[0]["topics"] == ["指标共商", "整改共抓"]
    suggested = [i for i in listed[0]["items"] if i["suggest_key_evaluation"]]
    assert [(i["title"], i["unit_code"], i["reason"]) for i in suggested] == [("西岭局预算执行审计", "902", "资金量大")]
    assert rows(client, "/api/v1/audit-work-plans/?year=2022") == []
    body = client.get(f"/api/v1/audit-work-plans/{plan.pk}/").content.decode()
    assert not any(name in body for name in ("李四", "王五", "赵六"))
    for role in ("unit_approver", "unit_filler", "agency"):  # the pages' policy: finance and the readers
        assert bearer(users, role).get("/api/v1/audit-work-plans/").status_code == 403


def test_proposals_carry_exact_fen_labels_and_the_year(records: dict[str, Any], users: dict[str, Any]) -> None:
    client = bearer(users, "budget_desk")
    body = client.get(f"/api/v1/result-proposals/{records['proposals']['a'].pk}/").json()
    assert body["year"] == 2022 and body["evidence_year"] == 2021 and body["board_state_label"] == "编制中"
    assert body["base_fen"] == 50_000_001 and body["final_fen"] == 35_000_001 and body["cut"] == "30.00"
    assert "decided_by" not in body
    assert unit_codes(client, "/api/v1/result-proposals/?year=2022&unit=901001") == {"901001"}
    assert rows(client, "/api/v1/result-proposals/?year=2021") == []


@pytest.mark.parametrize("path", ["/api/v1/rectifications/", "/api/v1/assessments/", "/api/v1/audit-work-plans/",
                                  "/api/v1/result-proposals/"])
def test_a_list_takes_as_many_queries_for_more_rows(records: dict[str, Any], users: dict[str, Any], path: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jixiao.assessment.models import UnitAssessment
    from jixiao.auditlink.models import AuditPlanItem

    client = bearer(users, "perf_section")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            found = len(rows(client, path))
        return found, len(queries)

    count()  # the token's first use is recorded once
    before, queries = count()
    for item in records["items"].values():
        item.pk = None
        item.save()
    for proposal in records["proposals"].values():
        proposal.pk, proposal.code = None, f"{proposal.code}-2"
        proposal.save()
    sheet = records["sheets"]["b"]
    copy = UnitAssessment.objects.create(scheme=sheet.scheme, year=2021, unit=records["items"]["a_sub"].unit,
                                         state="final", total=sheet.total, grade=sheet.grade)
    for score in sheet.scores.all():
        score.pk, score.assessment = None, copy
        score.save()
    plan = records["plan"]
    plan.pk, plan.year = None, 2022
    plan.save()
    AuditPlanItem.objects.create(plan=plan, title="东湖局经济责任审计", unit=records["items"]["a"].unit)
    after, more_queries = count()
    assert after > before
    assert more_queries == queries


def test_an_agencys_token_sees_the_register_items_of_its_engagements_only(
        records: dict[str, Any], org: dict[str, Any], users: dict[str, Any]) -> None:
    from jixiao.evaluation.models import Agency, KeyEvaluation

    firm = Agency.objects.create(name="接口测试评价机构", phone="13800000002")
    firm.members.add(users["agency"])
    engaged = KeyEvaluation.objects.create(year=2021, evaluated_year=2021, title="西岭局项目重点评价", unit=org["units"]["b"],
                                           sector=org["units"]["b"].sector, project=org["projects"]["b"], agency=firm,
                                           state="reported")
    item = records["items"]["b"]
    agency = bearer(users, "agency")
    assert rows(agency, "/api/v1/rectifications/") == []
    item.key_evaluation = engaged
    item.save()
    assert [r["id"] for r in rows(agency, "/api/v1/rectifications/")] == [item.pk]
    assert agency.get(f"/api/v1/rectifications/{records['items']['a'].pk}/").status_code == 404
    assert agency.get("/api/v1/result-proposals/").status_code == 403  # not the agency's kind of record
