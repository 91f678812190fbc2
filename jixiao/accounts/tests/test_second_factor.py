"""Issue 17 item 10: TOTP second factor (django-otp), recovery codes, device reset, session limits."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, enrol_totp, make_user
from jixiao.audit.models import SecurityEvent

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def password_login(username: str) -> Client:
    client = Client()
    assert client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code == 302
    return client


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_finance_enrols_at_first_login_and_gets_recovery_codes(org: Any) -> None:
    make_user("perf_section", "jxg")
    client = password_login("jxg")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("organisation:project_list")).status_code == 302  # nothing before the second factor
    enrol = client.get(reverse("accounts:otp_verify"), follow=True)
    assert "绑定动态口令" in enrol.content.decode() and "手动输入密钥" in enrol.content.decode()
    device = TOTPDevice.objects.get(user__username="jxg", confirmed=False)
    wrong = client.post(reverse("accounts:otp_enrol"), {"token": "000000" if code(device) != "000000" else "111111"})
    assert "动态口令不正确" in wrong.content.decode()
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):  # after the failure's back-off
        device.refresh_from_db()
        done = client.post(reverse("accounts:otp_enrol"), {"token": code(device)}).content.decode()
    codes = re.findall(r"<code>(\d{8})</code>", done)
    assert len(codes) == 10 and "只显示这一次" in done
    assert client.get("/").status_code == 200
    assert SecurityEvent.objects.filter(event_type="otp_enrol", username="jxg").exists()

    # The next login asks for the code; a recovery code works once.
    again = password_login("jxg")
    assert again.get("/").status_code == 302
    assert again.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    assert again.get("/").status_code == 200
    third = password_login("jxg")
    refused = third.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert "动态口令不正确" in refused.content.decode()
    assert SecurityEvent.objects.filter(event_type="otp_failed", username="jxg").count() == 1


@pytest.mark.parametrize("role", ["budget_desk", "sys_admin", "sec_admin", "audit_admin"])
def test_budget_desks_and_administrators_need_the_second_factor(org: Any, role: str) -> None:
    make_user(role, "someone")
    assert password_login("someone").get("/").status_code == 302


def test_units_may_enrol_and_are_then_always_asked(org: Any) -> None:
    user = make_user("unit_filler", "tb", unit=org["units"]["a_sub"])
    assert password_login("tb").get("/").status_code == 200  # optional for units
    device = enrol_totp(user)
    client = password_login("tb")
    assert client.get("/").status_code == 302
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_the_security_administrator_resets_a_device_and_it_is_logged(org: Any, users: dict[str, Any],
                                                                       login: Any) -> None:
    target = users["perf_section"]
    enrol_totp(target)
    url = reverse("accounts:otp_reset", kwargs={"pk": target.pk})
    assert login(users["sys_admin"]).post(url).status_code == 403
    assert login(users["sec_admin"]).post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    event = SecurityEvent.objects.get(event_type="otp_reset")
    assert event.username == "sec_admin" and event.detail["target"] == "perf_section"
    own = reverse("accounts:otp_reset", kwargs={"pk": users["sec_admin"].pk})
    assert login(users["sec_admin"]).post(own).status_code == 403
    # The user enrols again at the next login.
    client = password_login("perf_section")
    assert "绑定动态口令" in client.get(reverse("accounts:otp_verify"), follow=True).content.decode()


def test_an_administrator_has_one_session_at_a_time(org: Any, users: dict[str, Any], login: Any,
                                                    settings: Any) -> None:
    first = login(users["sec_admin"])
    assert first.get(reverse("accounts:user_list")).status_code == 200
    second = login(users["sec_admin"])
    assert second.get(reverse("accounts:user_list")).status_code == 200
    assert first.get(reverse("accounts:user_list")).status_code == 302  # the older session was ended
    assert SecurityEvent.objects.filter(event_type="session_limit", username="sec_admin").count() == 1
    # Business accounts: no limit by default, configurable.
    a, b = login(users["npc_reader"]), login(users["npc_reader"])
    assert a.get("/").status_code == b.get("/").status_code == 200
    settings.JIXIAO_MAX_SESSIONS = 1
    c = login(users["npc_reader"])
    assert a.get("/").status_code == 302 and b.get("/").status_code == 302 and c.get("/").status_code == 200
