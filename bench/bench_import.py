"""Benchmark: importing and rejecting a 20,000-row budget-system export (issue 11 item 6).

Builds a 20,000-project .xlsx the way the budget system exports it (title rows, amounts in 万元,
a 合计 row) and times, in one run and on one database:

* the floor — python-calamine reading the file plus one bulk INSERT of the same rows into a
  scratch table (the least any importer must do);
* the import — the whole ``run_import`` of a queued batch: read, validate, bulk write with history;
* the rejection — the same file with one bad cell: read, validate, the annotated workbook.

Runs the three interleaved ``ROUNDS`` times (``BENCH_ROUNDS``, default 3) and prints each one's best
time and its ratio to the best floor (goal: both ≤ 5×); asserts nothing. The last line is
``import_floor_ratio=X reject_floor_ratio=Y``.

    .venv/bin/python bench/bench_import.py   # JIXIAO_DATABASE_URL overrides the SQLite file
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "sqlite:////tmp/jixiao-bench-import.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
os.environ.setdefault("JIXIAO_MEDIA_ROOT", "/tmp/jixiao-bench-import-media")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

ROWS, YEAR = 20_000, 2031
#: rounds of floor, rejection and import, interleaved; each figure is its best round (the machine is shared)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
HEADER = ["预算年度", "项目编码", "项目名称", "单位编码", "资金来源", "年初预算数", "调整后预算数", "项目属性"]


def export(bad_row: int | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("项目明细")
    ws.append([f"{YEAR}年度部门预算项目明细表"])
    ws.append(["单位：万元"])
    ws.append(HEADER)
    for i in range(ROWS):
        amount = round(12.34 + i * 0.01, 2)
        row = [YEAR, f"B{YEAR}-{i:06d}", f"基准项目{i}", "B901", "一般公共预算", amount, amount + 0.3, "新增"]
        if i == bad_row:
            row[5] = "12.0000005"  # half a 分 in 万元
        ws.append(row)
    ws.append(["合计"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def setup() -> object:
    from jixiao.accounts.models import User
    from jixiao.organisation.models import BudgetUnit, Project, Sector

    call_command("migrate", verbosity=0)
    Project.history.filter(year=YEAR).delete()
    Project.objects.filter(year=YEAR).delete()
    sector = Sector.objects.first()
    BudgetUnit.objects.get_or_create(code="B901", defaults={"name": "基准单位", "sector": sector})
    user, _ = User.objects.get_or_create(username="bench_import", defaults={"real_name": "基准", "role": "perf_section"})
    return user


def floor(content: bytes) -> float:
    """calamine read + one bulk INSERT of the same rows into a scratch table."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    data = [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), round(r[5] * 1_000_000),
             round(r[6] * 1_000_000), str(r[7])) for r in rows[3:-1]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute("CREATE TABLE bench_scratch (year integer, code varchar(40), name varchar(200), unit varchar(20), "
                       "source varchar(50), initial bigint, adjusted bigint, kind varchar(10))")
        cursor.executemany("INSERT INTO bench_scratch VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", data)
        cursor.execute("DROP TABLE bench_scratch")
    return time.perf_counter() - started


def run(content: bytes, user: object) -> tuple[float, str]:
    from jixiao.organisation.imports import run_import
    from jixiao.organisation.models import ImportBatch

    batch = ImportBatch(kind="projects", file_name="bench.xlsx", uploaded_by=user)
    batch.store(content)
    batch.save()
    started = time.perf_counter()
    run_import(batch)
    return time.perf_counter() - started, batch.status


def main() -> None:
    from jixiao.organisation.models import Project

    user = setup()
    good, bad = export(), export(bad_row=ROWS - 1)
    floors: list[float] = []
    rejects: list[float] = []
    imports: list[float] = []
    for _ in range(ROUNDS):  # interleaved, so that the three see the same load; the best of each counts
        floors.append(floor(good))
        rejected, status = run(bad, user)
        assert status == "rejected", status
        rejects.append(rejected)
        imported, status = run(good, user)
        assert status == "imported", status
        imports.append(imported)
        count = Project.objects.filter(year=YEAR).count()
        Project.history.filter(year=YEAR).delete()
        Project.objects.filter(year=YEAR).delete()
    base, imported, rejected = min(floors), min(imports), min(rejects)
    print(f"rows={ROWS} imported={count} database={connection.vendor} rounds={ROUNDS}")
    print(f"floor_s={base:.2f} (calamine read + one bulk INSERT; runs: {runs(floors)})")
    print(f"import_s={imported:.2f} (runs: {runs(imports)}) reject_s={rejected:.2f} (runs: {runs(rejects)})")
    print(f"import_floor_ratio={imported / base:.2f} reject_floor_ratio={rejected / base:.2f}")


def runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
