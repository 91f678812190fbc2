"""Helpers of the benchmarks that start their own gunicorn servers on 127.0.0.1."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, server: subprocess.Popen[bytes] | None = None, seconds: float = 120) -> None:
    """Until the server on ``port`` answers /healthz with 200 (SystemExit when it exits or takes too long)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server on port {port} exited ({server.returncode})")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server on port {port} did not start")


def run_threads(threads: list[threading.Thread]) -> float:
    """Start every client thread, wait for all; the wall time in seconds."""
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every server still running (gunicorn finishes its requests), then wait for each."""
    for server in servers:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
    for server in servers:
        server.wait(timeout=60)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values; 0 when there are none."""
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
