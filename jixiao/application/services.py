"""Building the board from year N's evidence, the desks' decisions, totals, the export for the budget
system, linking the N+1 budget import, and the 六同步 link into N+1 target approval.

The evidence is read with a fixed number of set-based queries whatever the number of projects; the
decision for each line is ``jixiao.rules.application.propose`` with the year's rule set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jixiao.application.models import ApplicationRuleSet, Board, Decision, Proposal, ProposalTotal
from jixiao.core.types import with_reason
from jixiao.rules.application import (
    ACTION_LABELS,
    CANCEL,
    RECOVER,
    RECT_CLOSED,
    RECT_NONE,
    RECT_OPEN,
    RECT_OVERDUE,
    Evidence,
    propose,
)
from jixiao.rules.money import format_wan
from jixiao.workflow.engine import WorkflowError

ACCEPTED_SELF_STATES = ("received", "published")
REPORTED_KEY_STATES = ("reported", "published", "filed")
BATCH = 2000


class ApplicationError(WorkflowError):
    """A refused change; ``str(exc)`` is Chinese."""


@dataclass
class Facts:
    """Year N evidence of one line, gathered in bulk."""

    target_state: str = ""
    light: str = ""
    rate: Decimal | None = None
    self_score: Decimal | None = None
    self_grade: str = ""
    self_accepted: bool = False
    recheck_grade: str = ""
    recheck_delta: Decimal | None = None
    key_grade: str = ""
    rectification: str = RECT_NONE
    unspent_prior: int = 0


def _rect_status(states: Iterable[tuple[str, bool]]) -> str:
    """(state, overdue) of a line's items → the worst status."""
    found = list(states)
    if any(overdue for _s, overdue in found):
        return RECT_OVERDUE
    if any(s in ("issued", "returned", "escalated", "answered") for s, _o in found):
        return RECT_OPEN
    return RECT_CLOSED if any(s == "closed" for s, _o in found) else RECT_NONE


def gather(evidence_year: int) -> tuple[dict[str, Facts], dict[int, Facts]]:
    """Facts by project code and by unit id (department lines), from year N and the year before."""
    from jixiao.evaluation.models import KeyEvaluation, Recheck, SelfEvaluation
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.rectification.models import OPEN_STATES, Rectification
    from jixiao.targets.models import TargetDeclaration
    from jixiao.targets.workflows import TARGET_WORKFLOW

    years = (evidence_year - 1, evidence_year)
    projects: dict[str, Facts] = {}
    units: dict[int, Facts] = {}

    def line(code: str | None, unit_id: int) -> Facts:
        return projects.setdefault(code, Facts()) if code else units.setdefault(unit_id, Facts())

    for code, unit_id, state in (TargetDeclaration.objects.filter(year=evidence_year, is_current=True)
                                 .values_list("project__code", "unit_id", "state")):
        line(code, unit_id).target_state = TARGET_WORKFLOW.state_label(state)
    forms = (MonitoringForm.objects.filter(round__year=evidence_year).order_by("round__end_month", "pk")
             .values_list("project__code", "unit_id", "overall_light", "execution_rate"))
    for code, unit_id, light, rate in forms:  # the latest round wins
        facts = line(code, unit_id)
        facts.light, facts.rate = light, rate
    selfevals = (SelfEvaluation.objects.filter(year__in=years).order_by("year", "pk")
                 .values_list("project__code", "unit_id", "computed_total", "computed_grade", "state", "year",
                              "budget_fen", "executed_fen"))
    for code, unit_id, score, grade, state, year, budget, executed in selfevals:
        facts = line(code, unit_id)
        facts.self_score, facts.self_grade, facts.self_accepted = score, grade, state in ACCEPTED_SELF_STATES
        if year < evidence_year and budget and executed is not None and executed < budget:
            facts.unspent_prior = 1
    for code, unit_id, grade, delta in (Recheck.objects.filter(selfeval__year__in=years, completed_at__isnull=False)
                                        .order_by("selfeval__year", "pk")
                                        .values_list("selfeval__project__code", "selfeval__unit_id", "recheck_grade",
                                                     "delta")):
        facts = line(code, unit_id)
        facts.recheck_grade, facts.recheck_delta = grade, delta
    for code, unit_id, grade in (KeyEvaluation.objects.filter(evaluated_year__in=years, state__in=REPORTED_KEY_STATES)
                                 .exclude(grade="").order_by("evaluated_year", "pk")
                                 .values_list("project__code", "unit_id", "grade")):
        line(code, unit_id).key_grade = grade
    today = timezone.localdate()
    items: dict[tuple[str | None, int], list[tuple[str, bool]]] = {}
    for code, unit_id, state, deadline in (Rectification.objects.filter(year__in=years).exclude(state="cancelled")
                                           .values_list("project__code", "unit_id", "state", "deadline")):
        items.setdefault((code, unit_id), []).append((state, state in OPEN_STATES and deadline < today))
    for (item_code, item_unit), states in items.items():
        line(item_code, item_unit).rectification = _rect_status(states)
    return projects, units


def _proposal(board: Board, rules: Any, facts: Facts, base_fen: int, **fields: Any) -> Proposal:
    ev = Evidence(base_fen=base_fen, key_grade=facts.key_grade, recheck_grade=facts.recheck_grade,
                  self_grade=facts.self_grade, self_accepted=facts.self_accepted, rectification=facts.rectification,
                  execution_rate=facts.rate, unspent_prior_years=facts.unspent_prior)
    p = propose(rules, ev)
    return Proposal(board=board, base_fen=base_fen, target_state=facts.target_state, monitoring_light=facts.light,
                    execution_rate=facts.rate, self_score=facts.self_score, self_grade=facts.self_grade,
                    recheck_delta=facts.recheck_delta, key_grade=facts.key_grade, rectification=facts.rectification,
                    grade=p.grade, rule=p.rule[:300], action=p.action, cut=p.cut, proposed_fen=p.proposed_fen,
                    final_action=p.action, final_fen=p.proposed_fen, **fields)


def build_board(year: int, user: Any) -> Board:
    """(Re)compute the proposals of budget year ``year`` from the evidence of ``year − 1``; decisions are redone."""
    from jixiao.organisation.models import DepartmentExpenditure, Project

    if not user.can("application.board", "add"):
        raise ApplicationError("只有绩效管理股可以生成结果应用建议。")
    evidence_year = year - 1
    rules = ApplicationRuleSet.for_year(year).as_rules()
    with transaction.atomic():
        board, _ = Board.objects.select_for_update().get_or_create(year=year, defaults={"evidence_year": evidence_year,
                                                                                        "state": "open"})
        if board.state != "open":
            raise ApplicationError("结果应用建议已定稿，请先退回修改再重新生成。")
        projects, units = gather(evidence_year)
        board.proposals.all().delete()
        batch: list[Proposal] = []
        rows = (Project.objects.filter(year=evidence_year).order_by("pk")
                .values_list("pk", "code", "name", "unit_id", "sector_id", "adjusted_budget_fen"))
        for pk, code, name, unit_id, sector_id, budget in rows.iterator(chunk_size=BATCH):
            batch.append(_proposal(board, rules, projects.get(code, Facts()), budget, kind="project", project_id=pk,
                                   code=code, name=name, unit_id=unit_id, sector_id=sector_id))
            if len(batch) >= BATCH:
                Proposal.objects.bulk_create(batch)
                batch = []
        for exp in DepartmentExpenditure.objects.filter(year=evidence_year).select_related("unit").order_by("unit__code"):
            batch.append(_proposal(board, rules, units.get(exp.unit_id, Facts()), exp.total_fen, kind="department",
                                   code=exp.unit.code, name=f"{exp.unit.name}部门整体支出", unit_id=exp.unit_id,
                                   sector_id=exp.unit.sector_id))
        Proposal.objects.bulk_create(batch)
        refresh_totals(board)
        board.evidence_year, board.built_at, board.built_by = evidence_year, timezone.now(), user
        board.lock_version += 1
        with_reason(board, "生成结果应用建议")
        board.save()
    return board


def decide(proposal: Proposal, user: Any, accept: bool, action: str = "", amount_fen: int | None = None,
           reason: str = "") -> Proposal:
    """The budget desk accepts the proposal, or changes action and amount with a reason."""
    problems = []
    if not Proposal.objects.for_user(user, "decide").filter(pk=proposal.pk).exists():
        raise ApplicationError("只有分管该行业的业务股室可以确认此建议。")
    if proposal.board.state != "open":
        raise ApplicationError("结果应用建议已定稿，不能再调整。")
    reason = (reason or "").strip()
    if not accept:
        if action not in ACTION_LABELS:
            problems.append("请选择确定的处理方式")
        if action in (CANCEL, RECOVER):
            amount_fen = 0
        if amount_fen is None or amount_fen < 0:
            problems.append("请填写确定的下年度预算数（万元）")
        if not reason:
            problems.append("调整建议必须填写理由")
    if problems:
        raise ApplicationError("；".join(problems))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if accept:
            locked.decision, locked.final_action, locked.final_fen = Decision.ACCEPTED, locked.action, locked.proposed_fen
            locked.reason = reason
        else:
            locked.decision, locked.final_action, locked.final_fen = Decision.CHANGED, action, int(amount_fen or 0)
            locked.reason = reason
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.lock_version += 1
        with_reason(locked, f"{'同意建议' if accept else '调整建议'}{'：' + reason if reason else ''}")
        locked.save()
        refresh_totals(locked.board, [(locked.unit_id, locked.sector_id)])
    return locked


def accept_all(board: Board, user: Any, ids: Iterable[int]) -> int:
    """Accept several proposals at once (each recorded in its history)."""
    count = 0
    for p in Proposal.objects.for_user(user, "decide").filter(board=board, pk__in=list(ids), decision=""):
        decide(p, user, accept=True)
        count += 1
    return count


# --- totals and charts --------------------------------------------------------------------------------


TOTAL_FIELDS = ("n", "base", "final")


def _finish(by_action: list[dict[str, Any]], by_sector: list[dict[str, Any]],
            by_unit: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    for row in by_action:
        row["label"] = ACTION_LABELS[row["final_action"]]
    for row in (*by_action, *by_sector, *by_unit):
        row["change"] = (row["final"] or 0) - (row["base"] or 0)
    return {"action": by_action, "sector": by_sector, "unit": by_unit}


def _sector_sums(amount: str) -> dict[str, Any]:
    return {"cut": Sum(amount, filter=Q(final_action__in=("rectify_cut", "cut"))),
            "cancelled": Sum(amount, filter=Q(final_action=CANCEL)), "recovered": Sum(amount, filter=Q(final_action=RECOVER)),
            "priority": Sum(amount.replace("base", "final"), filter=Q(final_action="priority"))}


def line_totals(rows: QuerySet[Proposal]) -> dict[str, list[dict[str, Any]]]:
    """Totals by action, sector and unit aggregated from the lines themselves (the raw computation
    the kept totals must equal; three GROUP BY queries over every line)."""
    fields = {"n": Count("pk"), "base": Sum("base_fen"), "final": Sum("final_fen")}
    return _finish(
        [dict(r) for r in rows.order_by().values("final_action").annotate(**fields).order_by("final_action")],
        [dict(r) for r in rows.order_by().values("sector__name").annotate(**fields, **_sector_sums("base_fen"))
         .order_by("sector__name")],
        [dict(r) for r in rows.order_by().values("unit__code", "unit__name").annotate(**fields)
         .order_by("-base", "unit__code")[:20]])  # type: ignore[misc]


def kept_totals(rows: QuerySet[ProposalTotal]) -> dict[str, list[dict[str, Any]]]:
    """The same totals from the kept summary rows (``ProposalTotal``): a sum over a few rows per unit."""
    fields = {"n": Sum("n"), "base": Sum("base_fen"), "final": Sum("final_fen")}
    return _finish(
        [dict(r) for r in rows.order_by().values("final_action").annotate(**fields).order_by("final_action")],
        [dict(r) for r in rows.order_by().values("sector__name").annotate(**fields, **_sector_sums("base_fen"))
         .order_by("sector__name")],
        [dict(r) for r in rows.order_by().values("unit__code", "unit__name").annotate(**fields)
         .order_by("-base", "unit__code")[:20]])  # type: ignore[misc]


def board_totals(board: Board, user: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The board's totals over the lines ``user`` may see (every line when ``user`` is None)."""
    rows = ProposalTotal.objects.filter(board=board)
    if user is not None:
        rows = ProposalTotal.objects.for_user(user).filter(board=board)
    return kept_totals(rows)


def refresh_totals(board: Board, pairs: Iterable[tuple[int, int]] | None = None) -> None:
    """Rewrite the board's kept totals from its lines: all of them, or those of the (unit, sector)
    pairs a change touched. Called inside the transaction of the change."""
    kept = ProposalTotal.objects.filter(board=board)
    lines = Proposal.objects.filter(board=board)
    if pairs is not None:
        which = Q()
        for unit_id, sector_id in set(pairs):
            which |= Q(unit_id=unit_id, sector_id=sector_id)
        kept, lines = kept.filter(which), lines.filter(which)
    kept.delete()
    groups = (lines.order_by().values("unit_id", "sector_id", "final_action",
                                      classified=Coalesce(F("project__is_classified"), Value(False)))
              .annotate(count=Count("pk"), base=Sum("base_fen"), final=Sum("final_fen")))
    ProposalTotal.objects.bulk_create(
        (ProposalTotal(board=board, unit_id=g["unit_id"], sector_id=g["sector_id"], final_action=g["final_action"],
                       classified=g["classified"], n=g["count"], base_fen=g["base"] or 0, final_fen=g["final"] or 0)
         for g in groups.iterator(chunk_size=BATCH)), batch_size=BATCH)


# --- into next year --------------------------------------------------------------------------------------


EXPORT_HEADER = ("项目编码", "项目名称", "单位编码", "单位名称", "本年预算数（万元）", "下年度建议数（万元）", "处理方式", "理由")


def export_workbook(board: Board) -> bytes:
    """The final proposals as the workbook the budget system imports: one row per line."""
    from jixiao.core import spreadsheets

    if board.state != "final":
        raise ApplicationError("结果应用建议定稿后才能导出给预算系统。")
    wb = spreadsheets.new_workbook(write_only=True)
    ws = wb.create_sheet(f"{board.year}年度结果应用")
    spreadsheets.append(ws, EXPORT_HEADER)
    rows = (board.proposals.order_by("unit__code", "code")
            .values_list("code", "name", "unit__code", "unit__name", "base_fen", "final_fen", "final_action", "rule", "reason"))
    for code, name, unit_code, unit_name, base, final, action, rule, reason in rows.iterator(chunk_size=BATCH):
        spreadsheets.append(ws, [code, name, unit_code, unit_name, spreadsheets.wan(base), spreadsheets.wan(final),
                                 ACTION_LABELS[action], reason or rule])
    return spreadsheets.to_bytes(wb)


def departure(action: str, final_fen: int, next_fen: int | None) -> str:
    """How the N+1 budget departs from the final proposal ('' when it follows it)."""
    if next_fen is None:
        return "" if action in (CANCEL, RECOVER) else "下年度预算未安排该项目"
    if action in (CANCEL, RECOVER) and next_fen > 0:
        return f"建议{ACTION_LABELS[action]}，下年度仍安排{format_wan(next_fen)}万元"
    if action in ("rectify_cut", "cut") and next_fen > final_fen:
        return f"建议压减至{format_wan(final_fen)}万元，下年度安排{format_wan(next_fen)}万元"
    return ""


def link_next_year(year: int) -> int:
    """After the budget data of ``year`` is imported: match the board of ``year`` by project code and list departures."""
    from jixiao.organisation.models import Project

    board = Board.objects.filter(year=year).first()
    if board is None:
        return 0
    nexts = {code: (pk, fen) for pk, code, fen in Project.objects.filter(year=year).values_list("pk", "code", "initial_budget_fen")}
    changed = []
    for p in board.proposals.filter(kind="project").only("pk", "code", "final_action", "final_fen", "next_project_id",
                                                          "next_fen", "departure").iterator(chunk_size=BATCH):
        pk, fen = nexts.get(p.code, (None, None))
        text = departure(p.final_action, p.final_fen, fen)
        if (p.next_project_id, p.next_fen, p.departure) != (pk, fen, text):
            p.next_project_id, p.next_fen, p.departure = pk, fen, text
            changed.append(p)
    Proposal.objects.bulk_update(changed, ["next_project", "next_fen", "departure"], batch_size=BATCH)
    Board.objects.filter(pk=board.pk).update(next_linked_at=timezone.now())
    return len(changed)


# --- 六同步: the N+1 target ------------------------------------------------------------------------------


def last_year(declaration: Any) -> dict[str, Any] | None:
    """For an N+1 target form: last year's result, the applied action and the open rectification items."""
    from jixiao.rectification.models import Rectification

    if declaration.project_id is None:
        return None
    code = declaration.project.code
    proposal = Proposal.objects.filter(board__year=declaration.year, kind="project", code=code).select_related("board").first()
    items = list(Rectification.objects.filter(project__code=code, project__year__lt=declaration.year).pending()
                 .order_by("deadline", "pk"))
    if proposal is None and not items:
        return None
    return {"proposal": proposal, "items": items, "overdue": [i for i in items if i.is_overdue]}


def overdue_block(doc: Any, transition: Any, user: Any) -> str | None:
    """A project with overdue rectification gets its N+1 target approved only with the performance section's override."""
    if transition.name != "approve" or doc.project_id is None:
        return None
    info = last_year(doc)
    if not info or not info["overdue"]:
        return None
    if info["proposal"] is not None and info["proposal"].override_reason:
        return None
    return (f"该项目有{len(info['overdue'])}项整改事项逾期未完成，须绩效管理股在结果应用建议中说明理由同意后，"
            f"方可批复下年度绩效目标。")


def override(proposal: Proposal, user: Any, reason: str) -> Proposal:
    if not user.can("application.proposal", "override"):
        raise ApplicationError("只有绩效管理股可以同意整改逾期项目的目标批复。")
    if not (reason or "").strip():
        raise ApplicationError("请填写同意的理由。")
    proposal.override_reason = reason.strip()[:300]
    proposal.lock_version += 1
    with_reason(proposal, f"同意整改逾期项目批复下年度目标：{reason.strip()}")
    proposal.save()
    return proposal
