"""The read-only API: tokens issued by the security administrator, the pages' policy and scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.api.models import ApiToken
from jixiao.api.services import issue_token, revoke_token
from jixiao.audit.models import SecurityEvent


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def token_for(users: dict[str, Any], role: str, days: int = 30) -> str:
    _token, secret = issue_token(users[role], f"{role}接口", timezone.now() + timedelta(days=days), users["sec_admin"])
    return secret


def codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_schema_is_readable_without_a_token_and_describes_every_endpoint(db: Any) -> None:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "绩效 Jixiao 只读数据接口"
    kinds = ("units", "projects", "targets", "monitoring-forms", "self-evaluations", "key-evaluations",
             "rectifications", "assessments", "audit-work-plans", "result-proposals")
    assert sorted(schema["paths"]) == sorted(p for k in kinds for p in (f"/api/v1/{k}/", f"/api/v1/{k}/{{id}}/"))
    for kind in kinds:
        listing = schema["paths"][f"/api/v1/{kind}/"]["get"]
        assert any("\u4e00" <= c <= "\u9fff" for c in listing["description"]), kind  # described in Chinese
        params = {p["name"] for p in listing["parameters"]}
        assert {"page", "page_size"} <= params, kind
        assert ("year" in params) == (kind != "units"), kind  # a unit has no budget year
        assert ("unit" in params) == (kind != "audit-work-plans"), kind  # the plan is district-wide
    assert not any(m in op for op in schema["paths"].values() for m in ("post", "put", "patch", "delete"))


def test_no_token_or_a_bad_token_is_refused_and_logged(org: Any, users: dict[str, Any]) -> None:
    assert Client().get("/api/v1/projects/").status_code == 401
    response = bearer("not-a-token").get("/api/v1/projects/")
    assert response.status_code == 401 and "令牌无效" in response.json()["detail"]
    assert SecurityEvent.objects.filter(event_type="permission_denied", outcome="denied").exists()


def test_a_token_sees_what_its_account_sees_on_the_pages(org: Any, users: dict[str, Any]) -> None:
    desk = token_for(users, "budget_desk")  # 教育: units a and a_sub
    everyone = token_for(users, "audit_reader")
    approver = token_for(users, "unit_approver")  # unit a and below
    filler = token_for(users, "unit_filler")  # a_sub only
    assert codes(bearer(desk).get("/api/v1/projects/")) == {"P-901", "P-901001"}
    assert codes(bearer(everyone).get("/api/v1/projects/")) == {"P-901", "P-901001", "P-902"}
    assert codes(bearer(approver).get("/api/v1/projects/")) == {"P-901", "P-901001"}
    assert codes(bearer(filler).get("/api/v1/projects/")) == {"P-901001"}
    other = org["projects"]["b"]
    assert bearer(desk).get(f"/api/v1/projects/{other.pk}/").status_code == 404
    assert bearer(everyone).get(f"/api/v1/projects/{other.pk}/").status_code == 200


def test_roles_without_the_permission_get_403(org: Any, users: dict[str, Any]) -> None:
    response = bearer(token_for(users, "sec_admin")).get("/api/v1/projects/")
    assert response.status_code == 403 and response.json()["detail"] == "无权查看此类数据。"


def test_filters_by_year_and_unit_and_bad_parameters_are_400(org: Any, users: dict[str, Any]) -> None:
    client = bearer(token_for(users, "audit_reader"))
    assert codes(client.get("/api/v1/projects/?year=2021&unit=902")) == {"P-902"}
    assert codes(client.get("/api/v1/projects/?year=2020")) == set()
    for bad in ("abc", "0", "99999"):
        response = client.get(f"/api/v1/projects/?year={bad}")
        assert response.status_code == 400 and "预算年度" in response.json()["year"][0]
    assert client.get("/api/v1/projects/?page=999").status_code == 404
    assert codes(client.get("/api/v1/projects/?year=2021&unit=902%00")) == set()  # a NUL matches no code


def test_amounts_are_exact_fen_and_no_personal_fields(org: Any, users: dict[str, Any]) -> None:
    from jixiao.targets.services import open_project_declaration

    declaration = open_project_declaration(org["projects"]["a"], users["unit_approver"])
    declaration.contact_phone = "13800000000"
    declaration.save()
    client = bearer(token_for(users, "perf_section"))
    project = client.get(f"/api/v1/projects/{org['projects']['a'].pk}/").json()
    assert project["adjusted_budget_fen"] == 50_000_000
    body = client.get(f"/api/v1/targets/{declaration.pk}/").content.decode()
    assert "13800000000" not in body and "contact" not in body
    assert client.get(f"/api/v1/targets/{declaration.pk}/").json()["state_label"] == "填报中"


def test_expired_and_revoked_tokens_stop_working(org: Any, users: dict[str, Any]) -> None:
    secret = token_for(users, "audit_reader")
    client = bearer(secret)
    assert client.get("/api/v1/units/").status_code == 200
    token = ApiToken.objects.get(user=users["audit_reader"])
    assert token.last_used_at is not None
    revoke_token(token, users["sec_admin"])
    assert client.get("/api/v1/units/").status_code == 401
    expired = token_for(users, "perf_section")
    ApiToken.objects.filter(user=users["perf_section"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(expired).get("/api/v1/units/").status_code == 401


def test_the_security_administrator_issues_a_token_shown_once(org: Any, users: dict[str, Any], login: Any) -> None:
    admin = login(users["sec_admin"])
    page = admin.get(reverse("api:token_issue"))
    assert page.status_code == 200
    refused = admin.post(reverse("api:token_issue"), {"user": users["audit_reader"].pk, "name": "区审计局比对",
                                                      "expires_on": "2000-01-01"})
    assert refused.status_code == 400 and "有效期应晚于今天" in refused.content.decode()
    assert "区审计局比对" in refused.content.decode()  # what was typed comes back
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = admin.post(reverse("api:token_issue"), {"user": users["audit_reader"].pk, "name": "区审计局比对",
                                                       "expires_on": expires})
    html = response.content.decode()
    assert response.status_code == 200 and "令牌只显示这一次" in html
    secret = html.split('id="token-secret">')[1].split("<")[0]
    token = ApiToken.objects.get(name="区审计局比对")
    assert secret not in token.digest and secret.startswith(token.prefix)
    assert bearer(secret).get("/api/v1/units/").status_code == 200
    listing = admin.get(reverse("api:token_list")).content.decode()
    assert "区审计局比对" in listing and secret not in listing
    assert SecurityEvent.objects.filter(event_type="role_change", username="sec_admin").exists()
    assert admin.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    assert bearer(secret).get("/api/v1/units/").status_code == 401


@pytest.mark.parametrize("role", ["perf_section", "unit_filler", "sys_admin", "audit_reader"])
def test_only_the_security_administrator_manages_tokens(org: Any, users: dict[str, Any], login: Any,
                                                          role: str) -> None:
    assert login(users[role]).get(reverse("api:token_list")).status_code == 403
