"""Move 财审联动's audit findings (``auditlink.AuditFinding``) into the one register as items of source 审计.

Each finding becomes a register item remembering where it came from (``legacy``, so its old URL
redirects), its workflow log is re-pointed to the new item, and its history is carried over version by
version (the audit bureau's data package of a past date still shows it as it stood then), followed by
a row saying it was migrated. The old table is dropped by auditlink's next migration.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

#: audit_finding workflow state → rectification state (a finding sent back after its answer is 退回重新整改).
STATES = {"open": "issued", "answered": "answered", "closed": "closed", "withdrawn": "cancelled"}
REASON = "由「审计发现问题」迁入整改台账"


def _values(version: Any, sectors: dict[int, int]) -> dict[str, Any]:
    """The register item's fields from a finding or one of its history rows."""
    found_on = version.found_on
    state = STATES.get(version.state, "issued")
    if version.state == "open" and version.feedback.strip():
        state = "returned"
    return {
        "source": "audit", "source_title": f"区审计局{found_on.year}年{found_on.month}月{found_on.day}日审计发现",
        "year": version.year, "project_id": version.project_id, "unit_id": version.unit_id,
        "sector_id": sectors.get(version.unit_id), "kind": "rectify", "problem": version.title,
        "requirement": version.requirement, "found_on": found_on, "amount_fen": version.amount_fen,
        "deadline": version.deadline, "feedback": version.feedback, "answered_at": version.answered_at,
        "closed_at": version.closed_at, "created_by_id": version.created_by_id, "state": state,
        "state_changed_at": version.state_changed_at, "legacy": f"auditfinding:{version.id}",
    }


def forwards(apps: Any, schema_editor: Any) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    rectification = apps.get_model("rectification", "Rectification")
    historical = apps.get_model("rectification", "HistoricalRectification")
    finding_model = apps.get_model("auditlink", "AuditFinding")
    old_history = apps.get_model("auditlink", "HistoricalAuditFinding")
    review_log = apps.get_model("workflow", "ReviewLog")
    sectors = dict(apps.get_model("organisation", "BudgetUnit").objects.values_list("pk", "sector_id"))
    new_ct, _ = content_type.objects.get_or_create(app_label="rectification", model="rectification")
    old_ct = content_type.objects.filter(app_label="auditlink", model="auditfinding").first()
    now = timezone.now()
    for f in finding_model.objects.order_by("pk"):
        versions = list(old_history.objects.filter(id=f.pk).order_by("history_date", "history_id"))
        created = versions[0].history_date if versions else now
        item = rectification.objects.create(**_values(f, sectors), created_at=created, lock_version=f.lock_version)
        for v in versions:
            historical.objects.create(
                **_values(v, sectors), id=item.pk, created_at=created, history_date=v.history_date,
                history_type=v.history_type, history_user_id=v.history_user_id,
                history_change_reason=v.history_change_reason)
        values = {fl.attname: getattr(item, fl.attname) for fl in item._meta.concrete_fields if fl.attname != "lock_version"}
        historical.objects.create(**values, history_date=now, history_type="~" if versions else "+",
                                  history_change_reason=REASON)
        if old_ct is not None:
            review_log.objects.filter(content_type=old_ct, object_id=f.pk).update(content_type=new_ct, object_id=item.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0003_audit_finding_fields"),
        ("auditlink", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0002_alter_reviewlog_at"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
