"""The old lists' rows (monitoring 纠偏措施, key-evaluation 整改清单) arrive in the register with their
state, answer, workflow log and a history row, and remember where they came from (old URLs redirect)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("rectification", None), ("monitoring", "0009_job_token"),
          ("evaluation", "0006_encrypted_phone")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the migrations seed sectors and the library
def test_old_lists_migrate_into_the_register(org: dict[str, Any], users: dict[str, Any]) -> None:
    from jixiao.monitoring.tests.conftest import build_round

    rnd = build_round(org, users)
    form_pk = rnd.forms.get(project=org["projects"]["a_sub"]).pk
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[1:]).apps
    perf = users["perf_section"].pk
    unit_a, unit_sub = org["units"]["a"], org["units"]["a_sub"]
    action = old.get_model("monitoring", "CorrectiveAction").objects.create(
        form_id=form_pk, unit_id=unit_sub.pk, sector_id=unit_sub.sector_id, kind="recover", description="资金闲置，收回统筹",
        owner="王会计", deadline=date(2021, 12, 15), reduce_fen=1_000_000, feedback="已退回国库", state="reported",
        created_by_id=perf)
    from django.contrib.contenttypes.models import ContentType

    from jixiao.workflow.models import ReviewLog

    ct = ContentType.objects.get_or_create(app_label="monitoring", model="correctiveaction")[0]
    ReviewLog.objects.create(
        content_type=ct, object_id=action.pk, transition="report", transition_label="报告整改情况", from_state="issued",
        to_state="reported", from_label="待整改", to_label="整改情况待确认", actor_id=users["unit_filler"].pk, actor_role="unit_filler")
    ke = old.get_model("evaluation", "KeyEvaluation").objects.create(
        year=2021, evaluated_year=2020, title="东湖局项目重点评价", unit_id=unit_a.pk, sector_id=unit_a.sector_id,
        state="reported")
    old.get_model("evaluation", "RectificationItem").objects.create(
        key_evaluation=ke, problem="绩效目标不够细化", action="细化量化指标", owner_unit_id=unit_sub.pk,
        deadline=date(2022, 6, 30), state="accepted", feedback="已修订")
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    from jixiao.rectification.models import Rectification

    moved = Rectification.objects.get(legacy=f"correctiveaction:{action.pk}")
    assert (moved.source, moved.kind, moved.state, moved.reduce_fen, moved.feedback) == (
        "monitoring", "recover", "answered", 1_000_000, "已退回国库")
    assert moved.monitoring_form_id == form_pk and moved.year == 2021 and moved.project == org["projects"]["a_sub"]
    assert [log.transition_label for log in ReviewLog.for_document(moved)] == ["报告整改情况"]
    assert moved.history.first().history_change_reason == "由「纠偏措施」迁入整改台账"
    item = Rectification.objects.get(legacy__startswith="rectificationitem:")
    assert (item.source, item.state, item.requirement, item.unit_id, item.year, item.source_title) == (
        "key_evaluation", "closed", "细化量化指标", unit_sub.pk, 2020, "东湖局项目重点评价")
