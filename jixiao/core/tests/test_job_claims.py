"""One attempt owns a job's record; a database outage gives the 503 page (issue 16 items 1 and 3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, transaction
from django.test import RequestFactory

from jixiao.core import jobs
from jixiao.core.views_home import server_error
from jixiao.organisation.models import ImportBatch

pytestmark = pytest.mark.django_db


def test_only_one_attempt_claims_a_record_and_only_its_owner_may_write(users: Any) -> None:
    batch = ImportBatch.objects.create(kind="projects", file_name="a.xlsx", uploaded_by=users["perf_section"])
    first = jobs.claim(ImportBatch, batch.pk, progress=5)
    assert first and jobs.claim(ImportBatch, batch.pk) is None  # a duplicate job does nothing
    with transaction.atomic():
        jobs.hold(ImportBatch, batch.pk, first)
    # A passing failure puts it back to the queue; the old attempt may no longer write.
    ImportBatch.requeue(batch.pk)
    second = jobs.claim(ImportBatch, batch.pk)
    assert second and second != first
    with pytest.raises(jobs.Superseded), transaction.atomic():
        jobs.hold(ImportBatch, batch.pk, first)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING and batch.job_token == second


def test_a_retried_rq_job_takes_over_the_record_its_dead_attempt_left_running(users: Any, monkeypatch: Any) -> None:
    batch = ImportBatch.objects.create(kind="projects", file_name="a.xlsx", uploaded_by=users["perf_section"])
    monkeypatch.setattr(jobs, "current_job_id", lambda: "jx-job-1")
    assert jobs.claim(ImportBatch, batch.pk)
    assert jobs.claim(ImportBatch, batch.pk)  # the same RQ job, next attempt
    monkeypatch.setattr(jobs, "current_job_id", lambda: "jx-job-2")
    assert jobs.claim(ImportBatch, batch.pk) is None  # another job never does


def test_a_lost_database_connection_gives_the_503_page() -> None:
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and "服务暂时不可用" in response.content.decode()
    assert response["Retry-After"] == "5"
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and "系统错误" in response.content.decode()
