"""Move the monitoring stage's 纠偏措施 and the key evaluations' 整改清单 into the one register.

Each old row becomes a register item remembering where it came from (``legacy``, so old URLs
redirect), its workflow log is re-pointed to the new item, and its history starts with a row
saying it was migrated. The old tables are dropped by the next migrations of monitoring and
evaluation.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

ACTION_STATES = {"issued": "issued", "reported": "answered", "closed": "closed", "cancelled": "cancelled"}
ITEM_STATES = {"open": "issued", "answered": "answered", "accepted": "closed"}


def _history(apps: Any, item: Any, reason: str) -> None:
    historical = apps.get_model("rectification", "HistoricalRectification")
    values = {f.attname: getattr(item, f.attname) for f in item._meta.concrete_fields if f.attname != "lock_version"}
    historical.objects.create(**values, history_date=timezone.now(), history_type="+", history_change_reason=reason)


def _repoint_log(apps: Any, old_ct: Any, old_pk: int, new_ct: Any, new_pk: int) -> None:
    apps.get_model("workflow", "ReviewLog").objects.filter(content_type=old_ct, object_id=old_pk).update(
        content_type=new_ct, object_id=new_pk)


def forwards(apps: Any, schema_editor: Any) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    rectification = apps.get_model("rectification", "Rectification")
    new_ct, _ = content_type.objects.get_or_create(app_label="rectification", model="rectification")
    action_ct = content_type.objects.filter(app_label="monitoring", model="correctiveaction").first()
    item_ct = content_type.objects.filter(app_label="evaluation", model="rectificationitem").first()
    actions = apps.get_model("monitoring", "CorrectiveAction").objects.select_related(
        "form__round", "form__project", "form__unit").order_by("pk")
    for a in actions:
        form = a.form
        subject = form.project.name if form.project_id else form.unit.name
        item = rectification.objects.create(
            source="monitoring", source_title=f"{form.round.title}：{subject}"[:200], monitoring_form=form,
            year=form.round.year, project=form.project, unit_id=a.unit_id, sector_id=a.sector_id, kind=a.kind,
            problem=a.description, requirement=a.description, owner=a.owner, deadline=a.deadline,
            reduce_fen=a.reduce_fen, budget_base_fen=form.budget_fen if a.reduce_fen else None, feedback=a.feedback, closed_at=a.closed_at,
            answered_at=a.state_changed_at if a.state == "reported" else None,
            target_adjustment_id=a.target_adjustment_id, created_by_id=a.created_by_id, created_at=a.created_at,
            state=ACTION_STATES.get(a.state, "issued"), state_changed_at=a.state_changed_at,
            lock_version=a.lock_version, legacy=f"correctiveaction:{a.pk}")
        _history(apps, item, "由「纠偏措施」迁入整改台账")
        if action_ct is not None:
            _repoint_log(apps, action_ct, a.pk, new_ct, item.pk)
    items = apps.get_model("evaluation", "RectificationItem").objects.select_related(
        "key_evaluation", "owner_unit").order_by("pk")
    for r in items:
        ke = r.key_evaluation
        item = rectification.objects.create(
            source="unit_evaluation" if ke.kind == "unit" else "key_evaluation", source_title=ke.title[:200],
            key_evaluation=ke, year=ke.evaluated_year, project_id=ke.project_id, unit_id=r.owner_unit_id,
            sector_id=r.owner_unit.sector_id, kind="rectify", problem=r.problem, requirement=r.action,
            deadline=r.deadline, feedback=r.feedback, answered_at=r.answered_at, closed_at=r.accepted_at,
            state=ITEM_STATES.get(r.state, "issued"), lock_version=r.lock_version, created_at=ke.reported_at or timezone.now(),
            legacy=f"rectificationitem:{r.pk}")
        _history(apps, item, "由「重点评价整改清单」迁入整改台账")
        if item_ct is not None:
            _repoint_log(apps, item_ct, r.pk, new_ct, item.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0002_alter_reviewlog_at"),
        ("monitoring", "0009_job_token"),
        ("evaluation", "0006_encrypted_phone"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
