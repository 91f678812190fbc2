"""Large list exports (issue 15 item 3): above the inline limit the request queues an export job, the
worker streams the same rows (same user scope, filters and order) into the workbook with progress,
and only the requester sees or downloads it; small exports stay immediate; the streamed table keeps
the typed cells and the layout of the inline one."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.core.listing import Column, stream_workbook, to_workbook
from jixiao.core.models import ExportJob

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows(min_row=3)]


def test_small_exports_stay_in_the_request(users: dict[str, Any], login: Any) -> None:
    response = login(users["perf_section"]).get(reverse("organisation:project_list") + "?year=2021&export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not ExportJob.objects.exists()


def test_large_export_runs_in_the_worker_for_its_requester_only(
        users: dict[str, Any], login: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    inline = login(users["unit_approver"]).get(reverse("organisation:project_list") + "?year=2021&export=xlsx")
    settings.JIXIAO_EXPORT_INLINE_ROWS = 1
    client = login(users["unit_approver"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("organisation:project_list") + "?year=2021&export=xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:export_job", kwargs={"pk": job.pk})
    assert job.status == ExportJob.Status.DONE and job.percent == 100 and job.total == 2  # the approver's tree only
    page = client.get(response["Location"]).content.decode()
    assert "导出完成" in page and "下载Excel" in page
    download = client.get(reverse("core:export_download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert sheet_rows(download.content) == sheet_rows(inline.content)  # same header, rows and order
    other = login(users["perf_section"])
    assert other.get(reverse("core:export_job", kwargs={"pk": job.pk})).status_code == 404
    assert other.get(reverse("core:export_download", kwargs={"pk": job.pk})).status_code == 404


def test_a_job_that_dies_is_failed_with_a_message(users: dict[str, Any], login: Any) -> None:
    job = ExportJob.objects.create(requested_by=users["perf_section"], title="项目", path="/budget/projects/")
    ExportJob.fail(job.pk, "后台任务异常终止（可能是文件过大或服务重启），本次处理未完成，未写入任何数据。请点击「重新处理」重试。")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "未写入" not in job.message
    html = login(users["perf_section"]).get(reverse("core:export_job", kwargs={"pk": job.pk})).content.decode()
    assert "重新点击「导出Excel」" in html


class Row:
    def __init__(self, n: int) -> None:
        self.name, self.fen, self.rate, self.day = f"=项目{n}", n * 123_456, 12.5, date(2021, 3, n + 1)


def test_streamed_table_matches_the_inline_workbook() -> None:
    columns = [Column("name", "名称", width=30), Column("fen", "金额", kind="wan"), Column("rate", "执行率", kind="percent"),
               Column("day", "日期")]
    rows = [Row(n) for n in range(5)]
    seen: list[int] = []
    out = io.BytesIO()
    assert stream_workbook("测试表", columns, rows, out, note="说明", progress=seen.append, every=2) == 5
    assert seen == [2, 4]
    inline = to_workbook("测试表", columns, rows, note="说明")
    streamed_ws, inline_ws = load_workbook(io.BytesIO(out.getvalue())).active, load_workbook(io.BytesIO(inline)).active
    assert [[c.value for c in r] for r in streamed_ws.iter_rows()] == [[c.value for c in r] for r in inline_ws.iter_rows()]
    assert streamed_ws["A4"].value == "'=项目0"  # formula-like text neutralised
    for ref in ("B4", "C4", "D4"):
        assert streamed_ws[ref].number_format == inline_ws[ref].number_format, ref
    assert streamed_ws.freeze_panes == "A4" and streamed_ws.print_title_rows == "$3:$3"
    assert streamed_ws.column_dimensions["A"].width == 30 and streamed_ws["A3"].font.b
