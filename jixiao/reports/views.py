"""报告模板: the performance section lists the report types, downloads a template, uploads its own
version (checked by rendering it with sample data), uses an earlier version or restores the built-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.filelimits import Limits
from jixiao.core.types import AuthedRequest
from jixiao.core.uploads import bind_upload_form
from jixiao.core.views import ScopedView
from jixiao.reports import services
from jixiao.reports.models import ReportTemplate
from jixiao.reports.registry import REPORT_TYPES, ReportType, all_types
from jixiao.reports.rendering import (
    MAX_TEMPLATE_BYTES,
    TemplateRefused,
    builtin_content,
    render_template,
    template_content,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class UploadForm(forms.Form):
    file = forms.FileField(label="模板文件（.docx）", help_text="在 Word 或 WPS 中修改下载的模板后保存为 .docx 上传；"
                           "上传前系统用样例数据生成一次报告，生成不了的模板不会启用。")
    note = forms.CharField(label="修改说明", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "例如：落款改为区财政局"}))


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _type(code: str) -> ReportType:
    if code not in REPORT_TYPES:
        raise Http404("报告类型不存在。")
    return REPORT_TYPES[code]


def _sample_value(value: Any) -> str:
    from jixiao.reports.registry import Chart

    if isinstance(value, Chart):
        return "（图表）"
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            return f"表格行，共{len(value)}行；第一行：" + "｜".join(str(v) for v in value[0])
        return f"共{len(value)}项；第一项：{value[0]}" if value else "（空）"
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:60] + "…"


class ReportTemplateView(ScopedView):
    model = ReportTemplate


class TemplateListView(ReportTemplateView):
    def get(self, request: AuthedRequest) -> HttpResponse:
        active = {t.report_type: t for t in ReportTemplate.objects.filter(active=True).select_related("uploaded_by")}
        rows = [(t, active.get(t.code)) for t in all_types()]
        return render(request, "reports/list.html", {"title": "报告模板", "rows": rows,
                                                     "can_change": request.user.can("reports.reporttemplate", "change")})


class TemplateDetailView(ReportTemplateView):
    def get(self, request: AuthedRequest, code: str) -> HttpResponse:
        return self.page(request, _type(code), UploadForm())

    def page(self, request: AuthedRequest, report_type: ReportType, form: forms.Form, errors: list[str] | None = None,
             status: int = 200) -> HttpResponse:
        versions = list(ReportTemplate.objects.filter(report_type=report_type.code).select_related("uploaded_by"))
        sample = report_type.sample()
        fields = [(name, report_type.fields.get(name, ""), _sample_value(value)) for name, value in sample.items()]
        return render(request, "reports/detail.html", {
            "title": f"报告模板：{report_type.name}", "type": report_type, "versions": versions,
            "active": next((v for v in versions if v.active), None), "form": form, "errors": errors or [],
            "fields": fields, "can_change": request.user.can("reports.reporttemplate", "change"),
        }, status=status)


class TemplateUploadView(TemplateDetailView):
    permission_action = "change"
    upload_limits = Limits("报告模板", max_bytes=MAX_TEMPLATE_BYTES)

    def post(self, request: AuthedRequest, code: str) -> HttpResponse:
        report_type = _type(code)
        form = bind_upload_form(UploadForm, request)
        if not form.is_valid():
            return self.page(request, report_type, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            template = services.upload_template(code, upload.read(), upload.name, request.user,
                                                form.cleaned_data["note"], request=request)
        except TemplateRefused as exc:
            return self.page(request, report_type, form, errors=exc.messages, status=400)
        except services.TemplateError as exc:
            return self.page(request, report_type, form, errors=[str(exc)], status=403)
        messages.success(request, f"已启用第{template.version}版模板（已用样例数据检查通过）。")
        return redirect("reports:detail", code=code)


class TemplateDownloadView(ReportTemplateView):
    """The template in use (``?version=builtin`` the built-in one, ``?version=N`` an uploaded version)."""

    def get(self, request: AuthedRequest, code: str) -> HttpResponse:
        report_type = _type(code)
        which = request.GET.get("version", "")
        if which == "builtin":
            content, label = builtin_content(report_type), "内置模板"
        elif which.isdigit():
            version = ReportTemplate.objects.filter(report_type=code, version=int(which)).first()
            if version is None:
                raise Http404("该版本不存在。")
            try:
                content = version.read()
            except (OSError, ValueError):
                raise Http404("模板文件已丢失或被改动。") from None
            label = f"第{version.version}版"
        else:
            content, label = template_content(code), "当前模板"
        log_event(EventType.EXPORT, request=request, list=f"{report_type.name}{label}", format="docx")
        return docx_response(content, f"{report_type.name}（{label}）.docx")


class TemplateSampleView(ReportTemplateView):
    """The report rendered with the sample data by the template in use: how the template looks."""

    def get(self, request: AuthedRequest, code: str) -> HttpResponse:
        report_type = _type(code)
        content = render_template(template_content(code), report_type.sample())
        return docx_response(content, f"{report_type.name}（样例）.docx")


class TemplateRestoreView(ReportTemplateView):
    permission_action = "change"

    def post(self, request: AuthedRequest, code: str) -> HttpResponse:
        report_type = _type(code)
        services.restore_builtin(code, request.user, request=request)
        messages.success(request, f"{report_type.name}已恢复使用内置模板；上传过的版本仍保留，可随时重新启用。")
        return redirect("reports:detail", code=code)


class TemplateUseView(ReportTemplateView):
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        template = self.get_object("change")
        _type(template.report_type)
        services.use_version(template, request.user, request=request)
        messages.success(request, f"已重新启用第{template.version}版模板。")
        return redirect("reports:detail", code=template.report_type)
