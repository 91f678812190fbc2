"""Issue 17 item 6: exact 三权分立 between the three administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import SecurityEvent
from jixiao.workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_agency_binding_is_data_scope_set_by_the_security_admin_only(org: Any, users: dict[str, Any],
                                                                     login: Any) -> None:
    agency = users["agency"]
    edit = reverse("accounts:user_edit", kwargs={"pk": agency.pk})
    login(users["sys_admin"]).post(edit, {"real_name": agency.real_name, "agency_name": "别家事务所",
                                          "lock_version": agency.lock_version})
    agency.refresh_from_db()
    assert agency.agency_name == "湖南测试会计师事务所"  # the identity form has no agency field
    assert "所属机构" not in login(users["sys_admin"]).get(edit).content.decode()
    assign = reverse("accounts:role_assign", kwargs={"pk": agency.pk})
    response = login(users["sec_admin"]).post(assign, {"role": "agency", "agency_name": "别家事务所",
                                                       "lock_version": agency.lock_version})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.agency_name == "别家事务所"
    event = SecurityEvent.objects.get(event_type="role_change")
    assert event.detail["before"]["agency_name"] == "湖南测试会计师事务所"
    assert event.detail["after"]["agency_name"] == "别家事务所"


@pytest.mark.parametrize("target", ["audit_admin", "sys_admin", "sec_admin"])
def test_no_administrator_changes_an_administrators_role(org: Any, users: dict[str, Any], login: Any,
                                                          target: str) -> None:
    account = users[target]
    url = reverse("accounts:role_assign", kwargs={"pk": account.pk})
    client = login(users["sec_admin"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"role": "unit_filler", "unit": org["units"]["a"].pk,
                             "lock_version": account.lock_version}).status_code == 403
    account.refresh_from_db()
    assert account.role == target
    assert SecurityEvent.objects.filter(event_type="permission_denied", username="sec_admin").count() == 2


def test_disabling_an_administrator_needs_another_kind_a_reason_and_alerts_the_third(users: dict[str, Any],
                                                                                     login: Any) -> None:
    sys_admin = login(users["sys_admin"])
    # Not itself, not (were there one) another system administrator.
    assert sys_admin.get(reverse("accounts:user_active", kwargs={"pk": users["sys_admin"].pk})).status_code == 403
    url = reverse("accounts:user_active", kwargs={"pk": users["sec_admin"].pk})
    refused = sys_admin.post(url, {"reason": ""})
    assert refused.status_code == 200 and "该字段是必填项" in refused.content.decode()
    assert User.objects.get(pk=users["sec_admin"].pk).is_active
    assert sys_admin.post(url, {"reason": "离岗交接"}).status_code == 302
    assert not User.objects.get(pk=users["sec_admin"].pk).is_active
    event = SecurityEvent.objects.get(event_type="user_disable")
    assert event.username == "sys_admin" and event.detail["reason"] == "离岗交接"
    alert = Notification.objects.get(recipient=users["audit_admin"])
    assert "管理员账号已停用" in alert.title and "离岗交接" in alert.body
    assert not Notification.objects.filter(recipient=users["sys_admin"]).exists()
    # The system administrator is disabled by one of the other two, never by itself.
    assert login(users["audit_admin"]).post(
        reverse("accounts:user_active", kwargs={"pk": users["sys_admin"].pk}), {"reason": "调岗"}).status_code == 302
    assert not User.objects.get(pk=users["sys_admin"].pk).is_active


def test_business_accounts_are_disabled_by_the_system_administrator_with_a_reason(users: dict[str, Any],
                                                                                  login: Any) -> None:
    url = reverse("accounts:user_active", kwargs={"pk": users["unit_filler"].pk})
    assert login(users["sec_admin"]).post(url, {"reason": "x"}).status_code == 403
    assert login(users["sys_admin"]).post(url, {"reason": "离职"}).status_code == 302
    assert not User.objects.get(pk=users["unit_filler"].pk).is_active


def test_business_data_and_record_histories_are_for_business_roles(org: Any, users: dict[str, Any],
                                                                   login: Any) -> None:
    project = org["projects"]["a"]
    for role in ("sys_admin", "sec_admin", "audit_admin"):
        client = login(users[role])
        assert client.get(reverse("organisation:project_list")).status_code == 403, role
        assert client.get(reverse("organisation:project_edit", kwargs={"pk": project.pk})).status_code == 403, role
        history = reverse("audit:history", kwargs={"model": "organisation.project", "pk": project.pk})
        assert client.get(history).status_code == 403, role
    assert login(users["perf_section"]).get(
        reverse("audit:history", kwargs={"model": "organisation.project", "pk": project.pk})).status_code == 200
