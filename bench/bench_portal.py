"""Benchmark: the public portal's unit page (/gongkai/<year>/<unit>/), cached vs uncached, in one run.

Builds (once) the district demo in its own SQLite file, then, in one process with Django's test
client and no login, requests the unit page with the most publications ≥ 20 times with the cache
cleared before each request (uncached) and ≥ 20 times from the cache, prints both medians (wall
time) and their ratio (goal ≥ 10×), then holds 64 concurrent anonymous requests and counts errors.
The last line reads ``portal_unit_uncached_ms=… portal_unit_cached_ms=… ratio=… concurrent_errors=…``.

``--http`` measures the same over real HTTP instead: it starts two gunicorn servers on free loopback
ports with the production configuration (``jixiao/gunicorn_conf.py``, workers from the cores) on the
same database — one as deployed, one whose cache keeps nothing (``bench/portal_nocache_settings.py``)
— and first times ``--requests`` sequential requests of the unit page on each, in turn (medians, their
ratio: cached vs uncached in one run), then has ``--concurrency`` threads, each one anonymous keep-alive
``http.client`` connection (reopened when the sync worker closes it), request the unit page and a
publication page of that unit in turn on the deployed server for ``--seconds`` (at most
``--max-requests``). Prints requests, errors, requests per second, p50/p95 per page and overall; the
last line reads ``requests=… errors=… rps=… p50_ms=… p95_ms=… … uncached_ms=… cached_ms=… ratio=…``.
Exit status 1 when a request failed.

    .venv/bin/python bench/bench_portal.py [--requests 30]   # JIXIAO_DATABASE_URL overrides the file
    .venv/bin/python bench/bench_portal.py --http [--concurrency 64] [--seconds 30] [--web-workers N]
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
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
from loopback import free_port, pct, run_threads, stop, wait_ready  # noqa: E402  (bench/ is the script's directory)


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


def start_server(port: int, web_workers: int | None, settings_module: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"JIXIAO_DATABASE_URL": os.environ["JIXIAO_DATABASE_URL"], "JIXIAO_BIND": f"127.0.0.1:{port}",
                "JIXIAO_ACCESS_LOG": "/dev/null", "JIXIAO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT)})
    for name in ("JIXIAO_VAR_DIR", "JIXIAO_WORKING_YEAR"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    if web_workers:
        env["JIXIAO_WEB_WORKERS"] = str(web_workers)
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:jixiao.gunicorn_conf", "jixiao.wsgi"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Connection:
    """One anonymous client: a keep-alive connection, reopened when the server closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        for attempt in range(2):
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the sync worker closed the idle connection: reconnect once (not an error)
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def sequential_ms(ports: tuple[int, int], path: str, requests: int) -> tuple[float, float]:
    """Medians of ``requests`` sequential requests on each server, taken in turn (uncached, cached,
    uncached, …) so both see the same machine."""
    clients = [Connection(port) for port in ports]
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(requests):
        for client, times in zip(clients, samples, strict=True):
            started = time.perf_counter()
            status, _body, _headers = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{path} on port {client.port}: HTTP {status}")
    return statistics.median(samples[0]), statistics.median(samples[1])


def http_run(options: argparse.Namespace, unit_url: str, publication_url: str) -> int:
    cached_port, uncached_port = free_port(), free_port()
    servers = [start_server(cached_port, options.web_workers, "jixiao.settings"),
               start_server(uncached_port, options.web_workers, "bench.portal_nocache_settings")]
    pages = {"unit": unit_url, "publication": publication_url}
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    try:
        for port, server in zip((cached_port, uncached_port), servers, strict=True):
            wait_ready(port, server)
        # Warm every worker of both servers (templates, rule sets, each worker's own cache).
        with ThreadPoolExecutor(max_workers=8) as pool:
            for port in (cached_port, uncached_port):
                list(pool.map(lambda n, port=port: Connection(port).get(list(pages.values())[n % 2]), range(120)))
        requests = max(20, options.requests)
        uncached, cached = sequential_ms((uncached_port, cached_port), unit_url, requests)
        servers[1].send_signal(signal.SIGTERM)  # the load phase has the machine to the deployed server
        servers[1].wait(timeout=60)

        lock = threading.Lock()
        count = [0]
        stop_at = time.monotonic() + options.seconds

        def client(index: int) -> None:
            connection = Connection(cached_port)
            names = list(pages)
            n = index
            while time.monotonic() < stop_at:
                with lock:
                    if count[0] >= options.max_requests:
                        return
                    count[0] += 1
                name = names[n % len(names)]
                n += 1
                started = time.perf_counter()
                try:
                    status, _body, _headers = connection.get(pages[name])
                except OSError as error:
                    status, problem = 0, repr(error)
                else:
                    problem = f"HTTP {status}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 200:
                        timings[name].append(elapsed)
                    else:
                        errors.append(f"{pages[name]}: {problem}")

        wall = run_threads([threading.Thread(target=client, args=(i,)) for i in range(options.concurrency)])
    finally:
        stop(servers)

    ratio = uncached / cached if cached else float("inf")
    every = [t for values in timings.values() for t in values]
    workers = options.web_workers or (os.cpu_count() or 1) * 2 + 1
    print(f"gunicorn ({workers} sync workers, jixiao/gunicorn_conf.py) on 127.0.0.1, "
          f"{os.cpu_count()} cores shared by everything on this machine")
    print(f"unit page {unit_url} over HTTP, median of {requests} sequential requests: uncached {uncached:.1f} ms, "
          f"cached {cached:.1f} ms, ratio {ratio:.1f}× (goal ≥ 10×)")
    print(f"{options.concurrency} concurrent anonymous connections for {wall:.1f} s:")
    parts = []
    for name in pages:
        values = timings[name]
        print(f"  {name:12} {pages[name]:28} n={len(values):6d}  p50={pct(values, 50):7.1f} ms  "
              f"p95={pct(values, 95):7.1f} ms")
        parts += [f"{name}_p50_ms={pct(values, 50):.1f}", f"{name}_p95_ms={pct(values, 95):.1f}"]
    for error in errors[:20]:
        print("  error:", error)
    print(f"  all: requests={len(every) + len(errors)} errors={len(errors)} req/s={len(every) / wall:.1f} "
          f"p50={pct(every, 50):.1f} ms p95={pct(every, 95):.1f} ms")
    print(" ".join([f"requests={len(every) + len(errors)}", f"errors={len(errors)}", f"rps={len(every) / wall:.1f}",
                    f"p50_ms={pct(every, 50):.1f}", f"p95_ms={pct(every, 95):.1f}", *parts,
                    f"uncached_ms={uncached:.2f}", f"cached_ms={cached:.2f}", f"ratio={ratio:.1f}",
                    f"connections={options.concurrency}", f"seconds={wall:.1f}", f"web_workers={workers}"]))
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--http", action="store_true", help="serve with gunicorn on loopback and load it over HTTP")
    parser.add_argument("--seconds", type=float, default=30, help="--http: length of the load phase")
    parser.add_argument("--max-requests", type=int, default=100_000, help="--http: bound on the load phase")
    parser.add_argument("--web-workers", type=int, default=None, help="--http: gunicorn workers (default: the conf's)")
    options = parser.parse_args()
    requests = max(20, options.requests)
    ensure_demo()
    from jixiao.disclosure.models import Publication

    busiest = (Publication.objects.public().values("year", "unit__code").annotate(n=Count("pk")).order_by("-n").first())
    if busiest is None:
        raise SystemExit("the demo has no publications")
    url = reverse("gongkai:unit", kwargs={"year": busiest["year"], "code": busiest["unit__code"]})
    if options.http:
        publication = (Publication.objects.public().filter(year=busiest["year"], unit__code=busiest["unit__code"],
                                                           withdrawn_at__isnull=True).order_by("pk").first())
        assert publication is not None
        return http_run(options, url, reverse("gongkai:publication", kwargs={"pk": publication.pk}))
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
