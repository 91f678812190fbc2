"""The page of a background export (its progress, then the download); only its requester sees it."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from jixiao.core import exports  # noqa: F401  (registers the export task with the worker)
from jixiao.core.models import ExportJob
from jixiao.core.types import AuthedRequest

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportJobView(View):
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(ExportJob.objects.defer("content"), pk=pk, requested_by=request.user)
        template = "core/_export_status.html" if request.htmx else "core/export_job.html"  # type: ignore[attr-defined]
        return render(request, template, {"title": str(job), "job": job})


class ExportDownloadView(View):
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(ExportJob, pk=pk, requested_by=request.user)
        if job.status != ExportJob.Status.DONE or not job.content:
            raise Http404("导出文件尚未生成完成。")
        response = HttpResponse(bytes(job.content), content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.file_name)}"
        return response
