"""Shared fixtures of the rules-engine tests (plain pytest, no Django)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jixiao.rules.ruleset import RuleSet, get_rule_set

EXAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "examples" / "selfeval"
RURAL = EXAMPLES / "rural-road-maintenance.json"
MEALS = EXAMPLES / "school-meals-defects.json"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return data


def load_plain(path: Path) -> dict[str, Any]:
    """An example as JSON numbers (int/float), the way a reader of a printed table writes it."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def national() -> RuleSet:
    return get_rule_set("national-default")


@pytest.fixture
def rural() -> dict[str, Any]:
    return copy.deepcopy(load(RURAL))


@pytest.fixture
def meals() -> dict[str, Any]:
    return copy.deepcopy(load(MEALS))
