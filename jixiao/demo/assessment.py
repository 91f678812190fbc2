"""Demo assessment (考核): the 考核办法 of N−1 and N; the N−1 round computed from the demo's facts,
reviewed, ranked, publicised (one dispute answered) and final, with units in every grade and
marked 通报表扬 / 约谈; the N round computed, its units in 单位自评, 绩效股审核 and 已审核; one
unit merged into another during N (scope as of a date)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.assessment import services
from jixiao.assessment.models import AssessmentScheme, ScopeChange, UnitAssessment
from jixiao.workflow.engine import perform_transition

#: Target totals by grade, the best-computed units first: every grade appears.
TARGETS = (Decimal(94), Decimal(91), Decimal(86), Decimal(83), Decimal(74), Decimal(66), Decimal(55))


def _steer(ua: UnitAssessment, perf: User, target: Decimal, rng: random.Random) -> None:
    """Judged scores (and, when needed, a 数据不实 deduction) that bring the total near ``target``."""
    scores = {s.code: s for s in ua.scores.all()}
    computed = sum((s.effective for s in scores.values() if s.measure and s.kind == "computed"), Decimal(0))
    computed += sum((min(s.effective, Decimal(0)) for s in scores.values() if s.kind == "deduction" and s.measure),
                    Decimal(0))
    judged = [s for s in scores.values() if not s.measure and s.kind == "judged"]
    room = sum((s.points for s in judged), Decimal(0))
    need = target - computed
    share = max(Decimal(0), min(Decimal(1), need / room)) if room else Decimal(0)
    for s in judged:
        value = (s.points * share).quantize(Decimal("0.5"))
        services.review_score(ua, perf, s.code, value,
                              "" if s.self_score is None or s.self_score == value else "按佐证材料核定")
    bonus = scores.get("B")
    if bonus is not None:
        extra = max(Decimal(0), min(bonus.points, need - room)).quantize(Decimal(1))
        services.review_score(ua, perf, "B", extra, "经验做法被市财政局推广" if extra else "")
    false_data = scores.get("D1")
    if false_data is not None and need < 0:
        services.review_score(ua, perf, "D1", max(Decimal(-20), need.quantize(Decimal(1))),
                              "监控表执行数与国库支付数不符，数据不实")


def _self_assess(ua: UnitAssessment, rng: random.Random) -> None:
    for s in ua.scores.filter(measure="", kind="judged"):
        s.self_score = (s.points * Decimal(rng.choice(("1", "0.9", "0.8")))).quantize(Decimal("0.5"))
        s.self_note = "已明确专人负责，制定内部绩效管理制度，按时参加培训" if s.code == "1" else "按要求完成"
        s.save()


def load_round(rng: random.Random, perf: User, year: int, as_of: date, final: bool) -> int:
    scheme = services.ensure_scheme(year)
    services.open_assessments(scheme, perf, as_of=as_of)
    rows = list(UnitAssessment.objects.filter(year=year).select_related("unit").order_by("-total", "unit__code"))
    approver_of = {u.unit_id: u for u in User.objects.filter(role="unit_approver", unit__isnull=False)}
    for i, ua in enumerate(rows):
        _self_assess(ua, rng)
        if not final and i % 3 == 0:
            continue  # still with the unit
        submit(ua, approver_of.get(ua.unit_id) or unit_account(ua), date(year, 12, 5))
        if not final and i % 3 == 1:
            continue  # with the performance section
        ua.refresh_from_db()
        _steer(ua, perf, TARGETS[i % len(TARGETS)], rng)
        perform_transition(UnitAssessment.objects.get(pk=ua.pk), "confirm", perf)
    if not final:
        return len(rows)
    publicised = date(year, 12, 20)
    with mock.patch("django.utils.timezone.localdate", return_value=publicised):
        services.publicise(scheme, perf)
        disputed = UnitAssessment.objects.filter(year=year).order_by("rank").last()
        if disputed is not None:
            actor = approver_of.get(disputed.unit_id)
            if actor is not None:
                perform_transition(disputed, "dispute", actor, comment="3.2项纸质档已于11月28日送达，请核实")
                perform_transition(UnitAssessment.objects.get(pk=disputed.pk), "resolve", perf,
                                   comment="经核对纸质档签收记录，维持原评分")
    scheme.refresh_from_db()
    with mock.patch("django.utils.timezone.localdate", return_value=(scheme.dispute_until or publicised) + timedelta(days=1)):
        services.finalise(scheme, perf)
    return len(rows)


def unit_account(ua: UnitAssessment) -> User | None:
    return User.objects.filter(role__in=("unit_filler", "unit_approver"), unit__root_id=ua.unit_id).first()


def submit(ua: UnitAssessment, actor: User | None, on: date) -> None:
    """提交自评: through the workflow by the unit's demo account; units without an account are set
    to the state with their review log as the workflow would have written it (no actor, no row)."""
    if actor is not None:
        perform_transition(ua, "submit", actor)
        return
    UnitAssessment.objects.filter(pk=ua.pk).update(
        state="review", submitted_at=timezone.make_aware(datetime(on.year, on.month, on.day, 10)))


def load_assessment(rng: random.Random, plan_year: int) -> int:
    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if perf is None:
        return 0
    previous = load_round(rng, perf, plan_year - 1, date(plan_year - 1, 12, 1), final=True)
    scheme = services.ensure_scheme(plan_year)
    in_scope = list(UnitAssessment.objects.filter(year=plan_year - 1).order_by("unit__code").values_list("unit_id", flat=True))
    if len(in_scope) > 3:
        ScopeChange.objects.create(year=plan_year, unit_id=in_scope[-1], kind="merged", on=date(plan_year, 8, 1),
                                   into_id=in_scope[-2], note="区委编办机构改革文件")
    AssessmentScheme.objects.filter(pk=scheme.pk).update(holidays=f"{plan_year}-10-01\n{plan_year}-10-02\n"
                                                                  f"{plan_year}-10-05\n{plan_year}-10-06\n{plan_year}-10-07")
    scheme.refresh_from_db()
    opens = date(plan_year, 12, 1)  # the calendar's 考核 window (12-01~12-31)
    if timezone.localdate() < opens:
        return previous  # this year's assessment has not started yet: its 考核办法 is ready, no round open
    return previous + load_round(rng, perf, plan_year, opens, final=False)
