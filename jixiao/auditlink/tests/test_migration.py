"""Audit findings registered before the one register arrive in it as items of source 审计 with their state,
answer, workflow log and history version by version, and remember where they came from (``legacy``: the
former page redirects to the item, tests/test_permission_matrix.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("auditlink", "0001_initial"), ("rectification", "0003_audit_finding_fields")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the migrations seed sectors and the library
def test_audit_findings_migrate_into_the_register(org: dict[str, Any], users: dict[str, Any]) -> None:
    from django.contrib.contenttypes.models import ContentType

    from jixiao.workflow.models import ReviewLog

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    audit, unit_a = users["audit_reader"], org["units"]["a"]
    finding_model = old.get_model("auditlink", "AuditFinding")
    history = old.get_model("auditlink", "HistoricalAuditFinding")
    values = {"year": 2021, "unit_id": unit_a.pk, "project_id": org["projects"]["a"].pk, "title": "项目资金闲置",
              "requirement": "盘活存量资金", "amount_fen": 100_000, "found_on": date(2021, 8, 1),
              "deadline": date(2021, 10, 31), "created_by_id": audit.pk}
    answered = finding_model.objects.create(**values, state="answered", feedback="已盘活", lock_version=1)
    withdrawn = finding_model.objects.create(**values | {"title": "重复登记"}, state="withdrawn")
    registered = timezone.now() - timedelta(days=30)
    for version, (state, feedback, when) in enumerate((("open", "", registered), ("answered", "已盘活", registered + timedelta(days=2)))):
        history.objects.create(**values, id=answered.pk, state=state, feedback=feedback, history_date=when,
                               history_type="~" if version else "+", history_user_id=audit.pk,
                               history_change_reason="登记审计发现问题" if not version else "报告整改情况")
    ct = ContentType.objects.get_or_create(app_label="auditlink", model="auditfinding")[0]
    ReviewLog.objects.create(
        content_type=ct, object_id=answered.pk, transition="answer", transition_label="报告整改情况", from_state="open",
        to_state="answered", from_label="待整改", to_label="已反馈", actor_id=users["unit_approver"].pk,
        actor_role="unit_approver")
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    from jixiao.rectification.models import Rectification

    item = Rectification.objects.get(legacy=f"auditfinding:{answered.pk}")
    assert (item.source, item.state, item.problem, item.requirement, item.feedback, item.amount_fen, item.found_on,
            item.year, item.unit, item.project, item.created_by, item.sector) == (
        "audit", "answered", "项目资金闲置", "盘活存量资金", "已盘活", 100_000, date(2021, 8, 1), 2021, unit_a,
        org["projects"]["a"], audit, unit_a.sector)
    assert item.created_at == registered
    assert Rectification.objects.get(legacy=f"auditfinding:{withdrawn.pk}").state == "cancelled"
    assert [log.transition_label for log in ReviewLog.for_document(item)] == ["报告整改情况"]
    versions = list(item.history.order_by("history_date", "history_id"))
    assert [(v.state, v.history_change_reason) for v in versions] == [
        ("issued", "登记审计发现问题"), ("answered", "报告整改情况"), ("answered", "由「审计发现问题」迁入整改台账")]
    assert versions[0].history_date == registered
