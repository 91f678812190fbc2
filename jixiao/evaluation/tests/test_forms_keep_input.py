"""Issue 10 item 11: a refused form gives back everything typed (key-evaluation sections, re-check)."""

from __future__ import annotations

import html as htmllib
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jixiao.evaluation.models import FrameworkIndicator, IndicatorScore
from jixiao.evaluation.services import engage
from jixiao.evaluation.tests.test_key_reports import approved, topic
from jixiao.workflow.engine import perform_transition

pytestmark = pytest.mark.django_db


def _values(page: str) -> str:
    return htmllib.unescape(page)


def test_plan_weight_error_keeps_scope_method_schedule_and_every_row(org: Any, users: Any, agency: Any, login: Any) -> None:
    ke = approved(topic(org), users)
    engage(ke, agency, [], users["perf_section"])
    ke.refresh_from_db()
    rows = list(ke.indicators.all())
    data = {"lock_version": ke.lock_version, "scope_text": "2020年度全部专项资金共500万元", "method": "比较法、因素分析法",
            "schedule": "7月入场，11月出报告", "ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": str(len(rows)),
            "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "1000"}
    for n, r in enumerate(rows):
        data |= {f"ind-{n}-id": r.pk, f"ind-{n}-level1": r.level1, f"ind-{n}-level2": r.level2,
                 f"ind-{n}-name": f"{r.name}（改）", f"ind-{n}-weight": str(r.weight), f"ind-{n}-standard": r.standard}
    data["ind-0-weight"] = "30"  # total 120: refused
    page = login(users["agency"]).post(reverse("evaluation:keyeval_section", kwargs={"pk": ke.pk, "section": "plan"}), data)
    text = _values(page.content.decode())
    assert page.status_code == 400
    for value in ("2020年度全部专项资金共500万元", "比较法、因素分析法", "7月入场，11月出报告"):
        assert value in text
    for r in rows:
        assert f'value="{r.name}（改）"' in text
    assert 'name="ind-0-weight" value="30"' in text.replace(' step="any"', "") or 'value="30"' in text
    assert not FrameworkIndicator.objects.filter(key_evaluation=ke, name__endswith="（改）").exists()


def test_one_out_of_range_score_keeps_every_other_typed_score(org: Any, users: Any, agency: Any, login: Any) -> None:
    ke = approved(topic(org), users)
    engage(ke, agency, [], users["perf_section"])
    perform_transition(ke, "submit_plan", users["agency"])
    perform_transition(ke, "approve_plan", users["perf_section"])
    ke.refresh_from_db()
    indicators = list(ke.indicators.all())
    data = {f"score_{i.pk}": f"{max(Decimal(0), i.weight - Decimal('0.5'))}" for i in indicators}
    data |= {f"note_{i.pk}": f"说明{n}" for n, i in enumerate(indicators)}
    data[f"score_{indicators[3].pk}"] = "99"  # out of range
    page = login(users["agency"]).post(
        reverse("evaluation:keyeval_scores", kwargs={"pk": ke.pk}), data)
    text = _values(page.content.decode())
    assert page.status_code == 400 and "超出" in text
    for n, i in enumerate(indicators):
        assert f'name="score_{i.pk}" value="{data[f"score_{i.pk}"]}"' in text
        assert f'name="note_{i.pk}" value="说明{n}"' in text
    assert not IndicatorScore.objects.filter(indicator__key_evaluation=ke).exists()
