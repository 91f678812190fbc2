"""Finance review and aggregation (domain.md §5.5): completeness, execution by unit, sector, fund
source and light, and the lowest execution rates. A fixed number of GROUP BY queries, whatever
the number of units; the dashboard and the report read the same figures from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from jixiao.monitoring.models import Kind, MonitoringForm, MonitoringRound
from jixiao.monitoring.services import OPEN_STATES, SUBMITTED_STATES
from jixiao.rules import get_rule_set
from jixiao.rules.monitoring import LIGHT_LABELS, execution_light
from jixiao.rules.monitoring_review import execution_rate

LIGHT_ORDER = ("red", "yellow", "green", "blue")


@dataclass(frozen=True)
class Group:
    """One aggregation line: how many forms, budget and execution (分), rate, and lights."""

    label: str
    forms: int
    budget_fen: int
    executed_fen: int
    red: int = 0
    yellow: int = 0

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.budget_fen, self.executed_fen)


@dataclass
class Completeness:
    total: int = 0
    submitted: int = 0
    missing: int = 0
    accepted: int = 0
    paper_needed: int = 0
    paper_received: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


@dataclass
class Dashboard:
    round: MonitoringRound
    completeness: Completeness
    projects: Group
    departments: Group
    by_unit: list[Group]
    by_sector: list[Group]
    by_fund: list[Group]
    lights: list[tuple[str, str, int, int]]  # (code, label, project forms, budget 分)
    lowest: list[MonitoringForm]

    @property
    def time_progress(self) -> Decimal:
        return self.round.time_progress

    def totals(self) -> dict[str, Any]:
        """The headline figures (the report's totals must equal these)."""
        return {
            "forms": self.completeness.total, "submitted": self.completeness.submitted,
            "missing": self.completeness.missing, "paper_needed": self.completeness.paper_needed,
            "paper_received": self.completeness.paper_received,
            "project_forms": self.projects.forms, "project_budget_fen": self.projects.budget_fen,
            "project_executed_fen": self.projects.executed_fen,
            "project_rate": str(self.projects.rate) if self.projects.rate is not None else "",
            "department_forms": self.departments.forms, "department_budget_fen": self.departments.budget_fen,
            "department_executed_fen": self.departments.executed_fen,
            "lights": {code: n for code, _label, n, _b in self.lights},
        }


SUMS = {"n": Count("pk"), "budget": Sum("budget_fen"), "executed": Sum("executed_fen"),
        "red": Count("pk", filter=Q(overall_light="red")), "yellow": Count("pk", filter=Q(overall_light="yellow"))}
#: the same sums over summary lines (``MonitoringSummary``): each line counts ``forms`` forms
LINE_SUMS = {"n": Sum("forms"), "budget": Sum("budget_fen"), "executed": Sum("executed_fen"),
             "red": Coalesce(Sum("forms", filter=Q(overall_light="red")), 0),
             "yellow": Coalesce(Sum("forms", filter=Q(overall_light="yellow")), 0)}


@dataclass(frozen=True)
class Source:
    """Where the dashboard's sums come from: the forms themselves, or the summary lines kept from
    them (``jixiao.monitoring.summary``); the field paths differ, the figures do not."""

    rows: QuerySet[Any]
    fund_rows: QuerySet[Any]
    sums: Mapping[str, Any]
    completeness: Mapping[str, Any]
    root: str  # path to the first-level unit
    fund: str  # path to the fund source (from ``fund_rows``)


def form_source(forms: QuerySet[MonitoringForm]) -> Source:
    return Source(forms, forms.filter(kind=Kind.PROJECT), SUMS,
                  {"n": Count("pk"), "paper": Count("pk", filter=Q(needs_paper=True)),
                   "received": Count("pk", filter=Q(paper_received_at__isnull=False))},
                  "unit__root", "project__fund_sources")


def summary_source(user: Any | None) -> Source | None:
    """The summary lines ``user`` may see (``None``: everything, for the report), or ``None`` when
    the user's scope (a single unit, an agency) is not one the lines are kept by."""
    from jixiao.accounts.roles import Scope
    from jixiao.monitoring.models import MonitoringFundSummary, MonitoringSummary

    lines: QuerySet[Any]
    funds: QuerySet[Any]
    if user is None:
        lines, funds = MonitoringSummary.objects.all(), MonitoringFundSummary.objects.all()
    elif user.scope in (Scope.ALL, Scope.SECTOR, Scope.UNIT_TREE):
        lines, funds = MonitoringSummary.objects.for_user(user), MonitoringFundSummary.objects.for_user(user)
    else:
        return None
    return Source(lines, funds, LINE_SUMS,
                  {"n": Sum("forms"), "paper": Sum("paper_needed"), "received": Sum("paper_received")},
                  "root", "fund_source")


def _group(label: str, row: Mapping[str, Any]) -> Group:
    return Group(label, row["n"], row["budget"] or 0, row["executed"] or 0, row["red"], row["yellow"])


def completeness(forms: QuerySet[MonitoringForm], source: Source | None = None) -> Completeness:
    src = source or form_source(forms)
    result = Completeness()
    for row in src.rows.values("state").annotate(**src.completeness).order_by("state"):
        result.by_state[row["state"]] = row["n"]
        result.total += row["n"]
        result.submitted += row["n"] if row["state"] in SUBMITTED_STATES else 0
        result.missing += row["n"] if row["state"] in OPEN_STATES else 0
        result.accepted += row["n"] if row["state"] == "accepted" else 0
        result.paper_needed += row["paper"]
        result.paper_received += row["received"]
    return result


def dashboard(rnd: MonitoringRound, forms: QuerySet[MonitoringForm], lowest: int = 10,
              summary: Source | None = None) -> Dashboard:
    """Every figure of the dashboard for the forms the user sees (amounts of project forms; the
    department-overall forms are totalled on their own line, since they include project spending).
    With ``summary`` (the same user's summary lines) the sums are read from the lines; the lowest
    execution rates always come from the forms (an index gives them in order)."""
    forms = forms.filter(round=rnd)
    src = summary or form_source(forms)
    src = replace(src, rows=src.rows.filter(round=rnd), fund_rows=src.fund_rows.filter(round=rnd))
    rows, sums, root, fund = src.rows, src.sums, src.root, src.fund
    projects = rows.filter(kind=Kind.PROJECT)
    # The aggregate keys come from ``SUMS``, which the typed ``values()`` rows do not list.
    kinds: dict[str, Mapping[str, Any]] = {row["kind"]: row for row in rows.values("kind").annotate(**sums).order_by()}
    empty: Mapping[str, Any] = {"n": 0, "budget": 0, "executed": 0, "red": 0, "yellow": 0}
    by_unit = [_group(r[f"{root}__name"] or "", r) for r in
               projects.values(f"{root}__name", f"{root}__code").annotate(**sums).order_by(f"{root}__code")]
    by_sector = [_group(r["sector__name"], r) for r in
                 projects.values("sector__name", "sector__code").annotate(**sums).order_by("sector__code")]
    by_fund = [_group(r[f"{fund}__name"] or "未注明", r) for r in
               src.fund_rows.values(f"{fund}__name", f"{fund}__code").annotate(**sums)
               .order_by(f"{fund}__code")]
    light_rows: dict[str, Mapping[str, Any]] = {
        r["overall_light"]: r for r in projects.values("overall_light").annotate(**sums).order_by()}
    lights = [(code, LIGHT_LABELS[code], light_rows.get(code, empty)["n"], light_rows.get(code, empty)["budget"] or 0)
              for code in LIGHT_ORDER]
    low = list(forms.filter(kind=Kind.PROJECT, execution_rate__isnull=False).select_related("unit", "project", "sector")
               .order_by("execution_rate", "-budget_fen", "pk")[:lowest])
    return Dashboard(
        round=rnd, completeness=completeness(forms, src),
        projects=_group("财政项目资金", kinds.get(Kind.PROJECT, empty)),
        departments=_group("部门整体支出", kinds.get(Kind.DEPARTMENT, empty)),
        by_unit=by_unit, by_sector=by_sector, by_fund=by_fund, lights=lights, lowest=low,
    )


def unit_bars(dash: Dashboard, limit: int = 60) -> list[Any]:
    """Execution by first-level unit for the chart, coloured by the rules engine's execution light."""
    from jixiao.core.charts import Bar

    rule_set = get_rule_set(dash.round.rule_set)
    bars = []
    for g in dash.by_unit[:limit]:
        light = execution_light(Decimal(g.budget_fen), Decimal(g.executed_fen), dash.round.end_month, rule_set)
        bars.append(Bar(g.label, g.rate or Decimal(0), light.code))
    return bars


def light_counts(dash: Dashboard) -> list[tuple[str, str, int]]:
    return [(code, label, n) for code, label, n, _budget in dash.lights]
