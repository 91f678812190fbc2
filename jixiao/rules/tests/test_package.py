"""The rules engine is pure Python: importing every module loads nothing from Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jixiao.rules as rules

REPO = Path(__file__).resolve().parents[3]
PROBE = """
import importlib, pkgutil, sys
import jixiao.rules as rules
names = [m.name for m in pkgutil.walk_packages(rules.__path__, "jixiao.rules.") if ".tests" not in m.name]
for name in names:
    importlib.import_module(name)
loaded = sorted(n for n in sys.modules if n == "django" or n.startswith("django."))
print(len(names), loaded)
"""


def test_no_django_import() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    count, loaded = completed.stdout.split(" ", 1)
    assert int(count) >= 15
    assert loaded.strip() == "[]"


def test_public_api() -> None:
    for name in rules.__all__:
        assert hasattr(rules, name), name
    assert rules.check_table is not None and rules.get_rule_set().name == "national-default"
