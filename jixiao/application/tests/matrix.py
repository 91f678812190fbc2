"""This app's URLs in the permission matrix (tests/test_permission_matrix.py): a finalised board of
budget year 2022 with one proposal per fixture unit (a, a_sub, b)."""

from __future__ import annotations

from typing import Any

from jixiao.accounts.roles import Role

KEYS = ("a", "a_sub", "b")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.application.models import Board, Proposal

    board = Board.objects.create(year=2022, evidence_year=2021, state="final", built_by=users[Role.PERF_SECTION])
    rows = {k: Proposal.objects.create(board=board, project=org["projects"][k], unit=org["units"][k],
                                       sector=org["projects"][k].sector, code=org["projects"][k].code,
                                       name=org["projects"][k].name, base_fen=5_000_000, rule="重点评价等级“差”：压减或取消30%",
                                       action="cut", cut=30, proposed_fen=3_500_000, final_action="cut",
                                       final_fen=3_500_000) for k in KEYS}
    per_row = ("application:proposal_detail", "application:decide", "application:override")
    per_board = ("application:board_detail", "application:board_transition", "application:export", "application:report")
    return {
        **{name: [(k, {"pk": rows[k].pk}, k) for k in KEYS] for name in per_row},
        **{name: [("board", {"pk": board.pk}, "")] for name in per_board},
        "application:build": [("year", {"year": 2022}, "")],
    }
