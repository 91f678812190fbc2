"""The one working year (工作年度) of the product, and the year of each stage's objects.

The annual plan of plan year N covers the targets of budget year N, the monitoring of N, the
self-evaluation and key evaluations of N−1 spending, result application into the N+1 budget and
the assessment of N's work. Every view takes its year from :func:`working_year` and each stage's
object year from :func:`object_year`; no view computes a default of its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone

Stage = Literal["targets", "monitoring", "evaluation", "key_evaluation", "results", "assessment", "disclosure"]

#: Object year = working (plan) year + offset.
STAGE_OFFSETS: dict[str, int] = {
    "targets": 0,
    "monitoring": 0,
    "evaluation": -1,
    "key_evaluation": -1,
    "results": 1,
    "assessment": 0,
    "disclosure": 0,
    "plan": 0,
}

#: What each stage's objects are called, for headings, export file names and notifications.
STAGE_OBJECTS: dict[str, str] = {
    "targets": "{year}年度绩效目标",
    "monitoring": "{year}年1–9月绩效运行监控",
    "evaluation": "{year}年度项目支出绩效自评",
    "key_evaluation": "{year}年度财政重点绩效评价",
    "results": "{year}年度预算结果应用",
    "assessment": "{year}年度预算绩效管理工作考核",
    "disclosure": "{year}年度绩效信息公开",
    "plan": "{year}年度预算绩效管理工作方案",
}

MIN_YEAR, MAX_YEAR = 2000, 2100


def default_working_year(today: date | None = None) -> int:
    """The plan year today falls in; ``JIXIAO_WORKING_YEAR`` overrides it for a deployment."""
    configured = getattr(settings, "JIXIAO_WORKING_YEAR", None)
    if configured:
        return int(configured)
    return (today or timezone.localdate()).year


def valid_year(value: Any) -> int | None:
    """A year typed into a URL or form, or None when it is not a sensible year."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def working_year(request: Any) -> int:
    """The working year of this request's user: the one chosen in the header, else the default."""
    user = getattr(request, "user", None)
    chosen = getattr(user, "working_year", None) if user is not None and user.is_authenticated else None
    return chosen or default_working_year()


def object_year(stage: str, plan_year: int) -> int:
    """The year of a stage's objects in plan year ``plan_year`` (e.g. self-evaluations: N−1)."""
    return plan_year + STAGE_OFFSETS[stage]


def stage_year(request: Any, stage: str) -> int:
    """The object year of ``stage`` for this request."""
    return object_year(stage, working_year(request))


def stage_words(stage: str, year: int) -> str:
    """The object year in words: ``stage_words("evaluation", 2025)`` → "2025年度项目支出绩效自评"."""
    return STAGE_OBJECTS[stage].format(year=year)


def list_year(request: Any, stage: str) -> int | None:
    """The year a list of ``stage`` shows: ``?year=`` when given (empty = every year), else the stage year."""
    if "year" in request.GET:
        return valid_year(request.GET["year"])
    return stage_year(request, stage)


def year_choices(chosen: int, known: list[int] | None = None) -> list[int]:
    """The years the header's switcher offers: the years with data, the default and its neighbours."""
    default = default_working_year()
    years = {default - 1, default, default + 1, chosen, *(known or [])}
    return sorted((y for y in years if MIN_YEAR <= y <= MAX_YEAR), reverse=True)


def choose_working_year(user: Any, year: int | None) -> None:
    """Remember ``year`` as the user's working year (None: back to the default)."""
    from django.contrib.auth import get_user_model

    user.working_year = None if year == default_working_year() else year
    get_user_model().objects.filter(pk=user.pk).update(working_year=user.working_year)
