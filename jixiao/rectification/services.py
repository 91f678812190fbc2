"""State changes of the rectification register (one function per change) and its feeds.

Every stage that finds a problem calls :func:`issue` (through its own wrapper naming the source
document); the unit answers (:func:`save_feedback`, :func:`add_evidence`, the ``answer``
transition); finance verifies through the workflow. The overdue list feeds every home page
(``due_rectifications``, ``review_queue``) and ``jixiao remind``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jixiao.core.types import with_reason
from jixiao.deadlines.registry import DueDocument, DueItemType, register
from jixiao.rectification.models import OPEN_STATES, Measure, Rectification, RectificationEvidence, Source
from jixiao.workflow.engine import WorkflowError, save_document

_UNIT = frozenset({"unit_filler", "unit_approver"})
_FIN = frozenset({"perf_section", "budget_desk"})

#: The calendar's default deadline of each source's items (editable per year in 工作日历).
DEADLINE_ITEMS = {
    Source.MONITORING: register(DueItemType(
        "rectify_monitoring", "monitoring", "监控发现问题整改（纠偏措施）完成", None, (12, 31), _UNIT | _FIN,
        basis="方案二(二)：对发现的问题提出整改措施")),
    Source.RECHECK: register(DueItemType(
        "rectify_recheck", "evaluation", "自评复核发现问题整改完成", None, (10, 31), _UNIT | _FIN,
        basis="方案三(二)1：财政对自评结果抽查复核")),
    Source.KEY_EVALUATION: register(DueItemType(
        "rectify_key_evaluation", "evaluation", "重点评价发现问题整改完成并公开", None, (6, 30), _UNIT | _FIN,
        year_offset=1, basis="方案三(三)1：次年1-6月公开问题及整改情况")),
    Source.AUDIT: register(DueItemType(
        "rectify_audit", "application", "审计发现问题整改完成", None, (12, 31), _UNIT | _FIN,
        basis="方案三(三)4：财审联动")),
}
DEADLINE_ITEMS[Source.UNIT_EVALUATION] = DEADLINE_ITEMS[Source.KEY_EVALUATION]


class RectificationError(WorkflowError):
    """A refused register change; ``messages`` lists every problem in Chinese."""

    def __init__(self, messages: list[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


def default_deadline(source: str, on: date | None = None) -> date:
    """The deadline the calendar gives a new item of ``source`` issued on ``on`` (plan year = on.year)."""
    from jixiao.deadlines.models import CalendarEntry, ensure_year

    on = on or timezone.localdate()
    code = DEADLINE_ITEMS[Source(source)].code
    entry = CalendarEntry.objects.filter(year=on.year, code=code).first()
    if entry is None:
        ensure_year(on.year)
        entry = CalendarEntry.objects.get(year=on.year, code=code)
    return entry.due_on if entry.due_on >= on else on


def _require(user: Any, action: str, what: str) -> None:
    if not user.can("rectification.rectification", action):
        raise RectificationError(f"您的角色无权{what}。")


def issue(user: Any, *, source: str, source_title: str, unit: Any, year: int, problem: str, requirement: str,
          deadline: date | None = None, kind: str = Measure.RECTIFY, owner: str = "", reduce_fen: int | None = None,
          project: Any = None, permission: str = "add", reason: str = "", **origin: Any) -> Rectification:
    """Put one finding on the register and notify the unit. ``origin``: monitoring_form / recheck / key_evaluation,
    or an audit finding's found_on / amount_fen."""
    from jixiao.accounts.models import User
    from jixiao.workflow.models import Notification

    _require(user, permission, "下达整改事项")
    problems = [m for m, bad in (
        ("请选择措施", kind not in Measure.values),
        ("请填写存在问题", not (problem or "").strip()),
        ("请填写整改要求", not (requirement or "").strip()),
    ) if bad]
    if kind in (Measure.RETARGET, Measure.RECOVER) and not reduce_fen:
        problems.append(f"「{Measure(kind).label}」请填写调减（收回）金额")
    if kind == Measure.RETARGET and not origin.get("monitoring_form"):
        problems.append("“调减预算并调整目标”只能针对监控表下达")
    due = deadline or default_deadline(source)
    form = origin.get("monitoring_form")
    base = None
    if reduce_fen:
        base = form.budget_fen if form is not None else project.adjusted_budget_fen if project is not None else None
    if problems:
        raise RectificationError(problems)
    with transaction.atomic():
        item = Rectification(source=source, source_title=source_title[:200], unit=unit, sector_id=unit.sector_id,
                             year=year, project=project, kind=kind, problem=problem.strip(),
                             requirement=requirement.strip(), owner=owner.strip(), deadline=due, reduce_fen=reduce_fen,
                             budget_base_fen=base,
                             created_by=user, state="issued", **origin)
        with_reason(item, reason or f"下达整改事项（{Source(source).label}）")
        item.save()
        recipients = User.objects.filter(is_active=True, unit__in={unit.pk, unit.root_id or unit.pk}).exclude(pk=user.pk)
        Notification.objects.bulk_create(
            Notification(recipient=u, title=f"整改事项：{item}"[:200], body=item.requirement, link=item.get_absolute_url())
            for u in recipients)
    return item


def from_monitoring(form: Any, user: Any, kind: str, description: str, owner: str, deadline: date | None,
                    reduce_fen: int | None = None) -> Rectification:
    """纠偏措施 on a monitoring form (domain.md §5.6)."""
    from jixiao.monitoring.models import MonitoringForm

    _require(user, "supervise", "提出纠偏措施")
    if not MonitoringForm.objects.for_user(user).filter(pk=form.pk).exists():
        raise RectificationError("您无权对该监控表提出纠偏措施。")
    return issue(user, source=Source.MONITORING, source_title=f"{form.round.title}：{form.subject}", unit=form.unit,
                 year=form.round.year, project=form.project, problem=description, requirement=description, kind=kind,
                 owner=owner, deadline=deadline, reduce_fen=reduce_fen, monitoring_form=form)


def from_recheck(recheck: Any, user: Any, problem: str, requirement: str, deadline: date | None) -> Rectification:
    """A re-check finding (复核意见) the unit must correct."""
    _require(user, "supervise", "就复核发现下达整改")
    if not recheck.completed_at:
        raise RectificationError("复核完成后才能下达整改事项。")
    se = recheck.selfeval
    return issue(user, source=Source.RECHECK, source_title=f"{recheck.round.year}年度自评质量复核：{se.subject}",
                 unit=se.unit, year=se.year, project=se.project, problem=problem, requirement=requirement,
                 deadline=deadline, recheck=recheck)


def from_key_evaluation(ke: Any, user: Any, problem: str, requirement: str, unit: Any,
                        deadline: date | None) -> Rectification:
    """整改清单 of a key evaluation, once its report is out."""
    if ke.state not in ("reported", "published", "filed"):
        raise RectificationError("报告报送后才能下达整改事项。")
    source = Source.UNIT_EVALUATION if ke.kind == "unit" else Source.KEY_EVALUATION
    return issue(user, source=source, source_title=ke.title, unit=unit, year=ke.evaluated_year, project=ke.project,
                 problem=problem, requirement=requirement, deadline=deadline, key_evaluation=ke)


#: An audit finding's fields as the registration form and the import sheet name them.
AUDIT_FIELDS = {"unit": "责任单位", "project": "项目", "problem": "审计发现的问题", "requirement": "整改要求",
                "found_on": "发现日期", "deadline": "整改期限"}


def audit_problems(*, unit: Any, project: Any, problem: str, requirement: str, found_on: date | None,
                   deadline: date | None) -> list[tuple[str, str]]:
    """(field, message) of what is wrong with an audit finding before it goes on the register."""
    found: list[tuple[str, str]] = []
    if unit is None:
        found.append(("unit", "请选择责任单位"))
    if not (problem or "").strip():
        found.append(("problem", "不能为空"))
    if not (requirement or "").strip():
        found.append(("requirement", "不能为空"))
    if found_on is None:
        found.append(("found_on", "不是日期"))
    if deadline is None:
        found.append(("deadline", "不是日期"))
    if found_on and deadline and deadline < found_on:
        found.append(("deadline", "整改期限不能早于发现日期"))
    if unit is not None and project is not None and project.unit.root_id != unit.root_id:
        found.append(("project", "项目不属于所选责任单位"))
    return found


def from_audit(user: Any, *, year: int, unit: Any, problem: str, requirement: str, found_on: date, deadline: date,
               project: Any = None, amount_fen: int | None = None, reason: str = "") -> Rectification:
    """An audit finding (财审联动, 整改共抓) registered or imported by the audit bureau: a register item of source 审计
    the unit answers and audit or finance verifies and closes. ``year``: the budget year the audit concerns."""
    problems = audit_problems(unit=unit, project=project, problem=problem, requirement=requirement,
                              found_on=found_on, deadline=deadline)
    if problems:
        raise RectificationError([f"「{AUDIT_FIELDS[f]}」：{m}" for f, m in problems])
    title = f"区审计局{found_on.year}年{found_on.month}月{found_on.day}日审计发现"
    return issue(user, source=Source.AUDIT, source_title=title, unit=unit, year=year, project=project,
                 problem=problem, requirement=requirement, deadline=deadline, permission="audit",
                 reason=reason or "登记审计发现问题", found_on=found_on, amount_fen=amount_fen)


def save_feedback(item: Rectification, user: Any, expected_version: int, feedback: str) -> Rectification:
    if not feedback.strip():
        raise RectificationError("请填写整改反馈。")
    item.feedback = feedback.strip()
    with_reason(item, "填写整改反馈")
    return save_document(item, user, expected_version)  # type: ignore[return-value]


def add_evidence(item: Rectification, user: Any, upload: Any, description: str = "") -> RectificationEvidence:
    from jixiao.workflow.engine import can_edit

    if not can_edit(item, user):
        raise RectificationError(f"当前状态为「{item.state_label}」，不能上传整改佐证材料。")
    evidence = RectificationEvidence(rectification=item, name=upload.name[:200], size=upload.size,
                                     uploaded_by=user, description=description.strip())
    with_reason(evidence, "上传整改佐证材料")
    evidence.file.save(upload.name, upload, save=True)
    return evidence


def start_retarget(item: Rectification, user: Any, reason: str) -> Any:
    """调减预算并调整目标: the unit starts the target adjustment (v+1) through the target workflow."""
    from jixiao.targets.services import TargetError, start_adjustment

    if item.kind != Measure.RETARGET or item.monitoring_form_id is None:
        raise RectificationError("只有“调减预算并调整目标”措施需要调整绩效目标。")
    if item.state not in OPEN_STATES or item.target_adjustment_id:
        raise RectificationError("该措施已发起目标调整或已不在整改中。")
    with transaction.atomic():
        try:
            new = start_adjustment(item.monitoring_form.target, user, reason)  # type: ignore[union-attr]
        except TargetError as exc:
            raise RectificationError(str(exc)) from exc
        locked = Rectification.objects.select_for_update().get(pk=item.pk)
        locked.target_adjustment = new
        locked.lock_version += 1
        with_reason(locked, f"发起目标调整（第{new.version}版）")
        locked.save()
    return new


# --- feeds: home pages, reminders, other stages -------------------------------------------------------


def due_rectifications(user: Any, today: date) -> Iterable[DueDocument]:
    """The unit's items still to answer, each with its deadline (overdue ones first)."""
    if user.role not in _UNIT:
        return []
    rows = (Rectification.objects.for_user(user).filter(state__in=OPEN_STATES).select_related("unit")
            .order_by("deadline", "pk")[:50])
    return [DueDocument(f"整改：{r}", r.deadline, r.status_label, r.get_absolute_url()) for r in rows]


def review_queue(user: Any) -> list[tuple[str, int, str]]:
    """待我办理: answers waiting for finance's verification; for everyone who may see them, the overdue count."""
    if not user.can("rectification.rectification", "view"):
        return []
    queue = []
    rows = Rectification.objects.for_user(user)
    if user.role in _FIN:
        n = rows.filter(state="answered").count()
        if n:
            queue.append(("待核验的整改反馈", n, f"{reverse('rectification:list')}?state=answered"))
    n = rows.overdue().count()  # type: ignore[attr-defined]
    if n:
        queue.append(("逾期未整改的事项", n, reverse("rectification:overdue")))
    return queue


def open_items(project_ids: Iterable[int]) -> dict[int, list[Rectification]]:
    """Open (not closed or cancelled) items of these projects, by project id."""
    out: dict[int, list[Rectification]] = {}
    for item in Rectification.objects.filter(project_id__in=list(project_ids)).pending().order_by("deadline", "pk"):
        out.setdefault(item.project_id, []).append(item)  # type: ignore[arg-type]
    return out
