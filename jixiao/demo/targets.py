"""Demo performance targets: every project and department-overall form of the district, in every
workflow state, with realistic indicators per sector taken from the indicator library."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.demo.reviewlog import review_logs
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.targets.models import IndicatorLibraryItem, Kind, MainTask, TargetDeclaration, TargetIndicator
from jixiao.targets.workflows import TARGET_WORKFLOW
from jixiao.workflow.models import ReviewLog

# Path of transitions that leads to each state (the review log the demo writes).
PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "submitted": ("submit",),
    "dept_approved": ("submit", "dept_approve"),
    "returned": ("submit", "dept_approve", "return"),
    "rejected": ("submit", "dept_approve", "reject"),
    "approved": ("submit", "dept_approve", "approve"),
    "published": ("submit", "dept_approve", "approve", "publish"),
}
# Share of each state by budget year, relative to the plan year N: N−1 is last year's baseline, N the
# year under way, N+1 next year's declarations with the budget.
MIX: dict[int, list[tuple[str, float]]] = {
    -1: [("published", 0.55), ("approved", 0.45)],
    0: [("published", 0.2), ("approved", 0.42), ("dept_approved", 0.1), ("submitted", 0.08),
           ("returned", 0.06), ("draft", 0.11), ("rejected", 0.03)],
    1: [("draft", 0.55), ("submitted", 0.25), ("dept_approved", 0.12), ("returned", 0.08)],
}
GRADES = {"approve": ("优", "良"), "return": ("中",), "reject": ("差",)}
COMMENTS = {
    "dept_approve": "经审核，同意报送财政局。",
    "approve": "绩效目标明确，指标细化量化，同意批复。",
    "return": "质量指标和效益指标不够具体，请对照行业标准细化后重新报送。",
    "reject": "立项依据不充分，绩效目标与资金规模不匹配，不予纳入预算。",
}
SECTOR_GOALS = {
    "教育": "改善办学条件，提升义务教育质量，保障学生健康成长。",
    "卫生健康": "提高基本公共卫生服务均等化水平，保障群众健康。",
    "社会保障和就业": "兜住兜牢民生底线，保障困难群众基本生活。",
    "农林水": "提升农业综合生产能力，改善农村人居环境和水利设施条件。",
    "交通运输": "保障农村公路安全畅通，改善群众出行条件。",
}


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for state, share in mix:
        acc += share
        if x < acc:
            return state
    return mix[-1][0]


def _split(total: int, n: int) -> list[int]:
    base = [total // n] * n
    for i in range(total - sum(base)):
        base[i] += 1
    return base


def _value(rng: random.Random, item: IndicatorLibraryItem) -> str:
    ref = item.reference_value
    if item.comparison in (">=", ">") and item.unit not in ("%",) and ref.replace(".", "").isdigit():
        return str(max(1, round(float(ref) * rng.uniform(0.5, 1.6))))
    return ref


def indicator_rows(rng: random.Random, library: dict[str, list[IndicatorLibraryItem]], sector: str) -> list[dict[str, Any]]:
    own = library.get(sector, [])
    common = library[""]
    quantity = [i for i in own if i.level2 == "数量指标"] or [i for i in common if i.level2 == "数量指标"]
    quality = [i for i in own + common if i.level2 == "质量指标"]
    timeliness = [i for i in common if i.level2 == "时效指标"]
    benefit = [i for i in own if i.level1 == "效益指标"] or [i for i in common if i.level1 == "效益指标"]
    satisfaction = [i for i in common if i.level1 == "满意度指标"]
    outputs = [rng.choice(quantity), rng.choice(quality), rng.choice(timeliness)] if quantity else []
    rows = []
    for items, total in ((outputs, 50), ([rng.choice(benefit)], 30), ([satisfaction[0]], 10)):
        for item, weight in zip(items, _split(total, len(items)), strict=True):
            rows.append({"level1": item.level1, "level2": item.level2, "name": item.name, "comparison": item.comparison,
                         "value": _value(rng, item), "unit": item.unit, "weight": Decimal(weight),
                         "explanation": item.explanation, "library_item": item})
    return rows


class _Writer:
    def __init__(self) -> None:
        self.indicators: list[TargetIndicator] = []
        self.tasks: list[MainTask] = []
        self.logs: list[ReviewLog] = []
        users = list(User.objects.select_related("unit").prefetch_related("sectors"))
        self.fillers = {u.unit_id: u for u in users if u.role == "unit_filler"}
        self.approvers = {u.unit_id: u for u in users if u.role == "unit_approver"}
        self.desks = {s.pk: u for u in users if u.role == "budget_desk" for s in u.sectors.all()}
        self.perf = next(u for u in users if u.role == "perf_section")

    def actor(self, name: str, d: TargetDeclaration) -> User | None:
        if name in ("submit",):
            return self.fillers.get(d.unit_id) or self.approvers.get(d.unit.root_id)
        if name == "dept_approve":
            return self.approvers.get(d.unit.root_id)
        if name == "publish":
            return self.perf
        return self.desks.get(d.sector_id, self.perf)

    def log(self, d: TargetDeclaration, path: Sequence[str], when: Any) -> None:
        self.logs += review_logs(TARGET_WORKFLOW, d, path, lambda name: self.actor(name, d), when, COMMENTS,
                                 grade=d.review_grade)

    def flush(self) -> None:
        TargetIndicator.objects.bulk_create(self.indicators, batch_size=2000)
        MainTask.objects.bulk_create(self.tasks, batch_size=2000)
        ReviewLog.objects.bulk_create(self.logs, batch_size=2000)


def _declaration(rng: random.Random, kind: str, year: int, unit: BudgetUnit, project: Project | None,
                 state: str) -> TargetDeclaration:
    path = PATHS[state]
    grade = rng.choice(GRADES[path[-1]]) if path and path[-1] in GRADES else (
        rng.choice(("优", "良")) if "approve" in path else "")
    subject = project.name if project else unit.name
    return TargetDeclaration(
        kind=kind, year=year, unit=unit, sector=project.sector if project else unit.sector, project=project,
        state=state, is_current=True, review_grade=grade, review_comment=COMMENTS.get(path[-1], "") if path else "",
        annual_goal=f"{year}年完成{subject}年度任务，{SECTOR_GOALS.get(unit.sector.name, '提升公共服务水平和资金使用效益。')}",
        long_term_goal=f"持续实施{subject}，{SECTOR_GOALS.get(unit.sector.name, '建立健全长效机制。')}" if project else "",
        fiscal_fen=project.adjusted_budget_fen if project else None, other_fen=0 if project else None,
        contact_person="", unit_head="",
        approved_at=timezone.now() if "approve" in path else None,
        published_at=timezone.now() if "publish" in path else None,
    )


def load_targets(rng: random.Random, plan_year: int) -> int:
    library: dict[str, list[IndicatorLibraryItem]] = {}
    for item in IndicatorLibraryItem.objects.select_related("sector"):
        library.setdefault(item.sector.name if item.sector_id else "", []).append(item)
    writer = _Writer()
    projects = list(Project.objects.select_related("unit__root", "unit__sector", "sector").order_by("year", "code"))
    planned = [(p, _pick(rng, MIX.get(p.year - plan_year, MIX[1]))) for p in projects]
    declarations = [(_declaration(rng, Kind.PROJECT, p.year, p.unit, p, s), p) for p, s in planned if s]
    units = list(BudgetUnit.objects.filter(parent__isnull=True, year_settings__in_assessment_scope=True)
                 .select_related("sector", "root").distinct())
    for offset in sorted(MIX):
        year = plan_year + offset
        for unit in units:
            state = _pick(rng, MIX[offset])
            if state:
                declarations.append((_declaration(rng, Kind.DEPARTMENT, year, unit, None, state), None))
    TargetDeclaration.objects.bulk_create([d for d, _ in declarations], batch_size=1000)
    start = timezone.now() - timedelta(days=240)
    by_unit_year: dict[tuple[int, int], list[Project]] = {}
    for p in projects:
        by_unit_year.setdefault((p.unit.root_id or p.unit_id, p.year), []).append(p)
    for d, project in declarations:
        for n, row in enumerate(indicator_rows(rng, library, d.sector.name)):
            writer.indicators.append(TargetIndicator(declaration=d, position=n, **row))
        if project is None:
            top = sorted(by_unit_year.get((d.unit_id, d.year), []), key=lambda p: -p.adjusted_budget_fen)[:3]
            for n, p in enumerate(top):
                writer.tasks.append(MainTask(declaration=d, position=n, name=p.name, content=f"组织实施{p.name}",
                                             fiscal_fen=p.adjusted_budget_fen))
        writer.log(d, PATHS[d.state], start + timedelta(days=rng.randint(0, 60)))
    writer.flush()
    approved = [p.pk for d, p in declarations if p is not None and d.state in ("approved", "published")]
    Project.objects.filter(pk__in=approved).update(budget_approved_at=timezone.now())
    _adjustments(rng, [d for d, p in declarations if p is not None and d.year == plan_year and d.state == "approved"])
    return len(declarations)


def _adjustments(rng: random.Random, approved: list[TargetDeclaration]) -> None:
    """A few of the plan year's targets adjusted mid-year: two v2 drafts, one v2 approved (v1 superseded)."""
    for n, v1 in enumerate(rng.sample(approved, min(3, len(approved)))):
        state = "approved" if n == 0 else "draft"
        v2 = TargetDeclaration.objects.create(
            kind=v1.kind, year=v1.year, unit=v1.unit, sector=v1.sector, project=v1.project, version=2,
            supersedes=v1, adjustment_reason="受项目实施条件变化影响，按程序调整产出数量指标。", state=state,
            is_current=state == "approved", annual_goal=v1.annual_goal, long_term_goal=v1.long_term_goal,
            fiscal_fen=v1.fiscal_fen, other_fen=v1.other_fen, review_grade="良" if state == "approved" else "",
            approved_at=timezone.now() if state == "approved" else None,
        )
        rows = list(v1.indicators.all())
        for row in rows:
            row.pk, row.declaration = None, v2
            if row.level2 == "数量指标" and row.value.isdigit():
                row.value = str(max(1, int(row.value) * 8 // 10))
        TargetIndicator.objects.bulk_create(rows)
        if state == "approved":
            TargetDeclaration.objects.filter(pk=v1.pk).update(state="superseded", is_current=False)
