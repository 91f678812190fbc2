"""State changes of report templates: upload a version (checked first), use a version, restore the
built-in template. Each change is in the record's history and in the security log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.types import with_reason
from jixiao.reports.models import ReportTemplate
from jixiao.reports.registry import get
from jixiao.reports.rendering import check_template


class TemplateError(Exception):
    pass


def _require(user: Any) -> None:
    if not user.can("reports.reporttemplate", "change"):
        raise TemplateError("您的角色无权修改报告模板。")


def _deactivate(code: str, reason: str) -> None:
    for old in ReportTemplate.objects.select_for_update().filter(report_type=code, active=True):
        old.active = False
        with_reason(old, reason)
        old.save()


def upload_template(code: str, content: bytes, file_name: str, user: Any, note: str = "", request: Any = None) -> ReportTemplate:
    """Check the template by rendering it with the sample context (``TemplateRefused`` with Chinese
    messages when it fails), then store it as the type's next version and use it."""
    _require(user)
    report_type = get(code)
    check_template(code, content)
    with transaction.atomic():
        version = (ReportTemplate.objects.select_for_update().filter(report_type=code)
                   .aggregate(n=Max("version"))["n"] or 0) + 1
        _deactivate(code, f"上传第{version}版，停用本版")
        template = ReportTemplate(report_type=code, version=version, file_name=file_name[:200], note=note[:200],
                                  uploaded_by=user, active=True)
        template.store(content)
        with_reason(template, f"上传{report_type.name}模板第{version}版")
        template.save()
    log_event(EventType.SETTINGS_CHANGE, request=request, user=user, obj=template, action="上传报告模板",
              report=report_type.name, version=version)
    return template


def use_version(template: ReportTemplate, user: Any, request: Any = None) -> ReportTemplate:
    """Use an earlier uploaded version again."""
    _require(user)
    name = get(template.report_type).name
    with transaction.atomic():
        _deactivate(template.report_type, f"改用第{template.version}版，停用本版")
        template.refresh_from_db()
        template.active = True
        with_reason(template, f"重新启用{name}模板第{template.version}版")
        template.save()
    log_event(EventType.SETTINGS_CHANGE, request=request, user=user, obj=template, action="启用报告模板版本",
              report=name, version=template.version)
    return template


def restore_builtin(code: str, user: Any, request: Any = None) -> None:
    """Use the built-in template again; uploaded versions are kept (and can be used again)."""
    _require(user)
    name = get(code).name
    with transaction.atomic():
        _deactivate(code, "恢复内置模板，停用本版")
    log_event(EventType.SETTINGS_CHANGE, request=request, user=user, action="恢复内置报告模板", report=name)
