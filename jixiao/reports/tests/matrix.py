"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.reports.models import ReportTemplate
    from jixiao.reports.registry import get

    content = get("monitoring_report").builtin.read_bytes()
    version = ReportTemplate(report_type="monitoring_report", version=1, file_name="监控报告.docx",
                             uploaded_by=users["perf_section"], active=False)
    version.store(content)
    version.save()
    by_code = [("report type", {"code": "monitoring_report"}, "")]
    return {
        **{name: by_code for name in ("reports:detail", "reports:upload", "reports:download", "reports:sample",
                                      "reports:restore")},
        "reports:use": [("version", {"pk": version.pk}, "")],
    }
