"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.core.models import ExportJob

    job = ExportJob.objects.create(requested_by=users["unit_filler"], title="预算项目", path="/budget/projects/",
                                   status=ExportJob.Status.DONE, content=b"PK", file_name="预算项目.xlsx")
    call = [("unit_filler 的导出", {"pk": job.pk}, "")]
    return {"core:export_job": call, "core:export_download": call}
