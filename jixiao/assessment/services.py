"""Every state change of the assessment: the 考核办法, the scope, computing, scoring, ranking, 公示, 定稿."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.assessment import facts as facts_module
from jixiao.assessment.models import (
    AssessmentScheme,
    ItemScore,
    SchemeItem,
    ScopeChange,
    ScoreChange,
    UnitAssessment,
)
from jixiao.core.types import with_reason
from jixiao.rules import assessment as rules
from jixiao.workflow.engine import WorkflowError, perform_transition


class AssessmentError(Exception):
    """A refused action; ``str(exc)`` is a Chinese message."""


def ensure_scheme(year: int) -> AssessmentScheme:
    """The year's 考核办法; a new year starts from last year's, else from the illustrative sheet."""
    scheme = AssessmentScheme.objects.filter(year=year).first()
    if scheme:
        return scheme
    with transaction.atomic():
        previous = AssessmentScheme.objects.filter(year__lt=year).order_by("-year").first()
        scheme = AssessmentScheme(year=year, scope_date=date(year, 12, 1))
        if previous:
            for field in ("title", "is_illustrative", "basis", "excellent", "good", "passing", "bonus_max",
                          "praise_top", "interview_bottom", "dispute_days"):
                setattr(scheme, field, getattr(previous, field))
        with_reason(scheme, "生成年度考核办法")
        scheme.save()
        source = (previous.item_rules() if previous else rules.default_sheet())
        SchemeItem.objects.bulk_create([
            SchemeItem(scheme=scheme, position=i, code=r.code, name=r.name, points=r.points, kind=r.kind,
                       measure=r.measure, per_unit=r.per_unit, limit=r.limit) for i, r in enumerate(source)])
    return scheme


def scope(scheme: AssessmentScheme) -> rules.ScopeResult:
    """The first-level units assessed as of the scheme's scope date (keys are unit ids as text)."""
    from jixiao.organisation.models import UnitYearSetting

    members = [str(pk) for pk in UnitYearSetting.objects.filter(
        year=scheme.year, in_assessment_scope=True, unit__parent__isnull=True, unit__is_active=True)
        .order_by("unit__code").values_list("unit_id", flat=True)]
    changes = [rules.ScopeChange(str(c.unit_id), c.kind, c.on, str(c.into_id or ""))
               for c in ScopeChange.objects.filter(year=scheme.year)]
    return rules.scope_as_of(members, changes, scheme.scope_date)


def open_assessments(scheme: AssessmentScheme, user: Any, as_of: date | None = None) -> int:
    """One sheet per unit in scope (existing ones kept), each computed from the facts of ``as_of``."""
    from jixiao.organisation.models import BudgetUnit

    result = scope(scheme)
    items = list(scheme.items.all())
    units = BudgetUnit.objects.in_bulk([int(e.unit) for e in result.entries])
    created = 0
    with transaction.atomic():
        for entry in result.entries:
            unit = units.get(int(entry.unit))
            if unit is None:
                continue
            ua, new = UnitAssessment.objects.get_or_create(
                year=scheme.year, unit=unit, defaults={"scheme": scheme, "joined_on": entry.joined})
            if new:
                created += 1
                ItemScore.objects.bulk_create([
                    ItemScore(assessment=ua, position=i.position, code=i.code, name=i.name, kind=i.kind,
                              measure=i.measure, points=i.points) for i in items])
            if ua.state in ("self_assessment", "review"):
                ua.joined_on = entry.joined
                names = [units[int(u)].name if int(u) in units else BudgetUnit.objects.get(pk=int(u)).name
                         for u in entry.absorbed]
                ua.scope_note = entry.note.replace("含并入单位：" + "、".join(entry.absorbed), "含并入单位：" + "、".join(names))
                ua.save()
                ua.absorbed.set([int(u) for u in entry.absorbed])
                recompute(ua, as_of)
    return created


def recompute(ua: UnitAssessment, as_of: date | None = None) -> UnitAssessment:
    """Compute every computed item from the facts (as of ``as_of``, default today) and the total."""
    scheme = ua.scheme
    as_of = as_of or timezone.localdate()
    found = facts_module.facts_for(ua, as_of)
    cal = scheme.calendar
    for item in ua.scores.all():
        if not item.measure:
            continue
        result = rules.compute_item(rules.ItemRule(item.code, item.name, item.points, item.kind, item.measure,
                                                   *_params(scheme, item.code)), found, cal)
        item.computed = result.score
        item.summary = result.summary[:300]
        item.facts = [{"text": f.text, "effect": f.effect, "ok": f.ok} for f in result.facts]
        with_reason(item, "按事实重新计算")
        item.save()
    ua.computed_on = as_of
    return update_total(ua)


def _params(scheme: AssessmentScheme, code: str) -> tuple[Decimal, Decimal]:
    item = scheme.items.filter(code=code).first()
    return (item.per_unit, item.limit) if item else (Decimal(1), Decimal(0))


def update_total(ua: UnitAssessment) -> UnitAssessment:
    scores = list(ua.scores.all())
    scheme = ua.scheme
    ua.total = rules.total(
        [s.effective for s in scores if s.kind in (rules.COMPUTED, rules.JUDGED)],
        [min(s.effective, Decimal(0)) for s in scores if s.kind == rules.DEDUCTION],
        sum((s.effective for s in scores if s.kind == rules.BONUS), Decimal(0)),
        scheme.bonus_max,
    )
    ua.grade = scheme.bands.grade(ua.total)
    with_reason(ua, "重新计算总分")
    UnitAssessment.objects.filter(pk=ua.pk).update(total=ua.total, grade=ua.grade, computed_on=ua.computed_on,
                                                   joined_on=ua.joined_on, scope_note=ua.scope_note)
    return ua


def _check_value(item: ItemScore, value: Decimal) -> None:
    if item.kind == rules.DEDUCTION:
        if value > 0:
            raise AssessmentError(f"「{item.code} {item.name}」是扣分项，请填写0或负数。")
    elif value < 0 or (item.points and value > item.points):
        raise AssessmentError(f"「{item.code} {item.name}」的得分须在0至{rules.fmt(item.points)}分之间。")


def save_self_scores(ua: UnitAssessment, user: Any, values: dict[str, tuple[Decimal | None, str]]) -> None:
    """The unit's self-scores of judged items (only while it is with the unit)."""
    from jixiao.workflow.engine import can_edit

    if ua.state != "self_assessment" or not can_edit(ua, user):
        raise AssessmentError(f"当前状态为「{ua.state_label}」，不能修改自评分。")
    items = {s.code: s for s in ua.scores.all() if not s.measure}
    for code, (value, _note) in values.items():
        item = items.get(code)
        if item is None:
            continue
        if value is not None:
            _check_value(item, value)
    with transaction.atomic():
        for code, (value, note) in values.items():
            item = items.get(code)
            if item is None:
                continue
            item.self_score, item.self_note = value, note
            with_reason(item, "单位自评")
            item.save()
        update_total(ua)


def review_score(ua: UnitAssessment, user: Any, code: str, value: Decimal, reason: str) -> ItemScore:
    """The reviewer's score of an item; every change needs its reason and is kept."""
    from jixiao.workflow.engine import can_edit

    if ua.state not in ("review", "disputed") or not (can_edit(ua, user) or
                                                      (ua.state == "disputed" and user.role == "perf_section")):
        raise AssessmentError(f"当前状态为「{ua.state_label}」，不能调整得分。")
    item = ua.scores.filter(code=code).first()
    if item is None:
        raise AssessmentError(f"没有编号为「{code}」的考核项目。")
    reason = (reason or "").strip()
    before = item.score if item.score is not None else (item.computed if item.computed is not None else item.self_score)
    _check_value(item, value)
    if not reason and not (item.kind in (rules.JUDGED, rules.BONUS) and item.score is None and
                           (item.self_score is None or item.self_score == value)):
        raise AssessmentError(f"调整「{item.code} {item.name}」的得分须写明理由。")
    with transaction.atomic():
        item.score = value
        item.reason = reason[:300]
        with_reason(item, f"审核调整：{reason}" if reason else "审核确认")
        item.save()
        ScoreChange.objects.create(item=item, before=before, after=value, reason=reason[:300] or "按单位自评分确认",
                                   changed_by=user)
        update_total(ua)
    return item


def _rank_all(scheme: AssessmentScheme) -> None:
    rows = list(UnitAssessment.objects.filter(year=scheme.year).exclude(total__isnull=True).select_related("unit"))
    ranked = rules.rank([(str(r.pk), Decimal(r.total)) for r in rows if r.total is not None], scheme.bands,
                        scheme.praise_top, scheme.interview_bottom)
    for r in ranked:
        UnitAssessment.objects.filter(pk=int(r.unit)).update(rank=r.rank, grade=r.grade, mark=r.mark)


def working_days_after(start: date, days: int, cal: rules.WorkCalendar) -> date:
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        left -= cal.is_working_day(day)
    return day


def publicise(scheme: AssessmentScheme, user: Any) -> int:
    """Rank every sheet, give grades and marks, and publish them to the units with a dispute window."""
    pending = UnitAssessment.objects.filter(year=scheme.year).exclude(state__in=("reviewed", "publicised", "disputed", "final"))
    if pending.exists():
        names = "、".join(pending.select_related("unit").values_list("unit__name", flat=True)[:5])
        raise AssessmentError(f"还有{pending.count()}个单位未审核确认（{names}），全部审核后方可公示。")
    reviewed = list(UnitAssessment.objects.filter(year=scheme.year, state="reviewed"))
    if not reviewed:
        raise AssessmentError("没有待公示的单位考核结果。")
    with transaction.atomic():
        for ua in reviewed:
            update_total(ua)
        _rank_all(scheme)
        today = timezone.localdate()
        scheme.publicised_on = today
        scheme.dispute_until = working_days_after(today, scheme.dispute_days, scheme.calendar)
        with_reason(scheme, "公示考核结果")
        scheme.save()
        for ua in reviewed:
            perform_transition(UnitAssessment.objects.get(pk=ua.pk), "publicise", user,
                               comment=f"公示至{rules.cn_date(scheme.dispute_until)}", via_form=True)
    return len(reviewed)


def finalise(scheme: AssessmentScheme, user: Any) -> int:
    disputed = UnitAssessment.objects.filter(year=scheme.year, state="disputed").count()
    if disputed:
        raise AssessmentError(f"还有{disputed}个单位的异议尚未处理完毕。")
    rows = list(UnitAssessment.objects.filter(year=scheme.year, state="publicised"))
    if not rows:
        raise AssessmentError("没有公示中的考核结果可以定稿。")
    with transaction.atomic():
        for ua in rows:
            update_total(ua)
        _rank_all(scheme)
        for ua in rows:
            perform_transition(UnitAssessment.objects.get(pk=ua.pk), "finalise", user, comment="公示期满定稿",
                               via_form=True)
        scheme.finalised_at = timezone.now()
        with_reason(scheme, "考核结果定稿")
        scheme.save()
    return len(rows)


def resolve_dispute(ua: UnitAssessment, user: Any, answer: str) -> None:
    try:
        perform_transition(ua, "resolve", user, comment=answer)
    except WorkflowError as exc:
        raise AssessmentError(str(exc)) from exc
    _rank_all(ua.scheme)
