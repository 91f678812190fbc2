"""The monitoring table as .docx (A4 landscape, the paper copy units sign, stamp and hand in), from the
``monitoring_form`` Word template (``reporttypes.py``)."""

from __future__ import annotations

from typing import Any

from jixiao.monitoring.models import Kind, MonitoringForm
from jixiao.monitoring.report import _rate
from jixiao.reports.rendering import render
from jixiao.rules.money import format_wan


def _wan(fen: int | None) -> str:
    return "" if fen is None else format_wan(fen)


def form_context(form: MonitoringForm) -> dict[str, Any]:
    project: dict[str, str] | None = None
    if form.kind == Kind.PROJECT and form.project:
        p = form.project
        root = form.unit.root
        project = {"name": p.name, "code": p.code, "department": root.name if root else "", "kind": p.kind_label,
                   "budget": format_wan(form.budget_fen)}
    indicators: list[tuple[str, ...]] = []
    for r in form.rows.select_related("indicator"):
        i = r.indicator
        indicators.append((i.level1, i.level2, i.name, f"{i.get_comparison_display()} {i.value}{i.unit}", r.actual, r.forecast,
                           r.get_light_display(), "、".join(r.reasons) + (f"（{r.other_reason}）" if r.other_reason else ""),
                           r.possibility, r.corrective_plan))
    return {
        "title": f"{form.form_title}（{form.round.period_label}）", "unit": form.unit.name, "unit_code": form.unit.code,
        "period": form.round.period_label, "state": form.state_label, "project": project,
        "execution": [(
            _wan(form.initial_budget_fen), _wan(form.adjustment_fen), _wan(form.budget_fen), _wan(form.executed_fen),
            _rate(form.execution_rate), _rate(form.round.time_progress),
            "" if form.execution_gap is None else f"{form.execution_gap:.2f}", _wan(form.forecast_fen),
            _wan(form.expected_balance_fen), form.get_execution_light_display())],
        "is_department": form.kind == Kind.DEPARTMENT,
        "spending": [("基本支出", _wan(form.basic_budget_fen), _wan(form.executed_basic_fen)),
                     ("项目支出", _wan(form.project_budget_fen), _wan(form.executed_project_fen))],
        "execution_reason": form.execution_reason or "—", "annual_goal": form.target.annual_goal,
        "goal_progress": form.goal_progress or "—", "indicators": indicators,
        "analysis": [f"{label}：{text or '—'}" for label, text in (
            ("实施进度", form.implementation), ("实施存在的问题", form.problems), ("纠偏措施及下一步工作", form.measures))],
        "request_adjustment": "是" if form.request_adjustment else "否",
        "contact_person": form.contact_person, "contact_phone": form.contact_phone, "unit_head": form.unit_head,
    }


def form_docx(form: MonitoringForm) -> bytes:
    return render("monitoring_form", form_context(form))
