from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from jixiao.audit.models import SecurityEvent, verify_chain
from jixiao.audit.services import log_event

pytestmark = pytest.mark.django_db


def test_database_refuses_update_and_delete_even_in_raw_sql() -> None:
    event = log_event("login", username="someone")
    for sql in (
        "UPDATE audit_securityevent SET username = 'forged' WHERE id = %s",
        "DELETE FROM audit_securityevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.username == "someone"


def test_hash_chain_finds_the_first_tampered_row() -> None:
    events = [log_event("login", username=f"user{i}") for i in range(5)]
    assert verify_chain() is None
    # Simulate tampering below the application (e.g. a DBA with the triggers dropped).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER securityevent_no_update")
        else:
            cursor.execute("ALTER TABLE audit_securityevent DISABLE TRIGGER securityevent_guard")
        cursor.execute("UPDATE audit_securityevent SET username = 'forged' WHERE id = %s", [events[2].pk])
    broken = verify_chain()
    assert broken is not None and broken.pk == events[2].pk


def test_audit_admin_verifies_the_chain_on_screen(users: dict[str, Any], login: Any) -> None:
    log_event("login", username="x")
    html = login(users["audit_admin"]).get(reverse("audit:security_log") + "?verify=1").content.decode()
    assert "日志完整性校验通过" in html


def test_permission_refusals_are_logged(users: dict[str, Any], login: Any) -> None:
    login(users["unit_filler"]).get(reverse("audit:security_log"))
    event = SecurityEvent.objects.get(event_type="permission_denied")
    assert event.username == "unit_filler" and event.outcome == "denied"


def test_exports_are_logged(users: dict[str, Any], login: Any) -> None:
    login(users["perf_section"]).get(reverse("organisation:project_list") + "?export=xlsx")
    assert SecurityEvent.objects.filter(event_type="export", username="perf_section").count() == 1


def test_history_shows_who_changed_what_before_and_after(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    project = org["projects"]["a"]
    client = login(users["perf_section"])
    url = reverse("organisation:project_edit", kwargs={"pk": project.pk})
    data = {
        "name": "东湖局项目（调整）", "unit": project.unit_id, "sector": project.sector_id,
        "fund_sources": [s.pk for s in project.fund_sources.all()], "initial_budget_fen": "50",
        "adjusted_budget_fen": "45.5", "lock_version": project.lock_version,
    }
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("audit:history", kwargs={"model": "organisation.project", "pk": project.pk}))
    html = page.content.decode()
    assert "perf_section用户" in html and "东湖局项目（调整）" in html
    assert "50.00 万元" in html and "45.50 万元" in html
    # Another unit's filler may not read this record's history.
    other = login(users["unit_filler"]).get(reverse("audit:history", kwargs={"model": "organisation.project", "pk": project.pk}))
    assert other.status_code == 404


def test_archive_keeps_six_months_and_writes_before_it_deletes(tmp_path: Any) -> None:
    import json
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from jixiao.audit.services import ArchiveError, archive_security_log

    now = timezone.now()
    with time_machine.travel(now - timedelta(days=200), tick=False):
        old = [log_event("login", username=f"old{i}") for i in range(3)]
    with time_machine.travel(now - timedelta(days=100), tick=False):
        recent = log_event("login", username="recent")
    target = tmp_path / "archive.jsonl"
    with pytest.raises(ArchiveError, match="至少保存180天"):
        archive_security_log(179, str(target))
    assert archive_security_log(190, str(target)) == 3
    archived = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["username"] for r in archived] == ["old0", "old1", "old2"] and archived[0]["hash"] == old[0].hash
    assert SecurityEvent.objects.filter(username__startswith="old").count() == 0
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()
    assert verify_chain() is None  # the remaining chain still verifies from its anchor
    # A recent row cannot be removed even below the application.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_securityevent WHERE id = %s", [recent.pk])


CONCURRENT_WRITERS = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from jixiao.audit.models import SecurityEvent, verify_chain
from jixiao.audit.services import log_event
call_command("migrate", verbosity=0)
failures = []
def write(n):
    try:
        for i in range(15):
            log_event("login", username=f"w{n}-{i}")
    except BaseException as exc:
        failures.append(repr(exc))
    finally:
        connections.close_all()
threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
hashes = list(SecurityEvent.objects.values_list("prev_hash", flat=True))
print(len(failures), len(hashes), len(set(hashes)), verify_chain() is None)
"""


def run_concurrent_writers(database_url: str, var_dir: Any) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    env |= {"JIXIAO_DATABASE_URL": database_url, "JIXIAO_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "jixiao.settings"}
    result = subprocess.run([sys.executable, "-c", CONCURRENT_WRITERS], env=env, capture_output=True, text=True,
                            timeout=300, cwd=Path(__file__).resolve().parents[3])
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_concurrent_writers_keep_one_unbroken_chain(tmp_path: Any) -> None:
    """Four threads append at once to a real database (a SQLite file in WAL mode, as deployed; and the
    PostgreSQL server when the suite runs on it): no error, no two rows link to the same predecessor."""
    from django.conf import settings

    assert run_concurrent_writers(f"sqlite:///{tmp_path / 'chain.sqlite3'}", tmp_path) == "0 60 60 True"
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"jixiao_chain_{tmp_path.name[-8:]}".lower().replace("-", "_")
        admin = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
                                autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
            assert run_concurrent_writers(url, tmp_path) == "0 60 60 True"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.close()
