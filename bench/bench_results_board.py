"""Benchmark: the 结果应用 board at province scale on PostgreSQL.

Builds (once) its own data in the database named by ``JIXIAO_DATABASE_URL`` (default: PostgreSQL
database ``results_bench`` on 127.0.0.1) — 25,000 units (2,500 first-level) and one board of
``BENCH_PROJECTS`` proposal lines (default 600,000; each line's proposal computed by
``rules.application.propose`` from random evidence) — then times the board's first page with its
totals and charts as the performance section (all lines) and as a budget desk (its sectors), and the
raw SQL of the same totals over the lines (what the page would cost without the kept totals,
``ProposalTotal``). Prints figures and the ratio page / raw SQL; asserts nothing.

    JIXIAO_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/results_bench BENCH_PROJECTS=600000 \\
        .venv/bin/python bench/bench_results_board.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/results_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

FIRST_LEVEL, PER_ROOT, YEAR = 2_500, 9, 2022
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "600000"))
GRADES = ["优", "良", "良", "中", "中", "差", "无效", ""]
RECTS = ["none", "none", "none", "open", "closed", "overdue"]


def ensure_database() -> None:
    """Create the benchmark's own PostgreSQL database if it is missing (never the name ``test``)."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        return
    import psycopg

    name = settings["NAME"]
    assert name != "test", "the benchmark never uses the database named test"
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                         dbname="postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def ensure_data() -> None:
    from jixiao.accounts.models import User
    from jixiao.application.models import Board, Proposal
    from jixiao.application.services import refresh_totals
    from jixiao.organisation.models import BudgetUnit, Sector
    from jixiao.rules.application import ApplicationRules, Evidence, propose

    call_command("migrate", verbosity=0)
    board = Board.objects.filter(year=YEAR).first()
    if board is not None and board.proposals.count() == PROJECTS:
        if not board.totals.exists():  # built before the kept totals
            with transaction.atomic():
                refresh_totals(board)
        return
    started = time.perf_counter()
    rng = random.Random(1)
    rules = ApplicationRules()
    sectors = list(Sector.objects.all())
    with transaction.atomic():
        Board.objects.filter(year=YEAR).delete()
        perf, _ = User.objects.get_or_create(username="bench_perf", defaults={"real_name": "基准", "role": "perf_section"})
        desk, _ = User.objects.get_or_create(username="bench_desk", defaults={"real_name": "基准", "role": "budget_desk"})
        desk.sectors.set(sectors[:2])
        if not BudgetUnit.objects.filter(code__startswith="R").exists():
            roots = BudgetUnit.objects.bulk_create(
                BudgetUnit(code=f"R{i:05d}", name=f"省直部门{i}", sector=sectors[i % len(sectors)], sort_key=f"r{i}")
                for i in range(FIRST_LEVEL))
            BudgetUnit.objects.filter(parent__isnull=True).update(root_id=django.db.models.F("pk"))
            BudgetUnit.objects.bulk_create(
                BudgetUnit(code=f"R{r.pk:05d}{k:02d}", name=f"{r.name}下属{k}", sector=r.sector, parent=r, root_id=r.pk,
                           sort_key=f"s{r.pk}{k}") for r in roots for k in range(PER_ROOT))
        units = list(BudgetUnit.objects.filter(code__startswith="R").values_list("pk", "sector_id"))
        board = Board.objects.create(year=YEAR, evidence_year=YEAR - 1, state="open", built_by=perf)
        batch = []
        for n in range(PROJECTS):
            unit_id, sector_id = units[n % len(units)]
            base = rng.randint(5, 500) * 1_000_000
            grade = rng.choice(GRADES)
            rate = Decimal(rng.randint(5, 100))
            ev = Evidence(base_fen=base, key_grade=grade if n % 7 == 0 else "", self_grade=grade, self_accepted=True,
                          rectification=rng.choice(RECTS), execution_rate=rate, unspent_prior_years=n % 2)
            p = propose(rules, ev)
            batch.append(Proposal(board=board, unit_id=unit_id, sector_id=sector_id, code=f"B-{n:07d}", name=f"基准项目{n}",
                                  base_fen=base, target_state="已批复", monitoring_light=rng.choice(["red", "yellow", "green"]),
                                  execution_rate=rate, self_grade=grade, key_grade=ev.key_grade,
                                  rectification=ev.rectification, grade=p.grade, rule=p.rule, action=p.action, cut=p.cut,
                                  proposed_fen=p.proposed_fen, final_action=p.action, final_fen=p.proposed_fen))
            if len(batch) == 10_000:
                Proposal.objects.bulk_create(batch)
                batch = []
        Proposal.objects.bulk_create(batch)
        refresh_totals(board)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE application_proposal")
        cursor.execute("ANALYZE application_proposaltotal")
    print(f"{PROJECTS} proposal lines for {len(units)} units built in {time.perf_counter() - started:.1f} s")


RAW_TOTALS = [
    "SELECT final_action, COUNT(*), SUM(base_fen), SUM(final_fen) FROM application_proposal WHERE board_id = %s "
    "GROUP BY final_action",
    "SELECT s.name, COUNT(*), SUM(p.base_fen), SUM(p.final_fen) FROM application_proposal p "
    "JOIN organisation_sector s ON s.id = p.sector_id WHERE p.board_id = %s GROUP BY s.name",
    "SELECT u.code, u.name, COUNT(*), SUM(p.base_fen) AS base, SUM(p.final_fen) FROM application_proposal p "
    "JOIN organisation_budgetunit u ON u.id = p.unit_id WHERE p.board_id = %s GROUP BY u.code, u.name "
    "ORDER BY base DESC LIMIT 20",
]


def raw_totals(board_id: int, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in RAW_TOTALS:
                cursor.execute(sql, [board_id])
                cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed(client: Client, url: str, runs: int = 5) -> tuple[float, float, int]:
    times, queries = [], 0
    client.get(url)  # warm the caches once
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times), max(times), queries


def signed_in(user: object) -> Client:
    """A client signed in as ``user`` with both factors when the role needs the second one."""
    from jixiao.accounts.otp import second_factor_required

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    if second_factor_required(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="基准测试验证器", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def main() -> None:
    from jixiao.accounts.models import User
    from jixiao.application.models import Board

    ensure_database()
    ensure_data()
    board = Board.objects.get(year=YEAR)
    raw = raw_totals(board.pk)
    print(f"proposal lines {board.proposals.count()} ({connection.vendor}); raw SQL of the totals: median {raw * 1000:.0f} ms")
    for username, label in (("bench_perf", "绩效管理股（全部）"), ("bench_desk", "业务股室（分管行业）")):
        client = signed_in(User.objects.get(username=username))
        url = f"/application/?year={YEAR}"
        median, worst, queries = timed(client, url)
        print(f"{label} {url}: first page + totals median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, "
              f"{queries} queries, ratio to raw SQL {median / raw:.2f}")


if __name__ == "__main__":
    main()
