"""Fixtures: publications of every kind for the fixture's units, a 涉密 project and an unpublished one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from jixiao.evaluation.tests.conftest import approved_target, fill
from jixiao.workflow.engine import perform_transition

SECRET_NAME = "涉密国防动员专项工程"
UNPUBLISHED_NAME = "尚未公开的东湖局路灯改造项目"


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def key_evaluation(unit: Any, project: Any, title: str) -> Any:
    from jixiao.evaluation.models import KeyEvaluation
    from jixiao.rectification.models import Rectification

    ke = KeyEvaluation.objects.create(
        year=2022, evaluated_year=2021, title=title, unit=unit, sector=unit.sector, project=project,
        amount_fen=50_000_000, state="reported", final_conclusion="资金管理总体规范。", final_problems="支付进度偏慢。",
        final_recommendations="加快支付。", grade="良", unit_feedback="内部反馈意见", draft_report="内部初稿")
    Rectification.objects.create(key_evaluation=ke, source="key_evaluation", source_title=title, year=2021,
                                 project=project, unit=unit, sector=unit.sector, problem="资金支付进度偏慢",
                                 requirement="按月报送支付进度", deadline=date(2022, 6, 30), state="issued")
    return ke


@pytest.fixture
def published(org: dict[str, Any], users: dict[str, Any]) -> dict[str, Any]:
    """Published: the targets of a and a_sub, the self-evaluation of a_sub, the key evaluation of a.
    Unpublished: the approved target of b (renamed), and b's project is 涉密 with a telling name."""
    from jixiao.disclosure.services import publish_record
    from jixiao.evaluation.models import SelfEvaluation
    from jixiao.evaluation.services import issue_tasks

    perf = users["perf_section"]
    projects = org["projects"]
    targets = {k: approved_target(p) for k, p in projects.items()}
    for k in ("a", "a_sub"):
        targets[k].review_grade = "优"
        targets[k].save()
        perform_transition(targets[k], "publish", perf)
    issue_tasks(2021, perf)
    se = fill(SelfEvaluation.objects.get(target=targets["a_sub"]))
    SelfEvaluation.objects.filter(pk=se.pk).update(state="received", contact_phone="13900000000")
    se.refresh_from_db()
    perform_transition(se, "publish", users["unit_approver"])
    ke = key_evaluation(org["units"]["a"], projects["a"], "东湖局项目重点评价")
    version = publish_record(ke, perf)
    type(ke).objects.filter(pk=ke.pk).update(state="published", public_snapshot=version.content,
                                             snapshot_hash=version.sha256, published_at=version.published_at)
    projects["b"].name = SECRET_NAME
    projects["b"].is_classified = True
    projects["b"].save()
    other = projects["a"].__class__.objects.create(
        year=2021, code="P-UNPUB", name=UNPUBLISHED_NAME, unit=org["units"]["a"], sector=org["units"]["a"].sector,
        initial_budget_fen=1_000_000, adjusted_budget_fen=1_000_000)
    approved_target(other)
    return {"targets": targets, "selfeval": SelfEvaluation.objects.get(pk=se.pk), "key": ke, "unpublished": other}
