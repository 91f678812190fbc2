"""This app's URLs in the permission matrix (tests/test_permission_matrix.py).

The fixture's focused-monitoring item of unit b is assigned to the agency user's firm; its unit key
``b_assigned`` behaves like ``b`` for every scope, and the hook below lets the agency see it (and
only it: the items of a and a_sub are not assigned, so the agency gets 404 there).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jixiao.accounts.roles import EXTERNAL_READERS, Role

KEYS = ("a", "a_sub", "b")
ASSIGNED = "b_assigned"
LABELS = ("monitoring.monitoringform", "monitoring.focusitem")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.monitoring.models import Engagement, ExecutionImport, FocusItem, ReportJob
    from jixiao.monitoring.tests.conftest import build_round, registry_agency

    rnd = build_round(org, users)
    perf = users[Role.PERF_SECTION]
    forms = {k: rnd.forms.get(project=org["projects"][k]) for k in KEYS}
    items = {k: FocusItem.objects.create(form=forms[k], reason="manual") for k in KEYS}  # kept by re-selection
    engagement = Engagement.objects.create(round=rnd, agency=registry_agency(users), title="重点监控",
                                           due_on=date(2021, 11, 30), created_by=perf)
    FocusItem.objects.filter(pk=items["b"].pk).update(engagement=engagement)
    batch = ExecutionImport.objects.create(year=2021, file_name="x.xlsx", uploaded_by=perf, status="rejected",
                                           annotated_workbook=b"PK\x03\x04")
    # the former 纠偏措施 pages redirect to the register items migrated from them
    from jixiao.rectification.models import Rectification

    for n, k in enumerate(KEYS):
        Rectification.objects.create(source="monitoring", source_title=rnd.title, monitoring_form=forms[k], year=2021,
                                     unit=forms[k].unit, sector=forms[k].sector, kind="urge", problem="执行偏慢",
                                     requirement="加快支付", deadline=date(2021, 12, 31), state="issued",
                                     legacy=f"correctiveaction:{8000 + n}")
    job = ReportJob.objects.create(round=rnd, requested_by=perf, status="done", percent=100, content=b"PK\x03\x04")
    form_key = {"a": "a", "a_sub": "a_sub", "b": ASSIGNED}
    per_form = ("monitoring:form_detail", "monitoring:form_edit", "monitoring:form_transition",
                "monitoring:paper_receipt", "monitoring:form_docx", "monitoring:focus_add")
    per_round = ("monitoring:round_detail", "monitoring:focus_rule", "monitoring:focus_select", "monitoring:report_create")
    return {
        **{name: [(k, {"pk": forms[k].pk}, form_key[k]) for k in KEYS] for name in per_form},
        **{name: [("round", {"pk": rnd.pk}, "")] for name in per_round},
        "monitoring:light_preview": [(k, {"pk": forms[k].pk, "row": forms[k].rows.first().pk}, form_key[k])
                                     for k in KEYS],
        "monitoring:focus_detail": [(k, {"pk": items[k].pk}, form_key[k]) for k in KEYS],
        "monitoring:execution_batch": [("batch", {"pk": batch.pk}, "")],
        "monitoring:execution_annotated": [("batch", {"pk": batch.pk}, "")],
        "monitoring:execution_retry": [("batch", {"pk": batch.pk}, "")],
        "monitoring:report_detail": [("job", {"pk": job.pk}, "")],
        "monitoring:report_download": [("job", {"pk": job.pk}, "")],
        "monitoring:action_detail": [(k, {"pk": 8000 + n}, k) for n, k in enumerate(KEYS)],
    }


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if unit_key == ASSIGNED and role == Role.AGENCY and label in LABELS:
        return 200  # the one item assigned to the agency's firm
    if role in EXTERNAL_READERS and label == "monitoring.monitoringform" and unit_key:
        return 404  # external readers see accepted forms only; the fixture's are drafts
    return None
