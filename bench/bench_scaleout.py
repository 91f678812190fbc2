"""Load run across two app servers at once on the district demo (issue 16 item 4), loopback only.

Loads the district demo into its own PostgreSQL database once, starts two gunicorn servers on
free ports of 127.0.0.1 (``--web-workers`` each), logs in demo users (two unit fillers, two
unit approvers) and has ``--threads`` clients, each with its own
session, request the pages of a deadline day round-robin over both servers for ``--seconds``
(bounded: at most ``--max-requests`` in all). Prints each page's p50/p95, the overall p50/p95/p99,
requests per second and the errors; the last line reads
``requests=… errors=… rps=… p50_ms=… p95_ms=…``. Asserts nothing; exit status 1 when a request failed.

    .venv/bin/python bench/bench_scaleout.py [--threads 8] [--seconds 30]
    # JIXIAO_DATABASE_URL (PostgreSQL) overrides postgresql://postgres@127.0.0.1:5432/jixiao_bench_scaleout
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from loopback import free_port, pct, run_threads, stop, wait_ready  # bench/ is the script's directory

ROOT = Path(__file__).resolve().parents[1]
DATABASE = os.environ.get("JIXIAO_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/jixiao_bench_scaleout")
PASSWORD = "Jixiao@2021"
#: who opens what on a deadline day (unit accounts: they sign in with the password alone; the finance
#: accounts' second factor is one code per 30 s, which a load run cannot give every session)
PAGES = {
    "jyj_tb": ["/", "/targets/", "/monitoring/", "/evaluation/selfeval/"],
    "wjj_tb": ["/", "/targets/", "/budget/projects/", "/monitoring/"],
    "jyj_sh": ["/", "/targets/", "/monitoring/", "/budget/projects/"],
    "wjj_sh": ["/", "/evaluation/selfeval/", "/targets/"],
}


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    base.update({"JIXIAO_DATABASE_URL": DATABASE, "JIXIAO_VAR_DIR": "/tmp/jixiao-bench-scaleout",
                 "JIXIAO_WORKING_YEAR": "2021", "PYTHONPATH": str(ROOT)})
    if os.environ.get("JIXIAO_REDIS_URL"):
        base["JIXIAO_REDIS_URL"] = os.environ["JIXIAO_REDIS_URL"]
    return base | extra


def jixiao(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=ROOT, env=env(), text=True,
                          capture_output=True, check=True)


def ensure_database() -> None:
    parsed = urllib.parse.urlparse(DATABASE)
    name = parsed.path.lstrip("/")
    subprocess.run(["psql", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432), "-U",
                    parsed.username or "postgres", "-d", "postgres", "-c", f'CREATE DATABASE "{name}"'],
                   capture_output=True)
    jixiao("migrate", "--noinput", "-v0")
    check = "from jixiao.demo.services import has_business_data; print(has_business_data())"
    if jixiao("shell", "-c", check).stdout.strip().splitlines()[-1] != "True":
        started = time.perf_counter()
        jixiao("demo", "load", "--scale", "district", "--seed", "2021")
        print(f"district demo loaded in {time.perf_counter() - started:.0f} s")


class Session:
    """One user's keep-alive connections to each server, sharing one session cookie."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.connections = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports}
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            conn = self.connections[port]
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn closed an idle keep-alive connection: reconnect once (not an error)
                conn.close()
                self.connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def login(self, username: str) -> None:
        port = self.ports[0]
        _, html = self.request(port, "GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1) if token else "",
                                       "username": username, "password": PASSWORD})
        status, _ = self.request(port, "POST", "/accounts/login/", body)
        if status != 302:
            raise SystemExit(f"login of {username} failed ({status})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--servers", type=int, default=2, help="app servers (2: the province picture, 1: the district)")
    args = parser.parse_args()

    ensure_database()
    ports = [free_port() for _ in range(args.servers)]
    servers = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:jixiao.gunicorn_conf", "jixiao.wsgi"], cwd=ROOT,
        env=env(JIXIAO_BIND=f"127.0.0.1:{port}", JIXIAO_WEB_WORKERS=str(args.web_workers),
                JIXIAO_ACCESS_LOG="/dev/null"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_ready(port, server)
        users = list(PAGES)
        sessions = []
        for i in range(args.threads):
            session = Session(ports)
            session.login(users[i % len(users)])
            sessions.append((users[i % len(users)], session))
        # Warm each server's workers (first requests import templates).
        for username, session in sessions:
            for port in ports:
                session.request(port, "GET", PAGES[username][0])

        timings: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()
        count = [0]
        stop_at = time.monotonic() + args.seconds

        def client(index: int, username: str, session: Session) -> None:
            n = index
            while time.monotonic() < stop_at:
                with lock:
                    if count[0] >= args.max_requests:
                        return
                    count[0] += 1
                path = PAGES[username][n % len(PAGES[username])]
                port = ports[n % len(ports)]
                n += 1
                started = time.perf_counter()
                try:
                    status, _ = session.request(port, "GET", path)
                except OSError as error:
                    status = 0
                    errors.append(f"{port}{path}: {error!r}")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings[path].append(elapsed)
                    if status != 200:
                        errors.append(f"{port}{path}: HTTP {status}")

        wall = run_threads([threading.Thread(target=client, args=(i, u, s)) for i, (u, s) in enumerate(sessions)])
    finally:
        stop(servers)

    every = [t for values in timings.values() for t in values]
    print(f"{len(ports)} gunicorn server(s) × {args.web_workers} workers, {args.threads} clients, {wall:.1f} s, "
          f"{os.cpu_count()} cores shared by everything on this machine")
    for path, values in sorted(timings.items()):
        print(f"  {path:28} n={len(values):5d}  p50={pct(values, 50):7.1f} ms  p95={pct(values, 95):7.1f} ms")
    for error in errors[:20]:
        print("  error:", error)
    print(f"overall: p50={statistics.median(every):.1f} ms p95={pct(every, 95):.1f} ms p99={pct(every, 99):.1f} ms")
    print(f"requests={len(every)} errors={len(errors)} rps={len(every) / wall:.1f} "
          f"p50_ms={statistics.median(every):.1f} p95_ms={pct(every, 95):.1f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
