"""Issue 17 item 4: lockout under parallel logins, per-address throttling, no username enumeration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from conftest import PASSWORD, make_user
from jixiao.accounts.models import User
from jixiao.audit.models import SecurityEvent

LOGIN = "/accounts/login/"

PARALLEL_LOGINS = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client
call_command("migrate", verbosity=0)
from jixiao.accounts.models import User
from jixiao.audit.models import SecurityEvent
for name in ("victim", "victim2"):
    u = User(username=name, real_name="x", role="perf_section")
    u.set_password("Right@2021pw")
    u.save()
def attempt(username, password, results):
    barrier.wait()
    try:
        r = Client(REMOTE_ADDR="10.9.0.%d" % (len(results) % 200 + 1)).post(
            "/accounts/login/", {"username": username, "password": password})
        results.append(r.status_code)
    finally:
        connections.close_all()
for username, passwords in (("victim", ["Wrong@2021pw"] * 30), ("victim2", ["Wrong@2021pw"] * 29 + ["Right@2021pw"])):
    barrier = threading.Barrier(len(passwords))
    results = []
    threads = [threading.Thread(target=attempt, args=(username, p, results)) for p in passwords]
    [t.start() for t in threads]
    [t.join() for t in threads]
    events = SecurityEvent.objects.filter(username=username)
    checked_wrong = events.filter(event_type="login_failed", outcome="failure").count()
    logged_in = results.count(302)
    print(username, len(results), checked_wrong + logged_in, events.filter(event_type="lockout").count())
after = Client().post("/accounts/login/", {"username": "victim", "password": "Right@2021pw"})
print("after", after.status_code)
"""


def run_parallel_logins(database_url: str, var_dir: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    env |= {"JIXIAO_DATABASE_URL": database_url, "JIXIAO_VAR_DIR": str(var_dir), "JIXIAO_TESTING": "1",
            "DJANGO_SETTINGS_MODULE": "jixiao.settings"}
    result = subprocess.run([sys.executable, "-c", PARALLEL_LOGINS], env=env, capture_output=True, text=True,
                            timeout=600, cwd=Path(__file__).resolve().parents[3])
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-3:]


def test_thirty_parallel_logins_get_at_most_five_password_checks(tmp_path: Path) -> None:
    """30 simultaneous POSTs on a real database file: only the first five are checked, the rest are refused
    unchecked, the account is locked once, and the right password among 29 wrong ones does not get in."""
    from django.conf import settings

    urls = [f"sqlite:///{tmp_path / 'race.sqlite3'}"]
    db = settings.DATABASES["default"]
    admin = None
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        race_db = f"jixiao_race_{tmp_path.name[-8:]}".lower().replace("-", "_")
        admin = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
                                autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{race_db}" WITH (FORCE)')  # left by an interrupted run
        admin.execute(f'CREATE DATABASE "{race_db}"')
        urls.append(f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{race_db}")
    try:
        for url in urls:
            victim, victim2, after = run_parallel_logins(url, tmp_path)
            assert victim == "victim 30 5 1", url
            _name, answered, checked, lockouts = victim2.split()
            assert answered == "30" and int(checked) <= 5 and lockouts in ("0", "1"), (url, victim2)
            assert after == "after 200", url  # locked: the right password is refused afterwards
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE "{race_db}" WITH (FORCE)')
            admin.close()


class CountingHasher(MD5PasswordHasher):
    """The test suite's MD5 hasher, counting how often a password is checked."""

    calls: ClassVar[list[str]] = []

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.calls.append(password)
        return super().verify(password, encoded)


def refusal(html: str) -> str:
    found = re.search(r'role="alert">(.*?)</div>', html, re.S)
    assert found, html[:500]
    return found.group(1).strip()


@pytest.mark.django_db
def test_locked_unknown_and_wrong_password_get_the_same_answer_and_the_same_work(org: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    from jixiao.accounts import services

    services._DUMMY_HASH.clear()
    make_user("perf_section", "present")
    locked = make_user("perf_section", "locked")
    for _ in range(5):
        Client().post(LOGIN, {"username": "locked", "password": "Wrong@123"})
    locked.refresh_from_db()
    assert locked.is_locked()
    answers = {}
    for case, username, password in (("locked, right password", "locked", PASSWORD),
                                     ("unknown", "nobody-here", PASSWORD),
                                     ("wrong password", "present", "Wrong@123")):
        CountingHasher.calls.clear()
        response = Client().post(LOGIN, {"username": username, "password": password})
        assert response.status_code == 200 and "_auth_user_id" not in response.client.session
        answers[case] = refusal(response.content.decode())
        assert len(CountingHasher.calls) == 1, (case, CountingHasher.calls)  # one hash each: the same time
    assert len(set(answers.values())) == 1, answers
    services._DUMMY_HASH.clear()


@pytest.mark.django_db
def test_one_address_is_throttled_after_twenty_failures_others_are_not(org: Any) -> None:
    make_user("perf_section", "jxg")
    attacker = Client(REMOTE_ADDR="10.1.2.3")
    for i in range(20):
        attacker.post(LOGIN, {"username": f"guess{i}", "password": "Wrong@123"})
    refused = attacker.post(LOGIN, {"username": "jxg", "password": PASSWORD})
    assert refused.status_code == 429 and "本机登录失败次数过多" in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert User.objects.get(username="jxg").failed_logins == 0  # the throttled attempt never reached the account
    assert SecurityEvent.objects.filter(ip="10.1.2.3", detail__reason="ip_throttled").count() == 1
    assert Client(REMOTE_ADDR="10.1.2.4").post(LOGIN, {"username": "jxg", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_lockout_alerts_the_security_administrators(org: Any, users: dict[str, Any]) -> None:
    from jixiao.workflow.models import Notification

    for _ in range(5):
        Client().post(LOGIN, {"username": "unit_filler", "password": "Wrong@123"})
    alert = Notification.objects.get(recipient=users["sec_admin"])
    assert "账号被锁定" in alert.title and "unit_filler" in alert.body
    assert not Notification.objects.filter(recipient=users["sys_admin"]).exists()
