"""The monitoring dashboard's summary tables (``MonitoringSummary``, ``MonitoringFundSummary``).

A province's round has over 100,000 forms; grouping them by first-level unit, sector and fund
source on every dashboard view took seconds. The summary holds the same sums per round and
dimensions (kind, state, first-level unit, sector, overall light, 涉密 flag; the fund table also
per fund source), so the dashboard sums a few thousand lines instead.

It is kept in the transaction of every change to a round's forms: the workflow's transitions and
saves (``MonitoringForm.document_changed``), the paper-copy register, the treasury import and
round opening (``refresh_execution``), and the demo loaders. A refresh recomputes a round's lines
(or one first-level unit's lines of it) from the forms, so it cannot drift: each refresh is the raw
computation. ``jixiao monitoring_summary`` rebuilds every round, e.g. after editing units or
projects by hand in the database. On PostgreSQL an advisory lock per (round, first-level unit)
keeps two concurrent refreshes of the same lines from both inserting.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField as BooleanValue
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When

from jixiao.monitoring.models import (
    Kind,
    MonitoringForm,
    MonitoringFundSummary,
    MonitoringRound,
    MonitoringSummary,
)

#: the whole round's lock (a refresh of one first-level unit's lines takes it shared)
ROUND_LOCK = 0

LINE = ("state", "unit__root_id", "sector_id", "overall_light", "classified")
SUMS = {"n": Count("pk"), "budget": Sum("budget_fen"), "executed": Sum("executed_fen")}


def _classified() -> Case:
    return Case(When(Q(unit__is_classified=True) | Q(project__is_classified=True), then=Value(True)),
                default=Value(False), output_field=BooleanValue())


def _lock(round_id: int, root_ids: list[int | None] | None) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time already
    with connection.cursor() as cursor:
        if root_ids is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [round_id, ROUND_LOCK])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", [round_id, ROUND_LOCK])
        for root_id in sorted(r or -1 for r in root_ids):  # one order, so two refreshes never deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [round_id, root_id])


def _line(row: dict[str, Any]) -> dict[str, Any]:
    return {"state": row["state"], "root_id": row["unit__root_id"], "sector_id": row["sector_id"],
            "overall_light": row["overall_light"], "is_classified": row["classified"], "forms": row["n"],
            "budget_fen": row["budget"] or 0, "executed_fen": row["executed"] or 0}


def refresh_summary(round_id: int, root_ids: Iterable[int | None] | None = None) -> None:
    """Recompute the summary lines of a round (or of the given first-level units in it) from its forms."""
    roots = None if root_ids is None else list(set(root_ids))
    with transaction.atomic():
        _lock(round_id, roots)
        compute_lines(MonitoringForm, MonitoringSummary, MonitoringFundSummary, round_id, roots)


def compute_lines(form_model: type[Any], line_model: type[Any], fund_model: type[Any], round_id: int,
                  roots: list[int | None] | None) -> None:
    """Replace the lines by the forms' sums (models passed in, so the migration uses its own)."""
    forms: QuerySet[Any] = form_model.objects.filter(round_id=round_id)
    lines = line_model.objects.filter(round_id=round_id)
    funds = fund_model.objects.filter(round_id=round_id)
    if roots is not None:
        forms = forms.filter(_among(roots, "unit__root_id"))
        lines, funds = lines.filter(_among(roots, "root_id")), funds.filter(_among(roots, "root_id"))
    lines.delete()
    funds.delete()
    forms = forms.annotate(classified=_classified()).order_by()
    line_model.objects.bulk_create([
        line_model(round_id=round_id, kind=row["kind"], paper_needed=row["paper"], paper_received=row["received"],
                   **_line(row))
        for row in forms.values("kind", *LINE).annotate(
            **SUMS, paper=Count("pk", filter=Q(needs_paper=True)),
            received=Count("pk", filter=Q(paper_received_at__isnull=False)))
    ], batch_size=2000)
    fund_model.objects.bulk_create([
        fund_model(round_id=round_id, fund_source_id=row["project__fund_sources"], **_line(row))
        for row in forms.filter(kind=Kind.PROJECT).values("project__fund_sources", *LINE).annotate(**SUMS)
    ], batch_size=2000)


def _among(roots: list[int | None], field: str) -> Q:
    """``field`` is one of ``roots`` (``None`` among them: or empty)."""
    among = Q(**{f"{field}__in": [r for r in roots if r is not None]})
    return among | Q(**{f"{field}__isnull": True}) if None in roots else among


def refresh_form_lines(form: MonitoringForm) -> None:
    """After one form changed: its first-level unit's lines of its round."""
    root_id = form.unit.root_id if form.unit_id else None
    refresh_summary(form.round_id, [root_id])


def _refresh_forms(forms: QuerySet[MonitoringForm], extra_roots: Iterable[int | None] = ()) -> None:
    """The lines of the first-level units (and ``extra_roots``) of ``forms``, in each of their rounds."""
    by_round: dict[int, set[int | None]] = {}
    for round_id, root_id in forms.values_list("round_id", "unit__root_id").distinct().order_by():
        by_round.setdefault(round_id, set(extra_roots)).add(root_id)
    for round_id, roots in by_round.items():
        refresh_summary(round_id, roots)


def unit_saved(sender: Any, unit: Any, roots: set[int | None], **kwargs: Any) -> None:
    """A unit's 涉密 flag or first-level unit may have changed: the lines its forms count in."""
    _refresh_forms(MonitoringForm.objects.filter(unit=unit), roots)


def project_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A project's 涉密 flag may have changed."""
    if not kwargs.get("raw"):
        _refresh_forms(MonitoringForm.objects.filter(project=instance))


def fund_sources_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None,
                         **kwargs: Any) -> None:
    """A project's fund sources changed (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _refresh_forms(MonitoringForm.objects.filter(project=instance))
    elif pk_set:
        _refresh_forms(MonitoringForm.objects.filter(project_id__in=pk_set))
    elif action == "post_clear":  # a fund source taken off every project
        rebuild_all()


def projects_imported(year: int) -> None:
    """A project import rewrote projects of ``year`` in bulk (flags, fund sources): its rounds again."""
    for pk in MonitoringRound.objects.filter(year=year).values_list("pk", flat=True):
        refresh_summary(pk)


def connect() -> None:
    """Keep the lines when units and projects change outside the monitoring app."""
    from django.db.models.signals import m2m_changed, post_save

    from jixiao.organisation import models as organisation
    from jixiao.organisation.imports import AFTER_PROJECT_IMPORT

    organisation.unit_saved.connect(unit_saved, dispatch_uid="monitoring_summary_unit")
    post_save.connect(project_saved, sender=organisation.Project, dispatch_uid="monitoring_summary_project")
    m2m_changed.connect(fund_sources_changed, sender=organisation.Project.fund_sources.through,
                        dispatch_uid="monitoring_summary_funds")
    AFTER_PROJECT_IMPORT.append(projects_imported)


def rebuild_all() -> int:
    """Every round's lines from its forms (the management command; after data loads)."""
    rounds = list(MonitoringRound.objects.values_list("pk", flat=True))
    for pk in rounds:
        refresh_summary(pk)
    return len(rounds)
