"""Bulk inserts for imports: one prepared INSERT executed for all rows (``cursor.executemany``),
with the history rows django-simple-history would write (``bulk_create_with_history``'s rows, at a
fraction of the ORM's per-value cost). Used where tens of thousands of rows arrive at once."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

SIMPLE_TYPES = frozenset({int, str, bool, type(None)})


def insert_rows(model: type[Model], columns: Sequence[str], rows: list[list[Any]]) -> None:
    """INSERT ``rows`` (values in ``columns`` order, by attname) into ``model``'s table. A column whose
    values are not plain ints, strings, booleans or None is converted by its field, value by value."""
    if not rows:
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    for n, field in enumerate(fields):
        if not {type(row[n]) for row in rows} <= SIMPLE_TYPES:
            converted: dict[Any, Any] = {}  # the same value (e.g. one history date) converted once
            for row in rows:
                value = row[n]
                try:
                    if value not in converted:
                        converted[value] = field.get_db_prep_save(value, connection)
                    row[n] = converted[value]
                except TypeError:  # unhashable (JSON)
                    row[n] = field.get_db_prep_save(value, connection)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def insert_with_history(model: type[Model], rows: list[dict[str, Any]], key: Sequence[str], reason: str,
                        user: Any = None) -> dict[tuple[Any, ...], int]:
    """Insert new records given as ``{attname: value}`` (a missing field takes its default) and their
    "+" history rows; returns each record's primary key by its unique ``key`` values (read back in one
    query narrowed by the first key field)."""
    if not rows:
        return {}
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    given = [f.attname for f in fields if f.attname in rows[0]]
    missing = [f for f in fields if f.attname not in rows[0]]
    columns = given + [f.attname for f in missing]
    get, tail = itemgetter(*given), [f.get_default() for f in missing]
    values = [[*get(row), *tail] for row in rows] if len(given) > 1 else [[row[given[0]], *tail] for row in rows]
    insert_rows(model, columns, values)
    first = key[0]
    ids: dict[tuple[Any, ...], int] = {tuple(found[:-1]): found[-1] for found in model._default_manager.filter(
        **{f"{first}__in": {row[first] for row in rows}}).values_list(*key, "pk")}
    history = getattr(model, "history", None)
    if history is None:
        return ids
    historical = history.model
    now, user_id = timezone.now(), getattr(user, "pk", None)
    special = {"history_date": now, "history_change_reason": reason, "history_type": "+", "history_user_id": user_id}
    h_columns = [f.attname for f in historical._meta.concrete_fields if f.attname != "history_id"]
    position = {c: n for n, c in enumerate(columns)}
    pk_name = meta.pk.attname
    h_fields = {f.attname: f for f in historical._meta.concrete_fields}
    plan = [(position.get(c), special.get(c, h_fields[c].get_default()) if c not in position else None) for c in h_columns]
    attnames = {f.name: f.attname for f in meta.concrete_fields}
    key_positions = [position[attnames[k]] for k in key]
    h_rows = []
    for row in values:
        pk = ids[tuple(row[p] for p in key_positions)]
        h_rows.append([pk if c == pk_name else (row[p] if p is not None else value) for c, (p, value) in zip(h_columns, plan, strict=True)])
    insert_rows(historical, h_columns, h_rows)
    return ids
