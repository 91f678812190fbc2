"""A bounded loopback load run against a running server (e.g. ``make serve-prod`` on the district demo).

Logs in the demo's unit fillers, finds a target declaration and a monitoring form each may edit
(the form pages of a deadline day), then for ``--seconds`` keeps
``--connections`` threads (each its own logged-in session over keep-alive http.client) requesting
the target form page, the monitoring form page and ``/healthz`` in turn. Only 127.0.0.1/localhost.
Last line: ``target_form_p50_ms=… target_form_p95_ms=… monitoring_form_p50_ms=… … healthz_p95_ms=…
requests_per_s=… errors=…``.

    .venv/bin/python bench/bench_load.py --port 8000 --connections 32 --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import threading
import time
from collections import defaultdict
from urllib.parse import urlencode

PASSWORD = "Jixiao@2021"
#: The demo's unit fillers: each opens a draft (or returned) target and monitoring form of its unit to edit.
ACCOUNTS = ("jyj_tb", "wjj_tb", "mzj_tb", "nyj_tb", "jtj_tb", "yz_tb", "rmyy_tb", "glzx_tb")


class Session:
    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        hdrs = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        try:
            self.conn.request(method, path, body=body, headers=hdrs)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn.connect()
            self.conn.request(method, path, body=body, headers=hdrs)
            response = self.conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def login(self, username: str) -> bool:
        _status, page, _h = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            return False
        body = urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD})
        status, _page, headers = self.request("POST", "/accounts/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/accounts/login/"})
        return status == 302 and "/accounts/login/" not in headers.get("location", "")

    def first_link(self, list_path: str, pattern: str) -> str | None:
        status, page, _h = self.request("GET", list_path)
        found = re.search(pattern, page) if status == 200 else None
        return found.group(0) if found else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1", choices=("127.0.0.1", "localhost"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    sessions: list[tuple[Session, dict[str, str]]] = []
    pages_of: dict[str, dict[str, str]] = {}
    for n in range(args.connections):
        username = ACCOUNTS[n % len(ACCOUNTS)]
        s = Session(args.host, args.port)
        if not s.login(username):
            raise SystemExit(f"login failed for {username}")
        if username not in pages_of:
            target = (s.first_link("/targets/?state=draft", r"/targets/\d+/")
                      or s.first_link("/targets/?state=returned", r"/targets/\d+/"))
            form = s.first_link("/monitoring/?state=draft", r"/monitoring/forms/\d+/")
            if not target or not form:
                continue  # this unit has nothing to edit now
            pages_of[username] = {"target_form": target + "edit/", "monitoring_form": form + "edit/",
                                  "healthz": "/healthz"}
        sessions.append((s, pages_of[username]))
    if not sessions:
        raise SystemExit("no demo filler has a draft target and monitoring form")
    while len(sessions) < args.connections:  # the accounts with something to edit take the free seats
        available = list(pages_of)
        username = available[len(sessions) % len(available)]
        s = Session(args.host, args.port)
        s.login(username)
        sessions.append((s, pages_of[username]))

    times: dict[str, list[float]] = defaultdict(list)
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def run(session: Session, pages: dict[str, str]) -> None:
        nonlocal errors
        order = ["target_form", "monitoring_form", "healthz"]
        k = 0
        while time.monotonic() < deadline:
            name = order[k % 3]
            k += 1
            started = time.perf_counter()
            try:
                status, _body, _h = session.request("GET", pages[name])
            except Exception:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    times[name].append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=run, args=pair) for pair in sessions]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    total = sum(len(v) for v in times.values())
    parts = []
    for name in ("target_form", "monitoring_form", "healthz"):
        values = sorted(times[name]) or [0.0]
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{name}: {len(times[name])} requests, p50 {statistics.median(values):.0f} ms, p95 {p95:.0f} ms")
        parts += [f"{name}_p50_ms={statistics.median(values):.0f}", f"{name}_p95_ms={p95:.0f}"]
    parts += [f"requests_per_s={total / wall:.1f}", f"errors={errors}", f"connections={args.connections}"]
    print(" ".join(parts))


if __name__ == "__main__":
    main()
