"""Benchmark: the finance bureau's target review list at province scale.

Builds (once) a province-scale database — 25,000 units, 600,000 projects — plus a target
declaration for every 2021 project in a mix of review states, then times the list page as the
performance section and as a budget desk sees it. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_targets_list.py        # JIXIAO_DATABASE_URL overrides the file
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "sqlite:////tmp/jixiao-bench-province.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

STATES = ["draft", "submitted", "dept_approved", "returned", "approved", "published"]


def ensure_data() -> None:
    from jixiao.organisation.models import Project
    from jixiao.targets.models import TargetDeclaration

    call_command("migrate", verbosity=0)
    if not Project.objects.exists():
        started = time.perf_counter()
        call_command("demo", "load", "--scale", "province", "--seed", "1")
        print(f"province data built in {time.perf_counter() - started:.1f} s")
    if not TargetDeclaration.objects.filter(year=2021).exists():
        started = time.perf_counter()
        rng = random.Random(1)
        rows = Project.objects.filter(year=2021).values_list("pk", "unit_id", "sector_id").iterator(chunk_size=10000)
        batch = []
        for pk, unit_id, sector_id in rows:
            batch.append(TargetDeclaration(kind="project", year=2021, unit_id=unit_id, sector_id=sector_id,
                                           project_id=pk, state=rng.choice(STATES), annual_goal="基准测试"))
            if len(batch) == 10000:
                TargetDeclaration.objects.bulk_create(batch)
                batch = []
        TargetDeclaration.objects.bulk_create(batch)
        print(f"{TargetDeclaration.objects.count()} declarations built in {time.perf_counter() - started:.1f} s")


def timed(client: Client, url: str, runs: int = 7) -> tuple[float, float, int]:
    times = []
    queries = 0
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
    from jixiao.organisation.models import BudgetUnit, Project
    from jixiao.targets.models import TargetDeclaration

    ensure_data()
    print(f"units {BudgetUnit.objects.count()}, projects {Project.objects.count()}, "
          f"declarations {TargetDeclaration.objects.count()} ({connection.vendor})")
    cases = [
        ("jxg", "/targets/", "performance section, first page"),
        ("jxg", "/targets/?year=2021&state=dept_approved&sort=unit", "performance section, awaiting finance review"),
        ("jxg", "/targets/?q=教育&year=2021", "performance section, keyword search"),
        ("jxg", "/targets/?year=2021&page=200", "performance section, page 200"),
        ("jyk", "/targets/?year=2021&state=dept_approved", "budget desk (教科文股), its sectors"),
        ("jxg", "/targets/completeness/?year=2021", "六同步 completeness by unit"),
    ]
    for username, url, label in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))
        median, worst, queries = timed(client, url, runs=3 if "completeness" in url else 7)
        print(f"{label:45s} median {median * 1000:8.1f} ms  worst {worst * 1000:8.1f} ms  queries {queries}")


if __name__ == "__main__":
    main()
