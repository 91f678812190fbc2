"""Benchmark: the public portal's unit page (/gongkai/<year>/<unit>/), cached vs uncached, in one run.

Builds (once) the district demo in its own SQLite file, then, in one process with Django's test
client and no login, requests the unit page with the most publications ≥ 20 times with the cache
cleared before each request (uncached) and ≥ 20 times from the cache, prints both medians (wall
time) and their ratio (goal ≥ 10×), then holds 64 concurrent anonymous requests and counts errors.
The last line reads ``portal_unit_uncached_ms=… portal_unit_cached_ms=… ratio=… concurrent_errors=…``.

    .venv/bin/python bench/bench_portal.py [--requests 30]   # JIXIAO_DATABASE_URL overrides the file
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "sqlite:////tmp/jixiao-bench-portal.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
os.environ.setdefault("JIXIAO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402


def ensure_demo() -> None:
    from jixiao.demo.services import has_business_data, load_demo

    call_command("migrate", verbosity=0)
    if not has_business_data():
        started = time.perf_counter()
        load_demo("district")
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")


def timed(client: Client, url: str, requests: int, clear: bool) -> float:
    samples = []
    for _ in range(requests):
        if clear:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=64)
    options = parser.parse_args()
    requests = max(20, options.requests)
    ensure_demo()
    from jixiao.disclosure.models import Publication

    busiest = (Publication.objects.public().values("year", "unit__code").annotate(n=Count("pk")).order_by("-n").first())
    if busiest is None:
        raise SystemExit("the demo has no publications")
    url = reverse("gongkai:unit", kwargs={"year": busiest["year"], "code": busiest["unit__code"]})
    client = Client()
    for _ in range(3):  # warm templates and rule sets first
        assert client.get(url).status_code == 200
    uncached = timed(client, url, requests, clear=True)
    cached = timed(client, url, requests, clear=False)
    ratio = uncached / cached if cached else float("inf")
    print(f"unit page {url} ({busiest['n']} publications)")
    print(f"uncached {uncached:7.2f} ms  cached {cached:7.2f} ms  ratio {ratio:.1f}× (median of {requests}; goal ≥ 10×)")

    def one(_: int) -> int:
        return Client().get(url).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        codes = list(pool.map(one, range(options.concurrency * 4)))
    errors = sum(1 for c in codes if c != 200)
    print(f"{len(codes)} anonymous requests on {options.concurrency} concurrent connections: {errors} errors, "
          f"{time.perf_counter() - started:.1f} s")
    print(f"portal_unit_uncached_ms={uncached:.2f} portal_unit_cached_ms={cached:.2f} ratio={ratio:.1f} "
          f"concurrent_errors={errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
