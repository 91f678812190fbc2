"""Production settings pass Django's deployment checklist (security.md SEC-AUTH-3, §3.1)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    return subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=ROOT, env=clean | env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_variables(tmp_path: Path) -> None:
    env = {"JIXIAO_PRODUCTION": "1", "JIXIAO_SECRET_KEY": secrets.token_urlsafe(50),
           "JIXIAO_ALLOWED_HOSTS": "jixiao.example.gov.cn", "JIXIAO_VAR_DIR": str(tmp_path),
           "JIXIAO_AUDIT_KEY": secrets.token_urlsafe(32), "JIXIAO_DATA_KEY": secrets.token_hex(16)}
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run({"JIXIAO_PRODUCTION": "1", "JIXIAO_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0 and "JIXIAO_SECRET_KEY" in result.stderr


def test_development_defaults_fail_the_deploy_check(tmp_path: Path) -> None:
    result = run({"JIXIAO_VAR_DIR": str(tmp_path)}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0


def test_redis_setting_switches_tasks_to_rq(tmp_path: Path) -> None:
    code = ("from django.conf import settings; print(settings.CACHES['default']['BACKEND']); "
            "print(settings.TASKS['default']['BACKEND'])")
    env = {"JIXIAO_REDIS_URL": "redis://127.0.0.1:6379/0", "JIXIAO_VAR_DIR": str(tmp_path)}
    result = run(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == ["django.core.cache.backends.redis.RedisCache",
                                                       "jixiao.core.rqjobs.Backend"]
    assert run(env, "check").returncode == 0


def test_gunicorn_serves_the_app_and_its_static_files_with_an_access_log(tmp_path: Path) -> None:
    """Issue 17 item 13: the production server as `make serve-prod` runs it (gunicorn + WhiteNoise)."""
    import time
    import urllib.request

    port = 8100 + os.getpid() % 800
    log = tmp_path / "access.log"
    env = {"JIXIAO_VAR_DIR": str(tmp_path), "JIXIAO_BIND": f"127.0.0.1:{port}", "JIXIAO_WEB_WORKERS": "1",
           "JIXIAO_ACCESS_LOG": str(log)}
    assert run(env, "collectstatic", "--noinput", "-v0").returncode == 0
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:jixiao.gunicorn_conf", "jixiao.wsgi"],
                              cwd=ROOT, env=clean | env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/jixiao/jixiao.css", timeout=20) as response:
                    assert response.status == 200 and "text/css" in response.headers["Content-Type"]
                    assert "max-age" in response.headers.get("Cache-Control", "")
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.3)
        login = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=20)
        assert login.status == 200 and "登录" in login.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert any('"GET /static/jixiao/jixiao.css HTTP/1.1" 200' in line for line in lines)
    assert any('"GET /accounts/login/ HTTP/1.1" 200' in line for line in lines)
