"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

KEYS = ("a", "a_sub", "b")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.organisation.models import ImportBatch

    u, p, e = org["units"], org["projects"], org["expenditures"]
    batch = ImportBatch.objects.create(kind="units", file_name="x.xlsx", uploaded_by=users["perf_section"],
                                       status="rejected", annotated_workbook=b"PK\x03\x04")
    return {
        "organisation:unit_detail": [(k, {"pk": u[k].pk}, k) for k in KEYS],
        "organisation:unit_edit": [(k, {"pk": u[k].pk}, k) for k in KEYS],
        "organisation:project_detail": [(k, {"pk": p[k].pk}, k) for k in KEYS],
        "organisation:project_edit": [(k, {"pk": p[k].pk}, k) for k in KEYS],
        "organisation:expenditure_detail": [(k, {"pk": e[k].pk}, k) for k in KEYS],
        "organisation:expenditure_edit": [(k, {"pk": e[k].pk}, k) for k in KEYS],
        "organisation:import_template": [("units", {"kind": "units"}, ""), ("projects", {"kind": "projects"}, "")],
        "organisation:import_batch": [("batch", {"pk": batch.pk}, "")],
        "organisation:import_annotated": [("batch", {"pk": batch.pk}, "")],
        "organisation:import_retry": [("batch", {"pk": batch.pk}, "")],
    }
