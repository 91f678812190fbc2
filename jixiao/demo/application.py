"""Demo 结果应用: the board for the demo's budget year N+1 (plan year + 1) built by the rules from the
demo's evidence, with proposals of every action; the desks have confirmed or changed most lines (some
still wait), and the N+1 budget data already in the demo is compared with the proposals."""

from __future__ import annotations

import random

from jixiao.accounts.models import User
from jixiao.application.models import Board, Proposal
from jixiao.application.services import build_board, decide, link_next_year
from jixiao.demo.rectification import add_items
from jixiao.monitoring.models import MonitoringForm


def _poor_results(perf: User, year: int) -> None:
    """Three continuing projects with red monitoring lights whose follow-up evaluation of the year before
    was poor: one 差 with its rectification escalated past the deadline (→ 取消), one 无效 (→ 取消), one 中
    (→ 整改并压减)."""
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.evaluation.models import KeyEvaluation
    from jixiao.organisation.models import Project

    previous = {p.code: p for p in Project.objects.filter(year=year - 1)}
    forms = [f for f in MonitoringForm.objects.filter(round__year=year, kind="project", overall_light="red")
             .select_related("project", "round").order_by("-budget_fen", "pk") if f.project and f.project.code in previous][:3]
    for form, grade in zip(forms, ("差", "无效", "中"), strict=False):
        old = previous[form.project.code]  # type: ignore[union-attr]
        ke = KeyEvaluation.objects.create(
            year=year, evaluated_year=year - 1, title=f"{old.name}跟踪评价", unit=old.unit, sector=old.sector, project=old,
            amount_fen=old.adjusted_budget_fen, state="reported", grade=grade, reported_at=timezone.now() - timedelta(days=60),
            final_conclusion={"差": "项目主要产出未完成，资金使用效益低。", "无效": "项目已无实施必要，资金未发挥效益。",
                              "中": "项目产出基本完成，部分效益指标未达到。"}[grade],
            final_problems="绩效目标大部分未实现；资金长期闲置。")
        if grade == "差":
            add_items(perf, [dict(source="key_evaluation", source_title=ke.title, key_evaluation=ke, year=year - 1,
                                  project=old, unit_id=old.unit_id, sector_id=old.sector_id, kind="rectify",
                                  state="escalated", problem="绩效目标大部分未实现。",
                                  requirement="限期整改并报送整改报告。")])


def load_application(rng: random.Random, plan_year: int) -> Board | None:
    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if perf is None:
        return None
    year = plan_year + 1
    _poor_results(perf, plan_year)
    board = build_board(year, perf)
    desks = list(User.objects.filter(role="budget_desk", is_active=True).prefetch_related("sectors"))
    desk_of = {s.pk: d for d in desks for s in d.sectors.all()}
    for p in Proposal.objects.filter(board=board).order_by("pk"):
        desk = desk_of.get(p.sector_id)
        draw = rng.random()
        if desk is None or draw < 0.15:
            continue  # still waiting for the desk
        if p.action == "priority" and draw < 0.25:
            decide(p, desk, accept=False, action="keep", amount_fen=p.base_fen,
                   reason="控制总额内按上年规模安排，不再追加。")
        elif p.action in ("cut", "rectify_cut") and draw < 0.4:
            decide(p, desk, accept=False, action=p.action, amount_fen=p.proposed_fen + (p.base_fen - p.proposed_fen) // 2,
                   reason="单位已提交整改方案，压减比例减半。")
        else:
            decide(p, desk, accept=True)
    link_next_year(year)
    return board
