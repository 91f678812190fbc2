"""Build the demo district (and the province-scale benchmark data) from :mod:`jixiao.demo.data`.

Everything random goes through one ``random.Random(seed)`` (children are derived from it), so a
seed always gives the same units, projects, amounts and accounts. Rows are written with
``bulk_create``; because that bypasses ``BudgetUnit.save()``, ``root`` and ``sort_key`` are
computed here. At district scale the initial history rows are written too (``+ 演示数据导入``);
at province scale history is skipped.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import User
from jixiao.accounts.otp import SECOND_FACTOR_ROLES, second_factor_required
from jixiao.core.dbstats import refresh_statistics
from jixiao.deadlines.models import CalendarEntry, ensure_year
from jixiao.demo import data
from jixiao.demo.data import ProjectTemplate, UnitSpec
from jixiao.organisation.models import (
    BudgetUnit,
    DepartmentExpenditure,
    FiscalYear,
    FundSource,
    ImportBatch,
    PolicyCategory,
    Project,
    Sector,
    UnitYearSetting,
)

Scale = Literal["district", "province"]
SCALES: tuple[Scale, ...] = ("district", "province")
BATCH_SIZE = 5_000
FEN_PER_YUAN = 100
ROUND_YUAN = 100  # budget amounts are whole hundreds of 元
MIN_PROJECT_YUAN = 5_000
#: Business records that refer to documents only by link, emptied by ``--reset`` as well.
EXTRA_WIPED_LABELS = frozenset({"workflow.Notification", "monitoring.MonitoringRound", "monitoring.ExecutionImport",
                                "evaluation.RecheckRound", "auditlink.AuditWorkPlan", "assessment.AssessmentScheme",
                                "disclosure.PortalJob", "application.Board", "application.ApplicationRuleSet",
                                "application.HistoricalBoard", "application.HistoricalApplicationRuleSet"})


class DemoDataPresent(Exception):
    """The database already holds units or projects; ``load`` will not add a second copy."""


@dataclass
class LoadSummary:
    scale: Scale
    seed: int
    plan_year: int = data.SEED_YEAR
    first_level: int = 0
    subordinates: int = 0
    projects: int = 0
    users: int = 0
    targets: int = 0
    documents: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped_users: list[str] = field(default_factory=list)

    @property
    def units(self) -> int:
        return self.first_level + self.subordinates


# ---------------------------------------------------------------------------------------------
# Planning (pure: no database) — district scale
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedProject:
    year: int
    code: str
    name: str
    unit_code: str
    sector: str
    initial_fen: int
    adjusted_fen: int
    is_continuing: bool
    is_classified: bool
    fund_codes: tuple[str, ...]
    policy_code: str | None


@dataclass
class _Line:
    """One project across the years it runs (same code and name; 延续项目 after its first year)."""

    unit: UnitSpec
    template: ProjectTemplate
    code: str
    started: int
    amount_yuan: int
    fund_codes: tuple[str, ...]


def child_rng(rng: random.Random) -> random.Random:
    """A reproducible independent stream, so one part's draws do not shift another's."""
    return random.Random(rng.getrandbits(64))


def round_yuan(yuan: float) -> int:
    return max(MIN_PROJECT_YUAN, round(yuan / ROUND_YUAN) * ROUND_YUAN)


def draw_amount_yuan(rng: random.Random, template: ProjectTemplate) -> int:
    """Log-normal around the template's typical amount: most projects small, a few large."""
    return round_yuan(template.scale_wan * 10_000 * rng.lognormvariate(-0.8, 0.65))


def adjusted_yuan(rng: random.Random, initial_yuan: int) -> int:
    """调整后预算: usually unchanged, sometimes up or down by 10–30%."""
    if rng.random() >= 0.3:
        return initial_yuan
    sign = 1 if rng.random() < 0.6 else -1
    return round_yuan(initial_yuan * (1 + sign * rng.uniform(0.10, 0.30)))


def draw_fund_codes(rng: random.Random, template: ProjectTemplate) -> tuple[str, ...]:
    """One or two fund sources: the template's main one, and often its second."""
    primary = template.funds[0]
    if len(template.funds) > 1 and rng.random() < 0.75:
        return (primary, template.funds[1])
    if len(template.funds) == 1 and rng.random() < 0.12:
        extra = rng.choice(("04", "09") if primary == "01" else ("01",))
        return (primary, extra)
    return (primary,)


def templates_for(unit: UnitSpec) -> tuple[ProjectTemplate, ...]:
    own = data.PROJECT_TEMPLATES.get(unit.kind, ())
    return own + data.GENERIC_TEMPLATES if unit.is_first_level else own


def project_code(division: str, started: int, seq: int) -> str:
    return f"{division}-{started}-{seq:04d}"


class _CodeSequence:
    def __init__(self, division: str) -> None:
        self.division = division
        self.counters: dict[int, int] = defaultdict(int)

    def next(self, started: int) -> str:
        self.counters[started] += 1
        return project_code(self.division, started, self.counters[started])


def _new_line(
    rng: random.Random, unit: UnitSpec, template: ProjectTemplate, year: int, first_year: int, codes: _CodeSequence,
) -> _Line:
    started = year
    # In the first demo year many recurring projects already ran before (延续项目 from 2018/2019).
    if year == first_year and template.recurring and template.runs_in(year - 1) and rng.random() < 0.6:
        started = year - rng.choice((1, 2))
    return _Line(
        unit=unit, template=template, code=codes.next(started), started=started,
        amount_yuan=draw_amount_yuan(rng, template), fund_codes=draw_fund_codes(rng, template),
    )


def _planned(rng: random.Random, line: _Line, year: int) -> PlannedProject:
    initial = line.amount_yuan
    adjusted = adjusted_yuan(rng, initial)
    template = line.template
    return PlannedProject(
        year=year, code=line.code, name=template.name, unit_code=line.unit.code,
        sector=template.sector or line.unit.sector,
        initial_fen=initial * FEN_PER_YUAN, adjusted_fen=adjusted * FEN_PER_YUAN,
        is_continuing=line.started < year, is_classified=line.unit.classified,
        fund_codes=line.fund_codes, policy_code=template.policy,
    )


def unit_weight(unit: UnitSpec) -> float:
    """How many of the district's projects a unit tends to have: more lines of work, more projects."""
    own = len(data.PROJECT_TEMPLATES.get(unit.kind, ()))
    return max(1, own) * (1.5 if unit.is_first_level else 1.0)


def template_weight(template: ProjectTemplate) -> float:
    """Own line-of-work projects are far more common than the generic ones (培训, 信息化…)."""
    return 0.5 if template in data.GENERIC_TEMPLATES else 4.0


class _YearPlan:
    """The project lines of one budget year while it is being filled."""

    def __init__(self, rng: random.Random, year: int, first_year: int, codes: _CodeSequence,
                 pools: dict[str, tuple[ProjectTemplate, ...]], continuing: list[_Line]) -> None:
        self.rng, self.year, self.first_year, self.codes, self.pools = rng, year, first_year, codes, pools
        self.lines = list(continuing)
        self.used = {(line.unit.code, line.template.name) for line in continuing}

    def free(self, unit: UnitSpec) -> list[ProjectTemplate]:
        return [t for t in self.pools[unit.code] if t.runs_in(self.year) and (unit.code, t.name) not in self.used]

    def start(self, unit: UnitSpec, template: ProjectTemplate) -> None:
        self.used.add((unit.code, template.name))
        self.lines.append(_new_line(self.rng, unit, template, self.year, self.first_year, self.codes))

    def start_any(self, unit: UnitSpec) -> bool:
        options = self.free(unit)
        if options:
            self.start(unit, self.rng.choices(options, [template_weight(t) for t in options])[0])
        return bool(options)


def plan_district_projects(
    rng: random.Random,
    units: Sequence[UnitSpec] = data.DISTRICT_UNITS,
    per_year: dict[int, int] | None = None,
    division: str = data.DIVISION_CODE,
) -> list[PlannedProject]:
    """The projects of every year: recurring ones continue, one-off ones end, new ones fill up.

    Mainstay projects (``key``: 低保, 债券付息, 义务教育公用经费…) run every year they apply.
    """
    per_year = per_year or data.district_projects_per_year(data.SEED_YEAR)
    years = sorted(per_year)
    codes = _CodeSequence(division)
    pools = {u.code: templates_for(u) for u in units}
    weights = [unit_weight(u) for u in units]
    planned: list[PlannedProject] = []
    active: list[_Line] = []
    for year in years:
        continuing = []
        for line in active:
            keep = 1.0 if line.template.key else 0.85 if line.template.recurring else 0.12
            if line.template.runs_in(year) and rng.random() < keep:
                line.amount_yuan = round_yuan(line.amount_yuan * rng.uniform(0.9, 1.15))
                continuing.append(line)
        plan = _YearPlan(rng, year, years[0], codes, pools, continuing)
        for unit in units:
            for template in plan.free(unit):
                if template.key:
                    plan.start(unit, template)
        with_projects = {line.unit.code for line in plan.lines}
        # Every first-level unit, and every demo account's unit, has at least one project each year.
        account_units = {a.unit_code for a in data.DEMO_ACCOUNTS if a.unit_code}
        for unit in units:
            if (unit.is_first_level or unit.code in account_units) and unit.code not in with_projects:
                plan.start_any(unit)
        attempts = 0
        while len(plan.lines) < per_year[year] and attempts < 50 * per_year[year]:
            attempts += 1
            plan.start_any(rng.choices(units, weights)[0])
        planned.extend(_planned(rng, line, year) for line in plan.lines)
        active = plan.lines
    return sorted(planned, key=lambda p: (p.year, p.code))


# ---------------------------------------------------------------------------------------------
# Writing rows
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text))


def sort_key(name: str, prefix: str = "") -> str:
    """The unit's pinyin sort key, as ``BudgetUnit.save()`` computes it (prefix cached separately)."""
    if prefix and name.startswith(prefix):
        return (pinyin_key(prefix) + pinyin_key(name[len(prefix):]))[:200]
    return pinyin_key(name)[:200]


def batched(items: Iterable[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ensure_fiscal_years(years: Iterable[int], current: int) -> None:
    for year in years:
        FiscalYear.objects.get_or_create(year=year)
    if not FiscalYear.objects.filter(is_current=True).exists():
        FiscalYear.objects.filter(year=current).update(is_current=True)


def ensure_calendar(years: Iterable[int]) -> None:
    for year in years:
        ensure_year(year)


def insert_units(
    first_level: Sequence[BudgetUnit], subordinates: Sequence[tuple[BudgetUnit, str]], *, history: bool,
) -> dict[str, BudgetUnit]:
    """Bulk-create first-level units (root = itself), then subordinates (root = parent's root).

    ``subordinates`` pairs each unsaved unit with its parent's code; parents must be first-level.
    """
    BudgetUnit.objects.bulk_create(first_level, batch_size=BATCH_SIZE)
    ids = [u.pk for u in first_level]
    for chunk in batched(ids, 900):
        BudgetUnit.objects.filter(pk__in=chunk, root__isnull=True).update(root_id=F("id"))
    by_code = {u.code: u for u in first_level}
    for unit in first_level:
        unit.root_id = unit.pk
    for unit, parent_code in subordinates:
        parent = by_code[parent_code]
        unit.parent_id = parent.pk
        unit.root_id = parent.root_id
    subs = [u for u, _ in subordinates]
    BudgetUnit.objects.bulk_create(subs, batch_size=BATCH_SIZE)
    by_code.update((u.code, u) for u in subs)
    if history:
        BudgetUnit.history.bulk_history_create(
            [*first_level, *subs], batch_size=BATCH_SIZE, default_change_reason=data.HISTORY_REASON
        )
    return by_code


def insert_year_settings(units: Iterable[BudgetUnit], out_of_scope: set[str], years: Sequence[int], *, history: bool) -> int:
    rows = [
        UnitYearSetting(unit=u, year=y, in_assessment_scope=u.code not in out_of_scope)
        for u in units if u.parent_id is None for y in years
    ]
    UnitYearSetting.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if history:
        UnitYearSetting.history.bulk_history_create(rows, batch_size=BATCH_SIZE, default_change_reason=data.HISTORY_REASON)
    return len(rows)


class _ProjectWriter:
    """Buffers projects with their fund sources and policy categories; flushes in batches."""

    def __init__(self, *, history: bool, batch_size: int = BATCH_SIZE) -> None:
        self.history = history
        self.batch_size = batch_size
        self.funds = {f.code: f.pk for f in FundSource.objects.all()}
        self.policies = {p.code: p.pk for p in PolicyCategory.objects.all()}
        self.fund_through = Project.fund_sources.through
        self.policy_through = Project.policy_categories.through
        self.pending: list[tuple[Project, tuple[str, ...], str | None]] = []
        self.count = 0
        self.totals: dict[tuple[int, int], int] = defaultdict(int)  # (unit id, year) -> adjusted fen

    def add(self, project: Project, fund_codes: tuple[str, ...], policy_code: str | None) -> None:
        self.pending.append((project, fund_codes, policy_code))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        projects = [p for p, _, _ in self.pending]
        Project.objects.bulk_create(projects, batch_size=self.batch_size)
        fund_rows: list[Any] = []
        policy_rows: list[Any] = []
        for project, fund_codes, policy_code in self.pending:
            self.totals[(project.unit_id, project.year)] += project.adjusted_budget_fen
            fund_rows.extend(
                self.fund_through(project_id=project.pk, fundsource_id=self.funds[c]) for c in fund_codes
            )
            if policy_code:
                policy_rows.append(self.policy_through(project_id=project.pk, policycategory_id=self.policies[policy_code]))
        self.fund_through.objects.bulk_create(fund_rows, batch_size=self.batch_size)
        self.policy_through.objects.bulk_create(policy_rows, batch_size=self.batch_size)
        if self.history:
            Project.history.bulk_history_create(
                projects, batch_size=self.batch_size, default_change_reason=data.HISTORY_REASON
            )
        self.count += len(projects)
        self.pending = []


def draw_expenditure(rng: random.Random, staff: int, year_index: int) -> tuple[int, int]:
    """(人员经费, 公用经费) in 分 for a unit of ``staff`` people, growing a little each year."""
    growth = 1.04**year_index
    personnel_yuan = staff * rng.uniform(95_000, 135_000) * growth
    public_yuan = staff * rng.uniform(12_000, 26_000) * growth
    return round(personnel_yuan) * FEN_PER_YUAN, round(public_yuan) * FEN_PER_YUAN


def insert_expenditures(
    rng: random.Random, units: Iterable[tuple[BudgetUnit, tuple[int, int]]], years: Sequence[int],
    project_totals: dict[tuple[int, int], int], *, history: bool,
) -> int:
    rows = []
    for unit, staff_range in units:
        staff = rng.randint(*staff_range)
        for i, year in enumerate(years):
            personnel, public = draw_expenditure(rng, staff, i)
            rows.append(
                DepartmentExpenditure(
                    unit=unit, year=year, personnel_fen=personnel, public_fen=public,
                    project_fen=project_totals.get((unit.pk, year), 0),
                )
            )
    DepartmentExpenditure.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if history:
        DepartmentExpenditure.history.bulk_history_create(
            rows, batch_size=BATCH_SIZE, default_change_reason=data.HISTORY_REASON
        )
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


def create_demo_users(units_by_code: dict[str, BudgetUnit], unit_code_map: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Create every demo account with the shared password; existing usernames are left alone.

    Returns (created, skipped usernames). ``unit_code_map`` maps the district unit codes named in
    :data:`data.DEMO_ACCOUNTS` to the codes of the loaded scale.
    """
    sectors = {s.name: s for s in Sector.objects.all()}
    existing = {u.lower() for u in User.objects.values_list("username", flat=True)}
    created = 0
    skipped: list[str] = []
    for account in data.DEMO_ACCOUNTS:
        if account.username.lower() in existing:
            skipped.append(account.username)
            continue
        unit = None
        if account.unit_code:
            unit = units_by_code[(unit_code_map or {}).get(account.unit_code, account.unit_code)]
        user = User(
            username=account.username, real_name=account.real_name, role=account.role, unit=unit,
            agency_name=account.agency_name, phone=account.phone, is_active=True,
            is_staff=False, is_superuser=False, must_change_password=False,
        )
        validate_password(data.DEMO_PASSWORD, user)
        user.set_password(data.DEMO_PASSWORD)
        # Demo passwords are published in the README: no 90-day expiry clock for them.
        user.password_changed_at = None
        user.full_clean()
        user.save()
        if account.sectors:
            user.sectors.set([sectors[name] for name in account.sectors])
        if second_factor_required(user):
            # The demo's second factor is enrolled in advance with a published key (`jixiao demo users`).
            TOTPDevice.objects.create(user=user, name="演示验证器", key=demo_totp_key(user.username), confirmed=True)
        created += 1
    return created, skipped


def demo_totp_key(username: str) -> str:
    """The demo account's TOTP key (hex, 20 bytes): derived from the username and published, for the demo only."""
    import hashlib

    return hashlib.sha1(f"jixiao-demo-totp:{username}".encode()).hexdigest()


def demo_totp_text(username: str) -> str:
    """The key as an authenticator app takes it (base32)."""
    import base64

    return base64.b32encode(bytes.fromhex(demo_totp_key(username))).decode().rstrip("=")


def demo_totp_code(username: str) -> str:
    """The current dynamic code of a demo account (``jixiao demo otp USERNAME``)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(demo_totp_key(username))):06d}"


@dataclass(frozen=True)
class AccountRow:
    username: str
    password: str
    role: str
    role_label: str
    unit: str | None
    real_name: str
    note: str
    totp_key: str = ""  # hex; empty for roles without a required second factor

    def as_json(self) -> dict[str, str | None]:
        return {"username": self.username, "password": self.password, "role": self.role, "unit": self.unit,
                "totp_key": self.totp_key or None}


def _district_unit_name(code: str | None) -> str | None:
    if code is None:
        return None
    return next(u.name for u in data.DISTRICT_UNITS if u.code == code)


def demo_account_rows() -> list[AccountRow]:
    """The demo accounts, with the unit name from the database when loaded (else the district's)."""
    try:
        loaded = {
            u.username: (u.unit.name if u.unit else None)
            for u in User.objects.filter(username__in=data.DEMO_USERNAMES).select_related("unit")
        }
    except DatabaseError:
        loaded = {}
    rows = []
    for account in data.DEMO_ACCOUNTS:
        unit = loaded[account.username] if account.username in loaded else _district_unit_name(account.unit_code)
        rows.append(
            AccountRow(
                username=account.username, password=data.DEMO_PASSWORD, role=str(account.role),
                role_label=account.role.label, unit=unit, real_name=account.real_name,
                note=account.agency_name or account.note,
                totp_key=demo_totp_key(account.username) if account.role in SECOND_FACTOR_ROLES else "",
            )
        )
    return rows


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def accounts_table(rows: Sequence[AccountRow]) -> str:
    body = [
        [r.username, r.password, r.role_label, r.unit or (f"（{r.note}）" if r.note else "—"),
         demo_totp_text(r.username) if r.totp_key else "—"] for r in rows
    ]
    return format_table(["账号", "密码", "角色", "单位", "动态口令密钥"], body)


# ---------------------------------------------------------------------------------------------
# Presence check and reset
# ---------------------------------------------------------------------------------------------


def has_business_data() -> bool:
    return BudgetUnit.objects.exists() or Project.objects.exists()


def _is_candidate(model: type[models.Model]) -> bool:
    meta = model._meta
    return (
        meta.app_config is not None and meta.app_config.name.startswith("jixiao.")
        and meta.app_label != "audit" and meta.managed and not meta.proxy and model is not User
    )


def _references(model: type[models.Model]) -> set[type[models.Model]]:
    return {f.related_model for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None}  # type: ignore[misc]


def business_models() -> list[type[models.Model]]:
    """The models ``--reset`` empties, dependents first.

    The units, projects, expenditure, import batches and calendar, every model that refers to
    them (directly or through another such model), workflow records that point at documents
    generically, in-system notices, and the history tables of all of these. The security log (``audit``) and the
    accounts themselves are not among them.
    """
    candidates = [m for m in apps.get_models(include_auto_created=True) if _is_candidate(m)]
    wiped: set[type[models.Model]] = {
        BudgetUnit, Project, DepartmentExpenditure, UnitYearSetting, ImportBatch, CalendarEntry,
    }
    wiped |= {m for m in candidates if any(isinstance(f, GenericForeignKey) for f in m._meta.private_fields)}
    wiped |= {m for m in candidates if m._meta.label in EXTRA_WIPED_LABELS}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in wiped:
                continue
            if _references(model) & wiped or getattr(model, "instance_type", None) in wiped:
                wiped.add(model)
                changed = True
    return _dependents_first(sorted(wiped, key=lambda m: m._meta.label))


def _dependents_first(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    remaining = list(models_)
    ordered: list[type[models.Model]] = []
    while remaining:
        # A model can go once nothing left still refers to it.
        ready = [m for m in remaining if not any(m in _references(o) for o in remaining if o is not m)]
        if not ready:  # a cycle: the deferred foreign keys of SQLite and PostgreSQL cope
            ready = remaining[:1]
        for m in ready:
            remaining.remove(m)
        ordered.extend(ready)
    return ordered


def wipe_business_data() -> dict[str, int]:
    """Delete the business data and the demo accounts (and accounts bound to a unit).

    Raw ``DELETE`` statements: no history rows for the deletion, and no row-by-row collection at
    province scale. The security log is never touched (its triggers refuse deletes anyway).
    """
    counts: dict[str, int] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in business_models():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
                counts[model._meta.label] = max(cursor.rowcount, 0)
        users = User.objects.filter(Q(username__in=data.DEMO_USERNAMES) | Q(unit__isnull=False))
        counts[User._meta.label] = users.delete()[0]
    return counts


# ---------------------------------------------------------------------------------------------
# District scale
# ---------------------------------------------------------------------------------------------


def _unit_row(spec: UnitSpec, sectors: dict[str, Sector]) -> BudgetUnit:
    return BudgetUnit(
        code=spec.code, name=spec.name, sector=sectors[spec.sector], is_classified=spec.classified,
        sort_key=sort_key(spec.name),
    )


def load_district(rng: random.Random, summary: LoadSummary) -> None:
    """The demo district in plan year ``summary.plan_year``: its budget years, targets, the monitoring
    round of N, the evaluations of N−1."""
    plan_year = summary.plan_year
    years = data.demo_years(plan_year)
    sectors = {s.name: s for s in Sector.objects.all()}
    first = [_unit_row(s, sectors) for s in data.FIRST_LEVEL_UNITS]
    subs = [(_unit_row(s, sectors), s.parent or "") for s in data.SUBORDINATE_UNITS]
    units = insert_units(first, subs, history=True)
    out_of_scope = {s.code for s in data.FIRST_LEVEL_UNITS if not s.in_scope}
    insert_year_settings(units.values(), out_of_scope, years, history=True)

    writer = _ProjectWriter(history=True)
    for p in plan_district_projects(child_rng(rng), per_year=data.district_projects_per_year(plan_year)):
        writer.add(
            Project(
                year=p.year, code=p.code, name=p.name, unit=units[p.unit_code], sector=sectors[p.sector],
                initial_budget_fen=p.initial_fen, adjusted_budget_fen=p.adjusted_fen,
                is_continuing=p.is_continuing, is_classified=p.is_classified,
            ),
            p.fund_codes, p.policy_code,
        )
    writer.flush()
    staff = [(units[s.code], s.staff) for s in data.DISTRICT_UNITS]
    insert_expenditures(child_rng(rng), staff, years, writer.totals, history=True)
    summary.first_level, summary.subordinates, summary.projects = len(first), len(subs), writer.count
    summary.users, summary.skipped_users = create_demo_users(units)
    from jixiao.demo.targets import load_targets

    summary.targets = load_targets(child_rng(rng), plan_year)
    from jixiao.demo.evaluation import load_evaluation

    load_evaluation(child_rng(rng), plan_year)
    from jixiao.demo.monitoring import load_monitoring

    load_monitoring(child_rng(rng), plan_year)
    from jixiao.demo.auditlink import load_auditlink

    load_auditlink(child_rng(rng), plan_year)
    from jixiao.demo.assessment import load_assessment

    load_assessment(child_rng(rng), plan_year)
    from jixiao.demo.disclosure import load_packages, load_publications

    load_publications(child_rng(rng), plan_year)
    from jixiao.demo.application import load_application

    load_application(child_rng(rng), plan_year)
    load_packages(plan_year)


# ---------------------------------------------------------------------------------------------
# Province scale (benchmarks)
# ---------------------------------------------------------------------------------------------


def county_unit_name(name: str, county: str) -> str:
    """The district unit's name as it would read in another county."""
    short = county[:-1] if len(county) > 2 else county
    name = name.replace("岳阳市生态环境局云溪分局", f"{county}生态环境分局")
    return name.replace(data.DISTRICT_NAME, county).replace(data.DISTRICT_SHORT, short)


@dataclass(frozen=True)
class _ProvinceUnit:
    code: str
    name: str
    spec: UnitSpec  # the district unit it copies (kind, sector, staff)
    parent_code: str | None
    county: str


def province_units(
    first_level: int = data.PROVINCE_FIRST_LEVEL, per_unit: int = data.PROVINCE_SUBORDINATES_PER_UNIT,
) -> Iterator[_ProvinceUnit]:
    """Counties × the district's first-level units, each with ``per_unit`` subordinates."""
    subs_of: dict[str, list[UnitSpec]] = defaultdict(list)
    for sub in data.SUBORDINATE_UNITS:
        subs_of[sub.parent or ""].append(sub)
    made = 0
    # The demo accounts' county first, so a province of any size (``--units``) has their units.
    counties = sorted(data.PROVINCE_COUNTIES, key=lambda c: c[0] != data.PROVINCE_ACCOUNT_DIVISION)
    for division, county in counties:
        towns = iter(data.PROVINCE_TOWN_NAMES)
        for spec in data.FIRST_LEVEL_UNITS:
            if made == first_level:
                return
            made += 1
            code = f"{division}{spec.code}"
            name = f"{county}{next(towns)}" if spec.kind == "town" else county_unit_name(spec.name, county)
            yield _ProvinceUnit(code, name, spec, None, county)
            children: list[tuple[str, UnitSpec]] = []
            if spec.kind != "town":
                children = [(county_unit_name(s.name, county), s) for s in subs_of[spec.code]]
            generic = UnitSpec("", "", spec.sector, spec.kind, parent=spec.code, staff=(5, 15))
            children += [(f"{name}{extra}", generic) for extra in data.PROVINCE_EXTRA_SUBORDINATES]
            for k, (child_name, child_spec) in enumerate(children[:per_unit], start=1):
                yield _ProvinceUnit(f"{code}{k:03d}", child_name, child_spec, code, county)


def _province_pool(spec: UnitSpec) -> tuple[ProjectTemplate, ...]:
    return data.PROJECT_TEMPLATES.get(spec.kind, ()) + data.GENERIC_TEMPLATES


def load_province(rng: random.Random, summary: LoadSummary, size: int | None = None) -> None:
    """The province: ``size`` units (default 25,000; a tenth first-level, each with nine subordinates),
    eight projects per unit and year, then every document (:mod:`jixiao.demo.province`)."""
    years = data.demo_years(summary.plan_year)
    # At least one county (its 40 first-level units hold the demo accounts).
    first_level = data.PROVINCE_FIRST_LEVEL if size is None else max(
        len(data.FIRST_LEVEL_UNITS), size // (1 + data.PROVINCE_SUBORDINATES_PER_UNIT))
    sectors = {s.name: s for s in Sector.objects.all()}
    first: list[BudgetUnit] = []
    subs: list[tuple[BudgetUnit, str]] = []
    specs: dict[str, _ProvinceUnit] = {}
    for pu in province_units(first_level):
        unit = BudgetUnit(
            code=pu.code, name=pu.name, sector=sectors[pu.spec.sector], is_classified=pu.spec.classified,
            sort_key=sort_key(pu.name, pu.county),
        )
        specs[pu.code] = pu
        if pu.parent_code is None:
            first.append(unit)
        else:
            subs.append((unit, pu.parent_code))
    units = insert_units(first, subs, history=False)
    out_of_scope = {c for c, pu in specs.items() if pu.parent_code is None and not pu.spec.in_scope}
    insert_year_settings(first, out_of_scope, years, history=False)

    project_rng = child_rng(rng)
    writer = _ProjectWriter(history=False, batch_size=10_000)
    division_of = {pu.code: pu.code[:6] for pu in specs.values()}
    code_seqs: dict[str, _CodeSequence] = {}
    lines: dict[str, list[_Line]] = {}
    ordered = [*first, *(u for u, _ in subs)]
    for year in years:
        for unit in ordered:
            pu = specs[unit.code]
            division = division_of[unit.code]
            codes = code_seqs.setdefault(division, _CodeSequence(division))
            unit_lines = _province_lines(project_rng, pu, lines.get(unit.code, []), year, years[0], codes)
            lines[unit.code] = unit_lines
            for line in unit_lines:
                adjusted = adjusted_yuan(project_rng, line.amount_yuan)
                template = line.template
                writer.add(
                    Project(
                        year=year, code=line.code, name=template.name, unit_id=unit.pk,
                        sector_id=sectors[template.sector or pu.spec.sector].pk,
                        initial_budget_fen=line.amount_yuan * FEN_PER_YUAN, adjusted_budget_fen=adjusted * FEN_PER_YUAN,
                        is_continuing=line.started < year, is_classified=pu.spec.classified,
                    ),
                    line.fund_codes, template.policy,
                )
    writer.flush()
    staff = [(u, specs[u.code].spec.staff) for u in ordered]
    insert_expenditures(child_rng(rng), staff, years, writer.totals, history=False)
    summary.first_level, summary.subordinates, summary.projects = len(first), len(subs), writer.count
    code_map = {a.unit_code: f"{data.PROVINCE_ACCOUNT_DIVISION}{a.unit_code}" for a in data.DEMO_ACCOUNTS if a.unit_code}
    summary.users, summary.skipped_users = create_demo_users(units, code_map)
    from jixiao.demo.province import load_province_documents

    summary.documents = load_province_documents(child_rng(rng), summary.plan_year)
    summary.targets = summary.documents.get("targets", 0)


def _province_lines(
    rng: random.Random, pu: _ProvinceUnit, previous: list[_Line], year: int, first_year: int, codes: _CodeSequence,
    count: int = data.PROVINCE_PROJECTS_PER_UNIT_YEAR,
) -> list[_Line]:
    """This year's ``count`` projects of one unit: some of last year's continue, the rest are new."""
    kept = []
    for line in previous:
        if line.template.recurring and line.template.runs_in(year) and rng.random() < 0.6:
            line.amount_yuan = round_yuan(line.amount_yuan * rng.uniform(0.9, 1.15))
            kept.append(line)
    taken = {line.template.name for line in kept}
    free = [t for t in _province_pool(pu.spec) if t.name not in taken and t.runs_in(year)]
    needed = count - len(kept)
    chosen = rng.sample(free, needed) if len(free) >= needed else [*free, *rng.choices(free, k=needed - len(free))]
    unit_spec = UnitSpec(pu.code, pu.name, pu.spec.sector, pu.spec.kind, classified=pu.spec.classified)
    return kept + [_new_line(rng, unit_spec, t, year, first_year, codes) for t in chosen]


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def load_demo(scale: Scale = "district", seed: int = data.DEFAULT_SEED, *, reset: bool = False,
              year: int | None = None, units: int | None = None) -> LoadSummary:
    """Load the demo data of plan year ``year`` (default: the plan year today falls in, so the demo
    lives in today's year); raises :class:`DemoDataPresent` when units or projects already exist."""
    if scale not in SCALES:
        raise ValueError(f"未知规模：{scale}")
    from jixiao.core.years import default_working_year

    started = time.perf_counter()
    plan_year = year or default_working_year()
    summary = LoadSummary(scale=scale, seed=seed, plan_year=plan_year)
    rng = random.Random(seed)
    with transaction.atomic():  # a failed load leaves the database as it was, reset included
        if reset:
            wipe_business_data()
        elif has_business_data():
            raise DemoDataPresent
        ensure_fiscal_years(data.demo_years(plan_year), plan_year)
        if scale == "district":
            load_district(rng, summary)
        else:
            load_province(rng, summary, units)
        ensure_calendar(data.demo_years(plan_year))
    refresh_statistics()
    summary.seconds = time.perf_counter() - started
    return summary
