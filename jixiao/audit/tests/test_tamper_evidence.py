"""Issue 17 item 5: the security log against a database user — keyed chain, gap-free sequence,
signed checkpoints outside the database, and what is logged and alerted."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from jixiao.audit.chain import row_mac
from jixiao.audit.models import SecurityEvent, verify_log
from jixiao.audit.services import log_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkpoints(settings: Any, tmp_path: Path) -> Path:
    settings.JIXIAO_AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.log")
    return tmp_path / "checkpoints.log"


@pytest.fixture
def five(checkpoints: Path, django_capture_on_commit_callbacks: Any) -> list[SecurityEvent]:
    events = []
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            events.append(log_event("login", username=f"user{i}"))
    return events


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def lift_triggers() -> None:
    if connection.vendor == "sqlite":
        raw("DROP TRIGGER securityevent_no_update")
        raw("DROP TRIGGER securityevent_no_delete")
    else:
        raw("ALTER TABLE audit_securityevent DISABLE TRIGGER securityevent_guard")


def restore_triggers() -> None:
    from importlib import import_module

    guard = import_module("jixiao.audit.migrations.0002_append_only_triggers")
    if connection.vendor == "sqlite":
        for sql in guard.SQLITE:
            raw(sql)
    else:
        raw("ALTER TABLE audit_securityevent ENABLE TRIGGER securityevent_guard")


def messages() -> list[str]:
    """What verify says about the rows and checkpoints (the trigger check is tested on its own)."""
    return [f.message for f in verify_log().findings if f.kind != "trigger"]


def trigger_findings() -> list[str]:
    return [f.message for f in verify_log().findings if f.kind == "trigger"]


def test_rows_are_numbered_without_gaps_keyed_and_checkpointed_outside_the_database(five: list[SecurityEvent],
                                                                                     checkpoints: Path,
                                                                                     settings: Any) -> None:
    assert [e.seq for e in five] == [1, 2, 3, 4, 5]
    assert messages() == []
    lines = [json.loads(line) for line in checkpoints.read_text().splitlines()]
    assert [(c["seq"], c["hash"]) for c in lines] == [(e.seq, e.hash) for e in five]
    # The hash is keyed: with another key, nothing verifies.
    settings.JIXIAO_AUDIT_KEY = "another-key"
    assert len([m for m in messages() if "密钥签名不符" in m]) == 5


def test_a_forged_row_with_a_recomputed_unkeyed_hash_is_named(five: list[SecurityEvent]) -> None:
    import hashlib

    lift_triggers()
    row = five[2]
    forged = row.canonical().replace("user2", "forged")
    digest = hashlib.new("sm3" if "sm3" in hashlib.algorithms_available else "sha256",
                         (row.prev_hash + forged).encode()).hexdigest()
    raw("UPDATE audit_securityevent SET username = 'forged', hash = %s WHERE id = %s", [digest, row.pk])
    found = messages()
    assert any(m.startswith("第3条记录") and "被改写或伪造" in m for m in found), found
    assert any("第4条记录与前一条记录的链接不符" in m for m in found), found
    assert any("第3条记录与检查点不符" in m for m in found), found


def test_deleted_tail_and_head_rows_are_reported_from_the_checkpoints(five: list[SecurityEvent]) -> None:
    lift_triggers()
    raw("DELETE FROM audit_securityevent WHERE seq >= 4")
    assert messages() == ["第4—5条记录缺失（日志末尾被删除，检查点记录到第5条，共2条）。"]
    raw("DELETE FROM audit_securityevent WHERE seq = 1")
    found = messages()
    assert "第1条记录缺失（日志开头被删除，共1条）。" in found


def test_a_row_deleted_in_the_middle_is_a_gap(five: list[SecurityEvent]) -> None:
    lift_triggers()
    raw("DELETE FROM audit_securityevent WHERE seq = 3")
    found = messages()
    assert "第3条记录缺失（日志中间被删除，共1条）。" in found


def test_drop_trigger_rewrite_recreate_is_found_and_a_missing_trigger_too(five: list[SecurityEvent]) -> None:
    lift_triggers()
    for e in five[1:]:  # a DBA re-chains everything after row 1 without the key
        raw("UPDATE audit_securityevent SET user_agent = 'x', hash = %s WHERE id = %s",
            [row_mac(e.prev_hash, e.canonical(), key=b"guessed"), e.pk])
    assert trigger_findings()
    restore_triggers()
    assert trigger_findings() == []
    found = messages()
    assert [m for m in found if "被改写或伪造" in m] and all(
        f"第{e.seq}条" in " ".join(found) for e in five[1:])


def test_a_tampered_checkpoint_line_is_reported(five: list[SecurityEvent], checkpoints: Path) -> None:
    lines = checkpoints.read_text().splitlines()
    record = json.loads(lines[1])
    record["seq"] = 9
    lines[1] = json.dumps(record)
    checkpoints.write_text("\n".join(lines) + "\n")
    assert messages() == ["检查点文件第2行签名无效（检查点被篡改）。"]


def test_the_command_lists_every_finding_and_fails(five: list[SecurityEvent], capsys: Any) -> None:
    call_command("audit", "verify")
    assert "安全日志完整性校验通过" in capsys.readouterr().out
    lift_triggers()
    raw("DELETE FROM audit_securityevent WHERE seq = 5")
    restore_triggers()
    with pytest.raises(CommandError, match="发现1处问题"):
        call_command("audit", "verify")
    assert "第5条记录缺失" in capsys.readouterr().out


def test_checkpoints_also_go_to_syslog(checkpoints: Path, django_capture_on_commit_callbacks: Any) -> None:
    import logging
    import logging.handlers

    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    handler = logging.handlers.SysLogHandler(address=receiver.getsockname())
    logger = logging.getLogger("jixiao.audit.checkpoint")
    logger.addHandler(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            event = log_event("login", username="syslogged")
        message = receiver.recv(4096).decode()
    finally:
        logger.removeHandler(handler)
        receiver.close()
    assert f'"seq": {event.seq}' in message and event.hash in message
    # A syslog copy is a checkpoint source for verify too.
    copy = checkpoints.parent / "syslog.txt"
    copy.write_text(message + "\n")
    checkpoints.unlink()
    assert verify_log([copy]).checkpoints == 1


def test_identity_edits_are_logged_with_the_phone_masked(users: dict[str, Any], login: Any) -> None:
    target = users["unit_filler"]
    url = reverse("accounts:user_edit", kwargs={"pk": target.pk})
    response = login(users["sys_admin"]).post(url, {"real_name": "新名字", "phone": "13912345678",
                                                    "valid_until": "2030-12-31", "lock_version": target.lock_version})
    assert response.status_code == 302
    event = SecurityEvent.objects.get(event_type="user_edit")
    assert event.detail["fields"] == ["phone", "real_name", "valid_until"]
    assert event.detail["after"]["phone"] == "139****5678" and event.detail["after"]["real_name"] == "新名字"


def test_the_completeness_export_is_logged(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    response = login(users["perf_section"]).get(reverse("targets:completeness") + "?export=xlsx")
    assert response.status_code == 200
    event = SecurityEvent.objects.get(event_type="export")
    assert event.username == "perf_section" and "六同步" in event.detail["list"]


def test_out_of_scope_record_requests_are_logged_with_the_object(org: dict[str, Any], users: dict[str, Any],
                                                                 login: Any) -> None:
    other = org["projects"]["b"]
    response = login(users["unit_filler"]).get(reverse("organisation:project_detail", kwargs={"pk": other.pk}))
    assert response.status_code == 404
    event = SecurityEvent.objects.get(event_type="record_refused")
    assert event.username == "unit_filler" and event.outcome == "denied"
    assert event.object_repr == f"organisation.project #{other.pk}"
    assert event.detail["view"] == "organisation:project_detail"


def test_a_burst_of_refusals_alerts_the_security_administrator(org: dict[str, Any], users: dict[str, Any],
                                                               login: Any) -> None:
    from jixiao.workflow.models import Notification

    client = login(users["unit_filler"])
    other = org["projects"]["b"]
    for _ in range(9):
        client.get(reverse("organisation:project_detail", kwargs={"pk": other.pk}))
    assert not Notification.objects.filter(recipient=users["sec_admin"]).exists()
    client.get(reverse("audit:security_log"))  # the tenth refusal (a 403) within ten minutes
    alert = Notification.objects.get(recipient=users["sec_admin"])
    assert "频繁越权访问" in alert.title and "unit_filler" in alert.body
