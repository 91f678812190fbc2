"""External readers (区人大, 区审计局) see finished documents only and nothing 涉密 unless the security
administrator grants the account 涉密 access (logged); the system administrator manages identities,
not business data (三权分立). All of it through the one row-scoping function."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jixiao.audit.models import SecurityEvent
from jixiao.monitoring.models import MonitoringForm
from jixiao.monitoring.tests.conftest import build_round
from jixiao.targets.models import TargetDeclaration

pytestmark = pytest.mark.django_db
READERS = ("npc_reader", "audit_reader")


def form_url(form: MonitoringForm) -> str:
    return reverse("monitoring:form_detail", kwargs={"pk": form.pk})


def test_external_readers_see_accepted_monitoring_forms_only(org: Any, users: dict[str, Any], login: Any) -> None:
    rnd = build_round(org, users)
    done = rnd.forms.get(project=org["projects"]["a"])
    MonitoringForm.objects.filter(pk=done.pk).update(state="accepted")
    draft = rnd.forms.get(project=org["projects"]["a_sub"])
    for role in READERS:
        client = login(users[role])
        assert list(MonitoringForm.objects.for_user(users[role])) == [done]
        assert client.get(form_url(done)).status_code == 200
        assert client.get(form_url(draft)).status_code == 404
        listing = client.get(reverse("monitoring:form_list")).content.decode()
        assert form_url(done) in listing and form_url(draft) not in listing
    assert login(users["perf_section"]).get(form_url(draft)).status_code == 200


def test_audit_bureau_sees_no_draft_targets(org: Any, users: dict[str, Any], login: Any) -> None:
    build_round(org, users)  # approved targets of every fixture project
    approved = TargetDeclaration.objects.filter(project=org["projects"]["a"]).get()
    draft = TargetDeclaration.objects.filter(project=org["projects"]["b"]).get()
    TargetDeclaration.objects.filter(pk=draft.pk).update(state="draft")
    client = login(users["audit_reader"])
    assert client.get(reverse("targets:declaration_detail", kwargs={"pk": approved.pk})).status_code == 200
    assert client.get(reverse("targets:declaration_detail", kwargs={"pk": draft.pk})).status_code == 404


def test_classified_rows_hidden_until_the_security_admin_grants_access(org: Any, users: dict[str, Any],
                                                                      login: Any) -> None:
    rnd = build_round(org, users)
    secret = org["units"]["b"]
    secret.is_classified = True
    secret.save()
    MonitoringForm.objects.filter(round=rnd).update(state="accepted")
    secret_form = rnd.forms.get(project=org["projects"]["b"])
    project_url = reverse("organisation:project_detail", kwargs={"pk": org["projects"]["b"].pk})
    for role in READERS:
        reader = users[role]
        client = login(reader)
        assert client.get(project_url).status_code == 404
        assert client.get(form_url(secret_form)).status_code == 404
        assert "西岭局" not in client.get(reverse("organisation:project_list")).content.decode()
        assert client.get(reverse("organisation:unit_detail", kwargs={"pk": secret.pk})).status_code == 404
    # finance works with 涉密 rows as before
    assert login(users["perf_section"]).get(project_url).status_code == 200
    reader = users["npc_reader"]
    url = reverse("accounts:role_assign", kwargs={"pk": reader.pk})
    grant = {"role": "npc_reader", "classified_access": "on", "lock_version": reader.lock_version}
    assert login(users["sys_admin"]).post(url, grant).status_code == 403
    assert login(users["sec_admin"]).post(url, grant).status_code == 302
    reader.refresh_from_db()
    assert reader.classified_access
    event = SecurityEvent.objects.get(event_type="role_change", object_repr__contains=reader.real_name)
    assert event.username == "sec_admin"
    assert event.detail["before"]["classified_access"] is False and event.detail["after"]["classified_access"] is True
    client = login(reader)
    assert client.get(project_url).status_code == 200 and client.get(form_url(secret_form)).status_code == 200
    assert login(users["audit_reader"]).get(project_url).status_code == 404  # granted per account
    # 涉密 access is for the external readers' accounts only
    desk = users["budget_desk"]
    refused = login(users["sec_admin"]).post(reverse("accounts:role_assign", kwargs={"pk": desk.pk}), {
        "role": "budget_desk", "sectors": [org["sectors"]["edu"].pk], "classified_access": "on",
        "lock_version": desk.lock_version})
    assert "涉密查阅授权只适用于区人大、区审计局查阅人账号" in refused.content.decode()


def test_system_administrator_manages_identities_not_business_data(org: Any, users: dict[str, Any],
                                                                    login: Any) -> None:
    client = login(users["sys_admin"])
    for name in ("organisation:unit_list", "organisation:project_list", "organisation:expenditure_list",
                 "organisation:import", "organisation:import_batches", "targets:declaration_list",
                 "monitoring:form_list", "evaluation:selfeval_list"):
        assert client.get(reverse(name)).status_code == 403, name
    project = reverse("organisation:project_detail", kwargs={"pk": org["projects"]["a"].pk})
    assert client.get(project).status_code == 403
    assert client.get(reverse("accounts:user_list")).status_code == 200
    assert client.get(reverse("accounts:user_create")).status_code == 200
    home = client.get("/").content.decode()
    assert reverse("organisation:project_list") not in home
