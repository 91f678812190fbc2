"""Notices go to the people they concern, and each can be opened (and so marked read) on its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jixiao.workflow.engine import perform_transition
from jixiao.workflow.models import Notification
from jixiao.workflow.tests.testapp.models import SampleDocument

pytestmark = pytest.mark.django_db


def test_the_unit_hears_of_decisions_not_of_steps_between_others(org: dict[str, Any], users: dict[str, Any]) -> None:
    doc = SampleDocument.objects.create(unit=org["units"]["a_sub"], title="南山所申报表", amount_fen=100)
    filler = users["unit_filler"]
    perform_transition(doc, "submit", filler)
    perform_transition(doc, "dept_approve", users["unit_approver"], comment="同意")
    # The approver's step hands the document to finance: the filler has nothing to do.
    assert not filler.notifications.exists()
    assert users["perf_section"].notifications.filter(title__contains="主管部门").exists()
    perform_transition(doc, "approve", users["perf_section"], comment="目标明确", grade="优")
    assert filler.notifications.filter(title__contains="批复").exists()  # a decision with a grade


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(users: dict[str, Any]) -> None:
    filler = users["unit_filler"]
    notice = Notification.objects.create(recipient=filler, title="请报送监控表", link="/monitoring/")
    other = Notification.objects.create(recipient=filler, title="另一条", link="/")
    client = Client()
    client.force_login(filler)
    page = client.get("/workflow/notifications/?unread=1").content.decode()
    assert "请报送监控表" in page and "另一条" in page
    response = client.post(f"/workflow/notifications/{notice.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/monitoring/"
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None and other.read_at is None
    page = client.get("/workflow/notifications/?unread=1").content.decode()
    assert "请报送监控表" not in page and "另一条" in page
    stranger = Client()
    stranger.force_login(users["unit_approver"])
    assert stranger.post(f"/workflow/notifications/{other.pk}/open/").status_code == 404
