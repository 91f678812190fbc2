from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_user
from jixiao.accounts.models import User
from jixiao.audit.models import SecurityEvent

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_success_logs_event_and_lands_on_home(org: Any) -> None:
    make_user("npc_reader", "jxg")
    client = Client()
    response = post_login(client, "jxg", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert "您好" in home.content.decode()
    assert SecurityEvent.objects.filter(event_type="login", username="jxg", outcome="success").count() == 1


def test_wrong_password_message_does_not_say_which_part_was_wrong(org: Any) -> None:
    make_user("npc_reader", "jxg")
    client = Client()
    for username in ("jxg", "nobody"):
        html = post_login(client, username, "Wrong@123").content.decode()
        assert "用户名或密码错误" in html


def test_five_bad_passwords_lock_the_account_for_thirty_minutes(org: Any) -> None:
    user = make_user("unit_filler", "tb", unit=org["units"]["a_sub"])
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            post_login(client, "tb", "Wrong@123")
        user.refresh_from_db()
        assert user.is_locked()
        # The correct password is refused while locked.
        html = post_login(client, "tb", PASSWORD).content.decode()
        assert "账号已被锁定" in html
        assert "_auth_user_id" not in client.session
        traveller.shift(timedelta(minutes=29))
        assert "账号已被锁定" in post_login(client, "tb", PASSWORD).content.decode()
        traveller.shift(timedelta(minutes=2))
        assert post_login(client, "tb", PASSWORD).status_code == 302
    events = SecurityEvent.objects.filter(username="tb")
    assert events.filter(event_type="login_failed", outcome="failure").count() == 5
    assert events.filter(event_type="lockout").count() == 1
    assert events.filter(event_type="login_failed", outcome="denied").count() == 2


def test_audit_admin_reads_the_lockout_and_nobody_can_edit_it(org: Any, users: dict[str, Any], login: Any) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, "unit_filler", "Wrong@123")
    audit = login(users["audit_admin"])
    page = audit.get(reverse("audit:security_log") + "?event_type=lockout")
    assert page.status_code == 200
    assert "账号锁定" in page.content.decode() and "unit_filler" in page.content.decode()
    # No application role can reach the log, let alone change it: there is no edit URL at all.
    for role in ("sys_admin", "sec_admin", "perf_section"):
        assert login(users[role]).get(reverse("audit:security_log")).status_code == 403
    event = SecurityEvent.objects.get(event_type="lockout")
    from jixiao.audit.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).update(username="x")


def test_idle_session_ends_after_thirty_minutes(org: Any) -> None:
    make_user("npc_reader", "jxg")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_login(client, "jxg", PASSWORD)
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity slides the window
        traveller.shift(timedelta(minutes=31))
        response = client.get("/")
    assert response.status_code == 302 and "timeout=1" in response["Location"]
    assert SecurityEvent.objects.filter(event_type="session_timeout", username="jxg").exists()


def test_logout_destroys_the_session(org: Any) -> None:
    make_user("npc_reader", "jxg")
    client = Client()
    post_login(client, "jxg", PASSWORD)
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_authenticated_pages_are_not_cached(org: Any, users: dict[str, Any], login: Any) -> None:
    response = login(users["perf_section"]).get("/")
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_password_policy_and_forced_change(org: Any) -> None:
    user = make_user("npc_reader", "jxg", must_change_password=True)
    client = Client()
    post_login(client, "jxg", PASSWORD)
    assert client.get("/").url == reverse("accounts:password_change")
    weak = client.post(reverse("accounts:password_change"),
                       {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert "至少包含" in weak.content.decode()
    good = client.post(reverse("accounts:password_change"),
                       {"old_password": PASSWORD, "new_password1": "New#Pass2021", "new_password2": "New#Pass2021"})
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New#Pass2021") and not user.must_change_password
    assert client.get("/").status_code == 200
    assert SecurityEvent.objects.filter(event_type="password_change", username="jxg").exists()


def test_the_last_five_passwords_and_the_username_are_refused(org: Any) -> None:
    make_user("npc_reader", "zhangwei")
    client = Client()
    post_login(client, "zhangwei", PASSWORD)

    def change(old: str, new: str) -> str:
        return client.post(reverse("accounts:password_change"),
                           {"old_password": old, "new_password1": new, "new_password2": new}).content.decode()

    assert "密码不能包含用户名" in change(PASSWORD, "Zhangwei#2021")
    assert "最近5次使用过的密码" in change(PASSWORD, PASSWORD)  # the current one
    passwords = [PASSWORD] + [f"Cycle#{n}Pass" for n in range(1, 6)]
    for old, new in pairwise(passwords[:5]):
        assert change(old, new) == "", new  # 302: changed
    current = passwords[4]
    for used in passwords[:5]:  # the initial password and three changes since, and the current one
        assert "最近5次使用过的密码" in change(current, used), used
    assert change(current, passwords[5]) == ""
    assert change(passwords[5], PASSWORD) == ""  # five changes later the first may come back
    assert User.objects.get(username="zhangwei").password_history.count() == 5


def test_password_older_than_ninety_days_must_be_changed(org: Any) -> None:
    user = make_user("npc_reader", "jxg")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client = Client()
    post_login(client, "jxg", PASSWORD)
    assert client.get("/").url == reverse("accounts:password_change")


def test_expired_account_cannot_log_in(org: Any) -> None:
    make_user("npc_reader", "jxg", valid_until=timezone.localdate() - timedelta(days=1))
    assert "已过有效期" in post_login(Client(), "jxg", PASSWORD).content.decode()


def test_only_the_security_admin_assigns_roles_and_it_is_logged(org: Any, users: dict[str, Any], login: Any) -> None:
    target = users["unit_filler"]
    url = reverse("accounts:role_assign", kwargs={"pk": target.pk})
    data = {"role": "unit_approver", "unit": org["units"]["a"].pk, "lock_version": target.lock_version}
    assert login(users["sys_admin"]).post(url, data).status_code == 403
    response = login(users["sec_admin"]).post(url, data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == "unit_approver"
    event = SecurityEvent.objects.get(event_type="role_change")
    assert event.username == "sec_admin" and event.detail["before"]["role"] == "unit_filler"
    # An administrator role never comes with a unit, and nobody changes their own role.
    bad = login(users["sec_admin"]).post(url, {"role": "audit_admin", "unit": org["units"]["a"].pk,
                                              "lock_version": target.lock_version})
    assert "管理员账号不属于任何预算单位" in bad.content.decode()
    own = reverse("accounts:role_assign", kwargs={"pk": users["sec_admin"].pk})
    me = users["sec_admin"]
    assert "不能修改自己的角色" in login(me).post(own, {"role": "sys_admin", "lock_version": me.lock_version}).content.decode()


def test_system_admin_creates_account_with_forced_password_change(org: Any, users: dict[str, Any], login: Any) -> None:
    client = login(users["sys_admin"])
    response = client.post(reverse("accounts:user_create"),
                           {"username": "new1", "real_name": "王五", "password": "Init#2021pw"})
    assert response.status_code == 302
    new = User.objects.get(username="new1")
    assert new.must_change_password and new.role == ""
    assert "已存在" in client.post(reverse("accounts:user_create"),
                                   {"username": "NEW1", "real_name": "x", "password": "Init#2021pw"}).content.decode()
    assert SecurityEvent.objects.filter(event_type="user_create").count() == 1


def test_no_superuser_can_log_in_to_production(org: Any, settings: Any) -> None:
    user = make_user("sys_admin", "root")
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    settings.JIXIAO_PRODUCTION = True
    assert "用户名或密码错误" in post_login(Client(), "root", PASSWORD).content.decode()
    settings.JIXIAO_PRODUCTION = False
    assert post_login(Client(), "root", PASSWORD).status_code == 302


@pytest.mark.parametrize("page", ["/healthz", "/"])
def test_page_views_do_not_write_the_session_more_than_once_a_minute(org: Any, page: str) -> None:
    """/healthz and a whole page (navigation, messages, working year): on SQLite a session write takes the
    database's write lock, so a page view writes only when the idle stamp is a minute old."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_user("npc_reader", "jxg")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_login(client, "jxg", PASSWORD)
        client.get(page)
        traveller.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as quiet:
            assert client.get(page).status_code == 200
        traveller.shift(timedelta(seconds=31))
        with CaptureQueriesContext(connection) as refreshed:
            assert client.get(page).status_code == 200
    session_writes = [q for q in quiet.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert session_writes == []
    assert any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in refreshed.captured_queries)
