"""Self-evaluation tables as files arrive (issue 18): a re-check agency, the performance section or
a 人大 reader drops a Word / Excel / PDF table and gets it back checked. Agencies see only their
agency's uploads (``TableUpload.objects.for_user``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jixiao.audit.models import EventType
from jixiao.audit.services import log_event
from jixiao.core.types import AuthedRequest
from jixiao.core.views import ScopedView
from jixiao.evaluation.forms import ScoreSheetForm, ScoreSheetItemFormSet, TableFileForm, score_sheet_initial
from jixiao.evaluation.models import TableUpload
from jixiao.evaluation.services import receive_table, record_score_sheet, score_sheet_document
from jixiao.rules.scoring import METHOD_LABELS
from jixiao.tablefiles import MAX_BYTES

LIST_LIMIT = 200


class TableListView(ScopedView):
    """The uploads the user may see, newest first, and the upload form."""

    model = TableUpload
    title = "收到的自评表文件"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return _list(request, TableFileForm(user=request.user) if _can_add(request) else None)


def _can_add(request: AuthedRequest) -> bool:
    return bool(request.user.can("evaluation.tableupload", "add"))


def _list(request: AuthedRequest, form: TableFileForm | None, problems: Any = (), status: int = 200) -> HttpResponse:
    uploads = list(TableUpload.objects.for_user(request.user, "view")
                   .select_related("agency", "uploaded_by")[:LIST_LIMIT])
    return render(request, "evaluation/tables.html", {
        "title": TableListView.title, "uploads": uploads, "form": form, "problems": problems,
    }, status=status)


class TableUploadView(ScopedView):
    model = TableUpload
    permission_action = "add"
    title = "上传自评表文件"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return _list(request, TableFileForm(user=request.user))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = TableFileForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return _list(request, form, status=400)
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_BYTES + 1)
        reading = receive_table(request.user, upload.name, data, form.cleaned_data.get("recheck"))
        if reading.upload is None:
            log_event(EventType.IMPORT, request=request, outcome="failure", list="收到的自评表文件",
                      errors=len(reading.problems))
            return _list(request, TableFileForm(user=request.user), reading.problems, status=400)
        log_event(EventType.IMPORT, request=request, list="收到的自评表文件", file=upload.name)
        messages.success(request, f"已读取并检查「{upload.name}」：{reading.upload.error_count} 个错误，"
                                  f"{reading.upload.warning_count} 个警告。")
        return redirect(reading.upload)


class TableDetailView(ScopedView):
    """The checked table: what the file says, what the rules compute, and every finding."""

    model = TableUpload
    title = "自评表检查结果"

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        upload = self.get_object()
        result = upload.result
        printed = upload.document.get("indicators", [])
        rows = [{**row, "method_label": METHOD_LABELS.get(str(row.get("method")), ""),
                 "target_text": printed[row["index"]]["target"], "actual_text": printed[row["index"]]["actual"]}
                for row in result.get("indicators", [])]
        return render(request, "evaluation/table_detail.html", {
            "title": f"{self.title}：{upload.title}", "upload": upload, "doc": upload.document,
            "result": result, "rows": rows, "items": [
                {**i, "value_text": upload.document["items"][i["index"]]["value"]} for i in result.get("items", [])],
            "sheet": upload.kind == "department_overall_score_sheet",
        })


class ScoreSheetFormView(ScopedView):
    """部门整体支出绩效评价评分表 filled in on a form, checked like an uploaded one."""

    model = TableUpload
    permission_action = "add"
    title = "填写部门整体支出绩效评价评分表"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._page(ScoreSheetForm(), ScoreSheetItemFormSet(initial=score_sheet_initial(), prefix="items"))

    def _page(self, form: ScoreSheetForm, items: Any, status: int = 200) -> HttpResponse:
        return render(self.request, "evaluation/score_sheet_form.html",
                      {"title": self.title, "form": form, "items": items}, status=status)

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = ScoreSheetForm(request.POST)
        items = ScoreSheetItemFormSet(request.POST, prefix="items")
        if not (form.is_valid() and items.is_valid()):
            return self._page(form, items, status=400)
        doc = score_sheet_document(form.cleaned_data, [f.cleaned_data for f in items.forms if f.cleaned_data])
        saved = record_score_sheet(request.user, doc)
        log_event(EventType.IMPORT, request=request, list="部门整体支出绩效评价评分表", file="在线填写")
        messages.success(request, f"评分表已检查：{saved.error_count} 个错误，{saved.warning_count} 个警告。")
        return redirect(saved)
