"""Report types rendered from Word templates (docxtpl): the one registry every app's reports join.

An app registers each of its Word reports once (at import of its ``reporttypes`` module, imported
from its ``AppConfig.ready``)::

    from jixiao.reports.registry import ReportType, register

    register(ReportType(
        code="monitoring_report",                  # URL slug and the built-in file's name
        name="预算绩效运行监控情况报告",             # shown to the performance section
        builtin=HERE / "report_templates" / "monitoring_report.docx",
        sample=sample_context,                     # () -> dict: every field the real context has
        build=build_template,                      # () -> python-docx Document: the built-in template
        fields={"title": "报告标题", ...},          # optional: what each field means, for template editors
    ))

and renders with ``jixiao.reports.rendering.render(code, context) -> bytes``. The context is plain
data (str, numbers, lists, dicts) plus :class:`Chart` for pictures; the template in use is the
performance section's active upload for that type, else the built-in one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Chart:
    """A picture in a report (PNG from ``core.charts``), placed where the template says ``{{ name }}``."""

    png: bytes
    width_mm: int = 150


@dataclass(frozen=True)
class ReportType:
    code: str
    name: str
    builtin: Path
    sample: Callable[[], dict[str, Any]]
    build: Callable[[], Any] | None = None
    fields: dict[str, str] = field(default_factory=dict)


REPORT_TYPES: dict[str, ReportType] = {}


def register(report_type: ReportType) -> ReportType:
    REPORT_TYPES[report_type.code] = report_type
    return report_type


def get(code: str) -> ReportType:
    return REPORT_TYPES[code]


def all_types() -> list[ReportType]:
    return sorted(REPORT_TYPES.values(), key=lambda t: t.code)
