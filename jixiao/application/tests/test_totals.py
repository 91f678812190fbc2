"""The board's kept totals (``ProposalTotal``) equal the raw aggregation of its lines, for every
scope, after building the board and after each desk decision, and the board page reads them
without a COUNT over the lines."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.application.models import Proposal, ProposalTotal
from jixiao.application.services import board_totals, build_board, decide, line_totals
from jixiao.application.tests.test_board import poor_with_overdue_rectification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plan_year_2021(settings: Any) -> None:
    settings.JIXIAO_WORKING_YEAR = 2021


def assert_equal_to_lines(board: Any, user: Any = None) -> None:
    lines = Proposal.objects.filter(board=board) if user is None else Proposal.objects.for_user(user).filter(board=board)
    assert board_totals(board, user) == line_totals(lines)


def test_kept_totals_equal_the_lines_in_every_scope(org: dict[str, Any], users: dict[str, Any]) -> None:
    poor_with_overdue_rectification(org, users)
    project = org["projects"]["b"]
    type(project).objects.filter(pk=project.pk).update(is_classified=True)  # external readers do not count it
    board = build_board(2022, users["perf_section"])
    assert ProposalTotal.objects.filter(board=board).exists()
    scopes = [None, users["perf_section"], users["budget_desk"], users["unit_filler"], users["npc_reader"]]
    for user in scopes:
        assert_equal_to_lines(board, user)
    desk = users["budget_desk"]
    mine = list(Proposal.objects.for_user(desk, "decide").filter(board=board).order_by("pk"))
    assert len(mine) >= 2
    decide(mine[0], desk, accept=True)
    decide(mine[1], desk, accept=False, action="cut", amount_fen=1_000_000, reason="压减")
    for user in scopes:
        assert_equal_to_lines(board, user)
    # a rebuild rewrites them all
    board = build_board(2022, users["perf_section"])
    for user in scopes:
        assert_equal_to_lines(board, user)


def test_board_page_counts_no_lines_without_a_filter(org: dict[str, Any], users: dict[str, Any], login: Any) -> None:
    board = build_board(2022, users["perf_section"])
    client = login(users["perf_section"])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("application:board")).content.decode()
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "application_proposal" in q["sql"]]
    assert not counts, counts
    assert f"共{board.proposals.count()}项" in page
    filtered = client.get(reverse("application:board"), {"final_action": "keep"}).content.decode()
    assert "逐项建议" in filtered
