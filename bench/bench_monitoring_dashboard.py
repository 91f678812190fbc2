"""Benchmark: the finance bureau's monitoring dashboard at province scale.

Builds (once) its own province-scale monitoring data in a separate SQLite file — 25,000 units
(2,500 first-level), three monitored projects per unit (75,000 project forms) plus a
department-overall form per first-level unit — then times the dashboard as the performance
section (all rows) and as a budget desk (its sectors) sees it. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_monitoring_dashboard.py   # JIXIAO_DATABASE_URL overrides the file
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "sqlite:////tmp/jixiao-bench-monitoring.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

FIRST_LEVEL, PER_ROOT, PROJECTS_PER_UNIT, YEAR = 2_500, 9, 3, 2021
LIGHTS = ["red", "yellow", "green", "green", "blue"]


def ensure_data() -> None:
    from jixiao.accounts.models import User
    from jixiao.monitoring.models import MonitoringForm, MonitoringRound
    from jixiao.organisation.models import BudgetUnit, Project, Sector
    from jixiao.targets.models import TargetDeclaration

    call_command("migrate", verbosity=0)
    if MonitoringForm.objects.exists():
        return
    started = time.perf_counter()
    rng = random.Random(1)
    sectors = list(Sector.objects.all())
    with transaction.atomic():
        perf = User.objects.create(username="bench_perf", real_name="基准", role="perf_section")
        desk = User.objects.create(username="bench_desk", real_name="基准", role="budget_desk")
        desk.sectors.add(*sectors[:2])
        roots = BudgetUnit.objects.bulk_create(
            BudgetUnit(code=f"R{i:05d}", name=f"省直部门{i}", sector=sectors[i % len(sectors)], sort_key=f"r{i}")
            for i in range(FIRST_LEVEL))
        BudgetUnit.objects.filter(parent__isnull=True).update(root_id=django.db.models.F("pk"))
        subs = BudgetUnit.objects.bulk_create(
            BudgetUnit(code=f"R{r.pk:05d}{k:02d}", name=f"{r.name}下属{k}", sector=r.sector, parent=r, root_id=r.pk,
                       sort_key=f"s{r.pk}{k}") for r in roots for k in range(PER_ROOT))
        units = [*roots, *subs]
        for r in roots:
            r.root_id = r.pk
        projects = Project.objects.bulk_create(
            (Project(year=YEAR, code=f"B-{u.code}-{n}", name=f"{u.name}项目{n}", unit=u, sector=u.sector,
                     initial_budget_fen=(b := rng.randint(5, 500) * 1_000_000), adjusted_budget_fen=b)
             for u in units for n in range(PROJECTS_PER_UNIT)), batch_size=5000)
        targets = TargetDeclaration.objects.bulk_create(
            (TargetDeclaration(kind="project", year=YEAR, unit=p.unit, sector=p.sector, project=p, state="approved")
             for p in projects), batch_size=5000)
        departments = TargetDeclaration.objects.bulk_create(
            (TargetDeclaration(kind="department", year=YEAR, unit=r, sector=r.sector, state="approved") for r in roots),
            batch_size=5000)
        rnd = MonitoringRound.objects.create(year=YEAR, end_month=9, due_on=date(YEAR, 11, 30), title="基准轮次",
                                             opened_by=perf)
        forms = []
        for t in [*targets, *departments]:
            budget = t.project.adjusted_budget_fen if t.project_id else rng.randint(100, 5000) * 1_000_000
            executed = int(budget * rng.uniform(0.2, 1.0))
            forms.append(MonitoringForm(
                round=rnd, kind=t.kind, unit=t.unit, sector=t.sector, project=t.project, target=t, state=rng.choice(
                    ["draft", "submitted", "dept_approved", "accepted"]), budget_fen=budget, initial_budget_fen=budget,
                executed_fen=executed, execution_rate=round(executed * 100 / budget, 2),
                execution_light=rng.choice(LIGHTS[:3]), overall_light=rng.choice(LIGHTS), needs_paper=budget >= 30_000_000))
        MonitoringForm.objects.bulk_create(forms, batch_size=5000)
    print(f"{MonitoringForm.objects.count()} monitoring forms for {BudgetUnit.objects.count()} units built "
          f"in {time.perf_counter() - started:.1f} s")


def timed(client: Client, url: str, runs: int = 5) -> tuple[float, float, int]:
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times), max(times), queries


def main() -> None:
    from jixiao.accounts.models import User
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.organisation.models import BudgetUnit

    ensure_data()
    print(f"units {BudgetUnit.objects.count()}, monitoring forms {MonitoringForm.objects.count()} ({connection.vendor})")
    for username, label in (("bench_perf", "绩效管理股（全部）"), ("bench_desk", "业务股室（分管行业）")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in ("/monitoring/dashboard/", "/monitoring/?light=red&sort=-budget"):
            median, worst, queries = timed(client, url)
            print(f"{label} {url}: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()
