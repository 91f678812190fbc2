"""Browser tests: Playwright driving Debian's chromium (`apt-get install chromium`) against the
product served as `make demo` serves it: a fresh SQLite database with the demo district, and
`jixiao runserver` in its own process. Playwright's own browser download does not work here."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = os.environ.get("JIXIAO_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DemoServer:
    def __init__(self, var_dir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
        self.env |= {"JIXIAO_VAR_DIR": str(var_dir), "JIXIAO_DEBUG": "0"}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def jixiao(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self) -> None:
        self.jixiao("migrate", "--noinput", "-v0")
        self.jixiao("collectstatic", "--noinput", "-v0")
        self.jixiao("demo", "load", "--scale", "district", "--seed", "2021")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jixiao.cli", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 300  # a loaded machine imports Django slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the demo server exited")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=5)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("the demo server did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)

    def accounts(self) -> list[dict[str, Any]]:
        return json.loads(self.jixiao("demo", "users", "--json"))


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    server = DemoServer(tmp_path_factory.mktemp("demo-var"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    p = context.new_page()
    yield p
    context.close()


_last_step: dict[str, int] = {}


def login(page: Any, server: DemoServer, account: dict[str, Any]) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", account["username"])
    page.fill("input[name=password]", account["password"])
    page.click("button[type=submit]")
    if account.get("totp_key"):
        # The finance and administrator accounts' second factor: the demo's published key, computed here
        # with django-otp's own TOTP function, as a phone authenticator would.
        from django_otp.oath import totp

        page.wait_for_url("**/accounts/otp/**")
        # A code is accepted once (django-otp refuses replay): a second sign-in of the same account
        # within one 30-second step waits for the next code, as a person would.
        step = int(time.time()) // 30
        if _last_step.get(account["username"]) == step:
            time.sleep(30 - time.time() % 30 + 0.5)
        _last_step[account["username"]] = int(time.time()) // 30
        page.fill("input[name=token]", f"{totp(bytes.fromhex(account['totp_key'])):06d}")
        # The token form's own button: the page header (signed in with the password) has 退出 too.
        page.click("form:has(input[name=token]) button[type=submit]")
