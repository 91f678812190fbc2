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
           "JIXIAO_ALLOWED_HOSTS": "jixiao.example.gov.cn", "JIXIAO_VAR_DIR": str(tmp_path)}
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run({"JIXIAO_PRODUCTION": "1", "JIXIAO_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0 and "JIXIAO_SECRET_KEY" in result.stderr


def test_development_defaults_fail_the_deploy_check(tmp_path: Path) -> None:
    result = run({"JIXIAO_VAR_DIR": str(tmp_path)}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0


def test_redis_setting_switches_tasks_to_rq(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    env = {"JIXIAO_REDIS_URL": "redis://127.0.0.1:6379/0", "JIXIAO_VAR_DIR": str(tmp_path)}
    result = run(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django_tasks_rq.RQBackend"
    assert run(env, "check").returncode == 0
