"""Benchmark: the finance bureau's pages and a large export on the province demo (PostgreSQL).

Needs the province demo loaded into the database of ``JIXIAO_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/jx_province``)::

    JIXIAO_DATABASE_URL=… jixiao demo load --scale province [--units N] --year 2021
    .venv/bin/python bench/bench_province.py

Times, as the performance section (every row), the monitoring dashboard (its floor: the raw SQL
over the forms; ``dashboard_lines``: the same page against the SQL over the summary lines it
reads), the 六同步 completeness
page, the target review list (by unit, and sorted by project name; its total read from the kept
``DeclarationTally``, its floor the raw COUNT and first page) and an Excel export of the
review list (queued by the request, built by the worker's task in this process), each the median of
a few runs; and, in the same run, the floor: hand-written SQL computing the same numbers (the
export's floor: the SQL of the view's ``export_query``, its rows fetched).
Last line: ``PAGE_ms=… PAGE_floor_ratio=…`` for dashboard, dashboard_lines, completeness, review_list,
review_by_name and export.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jx_province")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
APPROVED = "('approved', 'published')"
LISTED = "(d.is_current OR (d.supersedes_id IS NOT NULL AND d.state IN ('draft', 'submitted', 'dept_approved', 'returned')))"


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    fn()  # warm caches (the first run reads from disk)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def sql(*statements: tuple[str, list[object]]) -> Callable[[], object]:
    def run() -> object:
        with connection.cursor() as cursor:
            for text, params in statements:
                cursor.execute(text, params)
                cursor.fetchall()
        return None
    return run


def dashboard_floor(round_id: int) -> Callable[[], object]:
    forms = "monitoring_monitoringform f"
    sums = ("count(*), sum(f.budget_fen), sum(f.executed_fen), count(*) FILTER (WHERE f.overall_light = 'red'), "
            "count(*) FILTER (WHERE f.overall_light = 'yellow')")
    return sql(
        (f"SELECT f.state, count(*), count(*) FILTER (WHERE f.needs_paper), count(*) FILTER (WHERE f.paper_received_at IS NOT NULL) "
         f"FROM {forms} WHERE f.round_id = %s GROUP BY f.state", [round_id]),
        (f"SELECT f.kind, {sums} FROM {forms} WHERE f.round_id = %s GROUP BY f.kind", [round_id]),
        (f"SELECT r.code, r.name, {sums} FROM {forms} JOIN organisation_budgetunit u ON u.id = f.unit_id "
         f"JOIN organisation_budgetunit r ON r.id = u.root_id WHERE f.round_id = %s AND f.kind = 'project' "
         f"GROUP BY r.code, r.name ORDER BY r.code", [round_id]),
        (f"SELECT s.code, s.name, {sums} FROM {forms} JOIN organisation_sector s ON s.id = f.sector_id "
         f"WHERE f.round_id = %s AND f.kind = 'project' GROUP BY s.code, s.name ORDER BY s.code", [round_id]),
        (f"SELECT pf.fundsource_id, {sums} FROM {forms} LEFT JOIN organisation_project_fund_sources pf "
         f"ON pf.project_id = f.project_id WHERE f.round_id = %s AND f.kind = 'project' GROUP BY pf.fundsource_id", [round_id]),
        (f"SELECT f.overall_light, {sums} FROM {forms} WHERE f.round_id = %s AND f.kind = 'project' GROUP BY f.overall_light",
         [round_id]),
        (f"SELECT f.id, f.execution_rate FROM {forms} WHERE f.round_id = %s AND f.kind = 'project' "
         f"AND f.execution_rate IS NOT NULL ORDER BY f.execution_rate, f.budget_fen DESC, f.id LIMIT 10", [round_id]),
    )


def dashboard_lines_floor(round_id: int) -> Callable[[], object]:
    """The same figures from the summary lines the page reads (``jixiao.monitoring.summary``), and the
    lowest rates from the forms."""
    lines, funds = "monitoring_monitoringsummary l", "monitoring_monitoringfundsummary l"
    sums = ("sum(l.forms), sum(l.budget_fen), sum(l.executed_fen), sum(l.forms) FILTER (WHERE l.overall_light = 'red'), "
            "sum(l.forms) FILTER (WHERE l.overall_light = 'yellow')")
    return sql(
        (f"SELECT l.state, sum(l.forms), sum(l.paper_needed), sum(l.paper_received) FROM {lines} WHERE l.round_id = %s "
         "GROUP BY l.state", [round_id]),
        (f"SELECT l.kind, {sums} FROM {lines} WHERE l.round_id = %s GROUP BY l.kind", [round_id]),
        (f"SELECT r.code, r.name, {sums} FROM {lines} JOIN organisation_budgetunit r ON r.id = l.root_id "
         "WHERE l.round_id = %s AND l.kind = 'project' GROUP BY r.code, r.name ORDER BY r.code", [round_id]),
        (f"SELECT s.code, s.name, {sums} FROM {lines} JOIN organisation_sector s ON s.id = l.sector_id "
         "WHERE l.round_id = %s AND l.kind = 'project' GROUP BY s.code, s.name ORDER BY s.code", [round_id]),
        (f"SELECT l.fund_source_id, {sums} FROM {funds} WHERE l.round_id = %s GROUP BY l.fund_source_id", [round_id]),
        (f"SELECT l.overall_light, {sums} FROM {lines} WHERE l.round_id = %s AND l.kind = 'project' "
         "GROUP BY l.overall_light", [round_id]),
        ("SELECT f.id, f.execution_rate FROM monitoring_monitoringform f WHERE f.round_id = %s AND f.kind = 'project' "
         "AND f.execution_rate IS NOT NULL ORDER BY f.execution_rate, f.budget_fen DESC, f.id LIMIT 10", [round_id]),
    )


def completeness_floor(year: int) -> Callable[[], object]:
    # Totals = the sectors' sums, number of units = sum of distinct units per sector (one sector a unit).
    return sql(
        ("SELECT s.name, count(*), count(*) FILTER (WHERE p.budget_approved_at IS NOT NULL), count(DISTINCT p.unit_id) "
         "FROM organisation_project p "
         "JOIN organisation_budgetunit u ON u.id = p.unit_id JOIN organisation_sector s ON s.id = u.sector_id "
         "WHERE p.year = %s GROUP BY s.name", [year]),
        (f"SELECT s.name, count(*), count(*) FILTER (WHERE d.state IN {APPROVED}), "
         "count(*) FILTER (WHERE d.state = 'rejected') FROM targets_targetdeclaration d "
         "JOIN organisation_budgetunit u ON u.id = d.unit_id JOIN organisation_sector s ON s.id = u.sector_id "
         "WHERE d.year = %s AND d.kind = 'project' AND d.is_current GROUP BY s.name", [year]),
        ("WITH page AS (SELECT u.id, u.code FROM organisation_budgetunit u WHERE EXISTS (SELECT 1 FROM organisation_project p "
         "WHERE p.unit_id = u.id AND p.year = %s) ORDER BY u.code LIMIT 100) "
         "SELECT page.code, (SELECT count(*) FROM organisation_project p WHERE p.unit_id = page.id AND p.year = %s), "
         f"(SELECT count(*) FILTER (WHERE d.state IN {APPROVED}) FROM targets_targetdeclaration d WHERE d.unit_id = page.id "
         "AND d.year = %s AND d.kind = 'project' AND d.is_current) FROM page ORDER BY page.code", [year, year, year]),
        ("SELECT count(*) FROM organisation_unityearsetting WHERE year = %s AND in_assessment_scope", [year]),
        (f"SELECT count(*) FROM targets_targetdeclaration WHERE kind = 'department' AND year = %s AND is_current "
         f"AND state IN {APPROVED}", [year]),
    )


def review_floor(year: int, order: str = "u.code, d.id") -> Callable[[], object]:
    """The list's count and its first page of 50 in the page's order (unit code; or project name)."""
    return sql(
        (f"SELECT count(*) FROM targets_targetdeclaration d WHERE d.year = %s AND {LISTED}", [year]),
        ("SELECT d.id, d.kind, d.version, d.state, d.review_grade, u.name, p.name, p.adjusted_budget_fen, s.name "
         "FROM targets_targetdeclaration d JOIN organisation_budgetunit u ON u.id = d.unit_id "
         "LEFT JOIN organisation_project p ON p.id = d.project_id JOIN organisation_sector s ON s.id = d.sector_id "
         f"WHERE d.year = %s AND {LISTED} ORDER BY {order} LIMIT 50", [year]),
    )


def main() -> None:
    from jixiao.accounts.models import User
    from jixiao.core.exports import build_export, list_view
    from jixiao.core.models import ExportJob
    from jixiao.monitoring.models import MonitoringForm, MonitoringRound

    rnd = MonitoringRound.objects.order_by("-year", "-pk").first()
    if rnd is None:
        sys.exit("No monitoring round: load the province demo first (jixiao demo load --scale province --year 2021).")
    year = rnd.year
    perf = User.objects.get(username=os.environ.get("BENCH_USER", "jxg"))
    client = Client()
    client.force_login(perf)
    from jixiao.accounts.otp import second_factor_required

    if second_factor_required(perf):  # signed in with both factors, as after the dynamic code
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=perf, confirmed=True).first() or TOTPDevice.objects.create(
            user=perf, name="基准测试验证器", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    forms = MonitoringForm.objects.filter(round=rnd).count()
    print(f"province: {forms} monitoring forms in the round of {year}; user {perf.username} ({perf.get_role_display()})")

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        return get

    export_url = f"/targets/?year={year}&state=approved&export=xlsx"

    request_ms: list[float] = []

    def export() -> None:
        started = time.perf_counter()
        response = client.get(export_url)
        request_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code == 200:  # few rows: answered in the request
            return
        assert response.status_code == 302, response.status_code
        job = ExportJob.objects.filter(requested_by=perf).order_by("-pk").first()
        assert job is not None
        build_export.func(job.pk)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, job.message
        ExportJob.objects.filter(pk=job.pk).delete()

    def export_floor() -> None:  # the export's own query (the view's export_query), its rows fetched
        job = ExportJob(requested_by=perf, path="/targets/", query=f"year={year}&state=approved")
        view = list_view(job)
        text, params = view.export_query(view.rows()[0]).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(text, params)
            cursor.fetchall()

    results: dict[str, tuple[float, float]] = {}
    checks = [
        ("dashboard", page(f"/monitoring/dashboard/?round={rnd.pk}"), dashboard_floor(rnd.pk)),
        ("dashboard_lines", page(f"/monitoring/dashboard/?round={rnd.pk}"), dashboard_lines_floor(rnd.pk)),
        ("completeness", page(f"/targets/completeness/?year={year}"), completeness_floor(year)),
        ("review_list", page(f"/targets/?year={year}"), review_floor(year)),
        ("review_by_name", page(f"/targets/?year={year}&sort=subject"), review_floor(year, "d.subject, d.id")),
        ("export", export, export_floor),
    ]
    for name, fn, floor in checks:
        runs = 3 if name == "export" else RUNS
        page_ms, floor_ms = median_ms(fn, runs), median_ms(floor, runs)
        results[name] = (page_ms, floor_ms)
        print(f"{name}: {page_ms:.0f} ms, floor {floor_ms:.0f} ms, ratio {page_ms / floor_ms:.2f}", flush=True)
    # The export's request itself (count, job queued, redirect to its page) is what the user waits for.
    print(f"export request (queues the job): median {statistics.median(request_ms):.0f} ms")
    print(" ".join(f"{n}_ms={p:.0f} {n}_floor_ratio={p / f:.2f}" for n, (p, f) in results.items())
          + f" export_request_ms={statistics.median(request_ms):.0f}")


if __name__ == "__main__":
    main()
