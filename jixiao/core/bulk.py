"""Bulk inserts for imports: INSERTs of 500 rows each on SQLite, one COPY on PostgreSQL, with the
history rows django-simple-history would write (``bulk_create_with_history``'s rows, at a fraction of the ORM's per-value cost), copied inside the
database by INSERT … SELECT. Used where tens of thousands of rows arrive at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

SIMPLE_TYPES = frozenset({int, str, bool, type(None)})


def insert_rows(model: type[Model], columns: Sequence[str], rows: list[list[Any]]) -> None:
    """INSERT ``rows`` (values in ``columns`` order, by attname) into ``model``'s table. A column whose
    values are not plain ints, strings, booleans or None is converted by its field, value by value."""
    if not rows:
        return
    fields = _db_values(model, columns, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the rows stream to the server in one command (an INSERT per row costs a round trip
            # and an executor start each, 3–5× the time); constraints and triggers apply as to INSERT
            # (the raw cursor's errors wrapped as Django's, as for any query: a cut connection is an
            # OperationalError the job's retry policy knows)
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:  # SQLite: INSERTs of many rows each (a statement per row costs 2.5×: each execution
            # restarts the program and updates the AUTOINCREMENT sequence)
            per = _rows_per_insert(len(fields))
            head, one = f"INSERT INTO {table} ({names}) VALUES ", f"({', '.join(['%s'] * len(fields))})"
            full = head + ", ".join([one] * per)
            for start in range(0, len(rows), per):
                chunk = rows[start:start + per]
                statement = full if len(chunk) == per else head + ", ".join([one] * len(chunk))
                cursor.execute(statement, list(chain.from_iterable(chunk)))


def _db_values(model: type[Model], columns: Sequence[str], rows: list[list[Any]]) -> list[Any]:
    """The fields of ``columns`` (attnames); a column of ``rows`` whose values are not plain ints, strings,
    booleans or None converted in place by its field."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    for n, field in enumerate(fields):
        if not set(map(type, map(itemgetter(n), rows))) <= SIMPLE_TYPES:
            converted: dict[Any, Any] = {}  # the same value (e.g. one history date) converted once
            for row in rows:
                value = row[n]
                try:
                    if value not in converted:
                        converted[value] = field.get_db_prep_save(value, connection)
                    row[n] = converted[value]
                except TypeError:  # unhashable (JSON)
                    row[n] = field.get_db_prep_save(value, connection)
    return fields


def update_with_history(model: type[Model], columns: Sequence[str], rows: list[list[Any]], reason: str,
                        user: Any = None) -> None:
    """UPDATE existing records given as value lists in ``columns`` order (by attname) followed by the
    primary key, one prepared statement executed for every row, then write their "~" history rows as
    they now are (``copy_to_history``): what ``bulk_update_with_history`` writes, without its CASE
    expressions per value (a minute for 20,000 records)."""
    if not rows:
        return
    fields = _db_values(model, columns, rows)
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(str(f.column))} = %s" for f in fields)
    pk = qn(str(model._meta.pk.column))  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE {pk} = %s", rows)
    if getattr(model, "history", None) is not None:
        copy_to_history(model, sorted(row[-1] for row in rows), "~", reason, user)


#: rows in one SQLite INSERT (beyond a few hundred a longer statement gains nothing)
SQLITE_ROWS_PER_INSERT = 500


def _rows_per_insert(columns: int) -> int:
    """Rows of ``columns`` values that fit one SQLite statement's parameter limit."""
    try:
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    except AttributeError:  # an SQLite binding without getlimit: the compile-time default
        limit = connection.features.max_query_params
    return max(1, min(SQLITE_ROWS_PER_INSERT, limit // columns))


def insert_with_history(model: type[Model], columns: Sequence[str], rows: list[list[Any]], key: Sequence[str],
                        reason: str, user: Any = None) -> dict[tuple[Any, ...], int]:
    """Insert new records given as value lists in ``columns`` order (by attname; a field not named
    takes its default) and their "+" history rows; returns each record's primary key by its unique
    ``key`` values (read back in one query: the keys above the greatest before the insert)."""
    if not rows:
        return {}
    meta = model._meta
    named = set(columns)
    missing = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in named]
    if missing:
        tail = [f.get_default() for f in missing]
        rows = [[*row, *tail] for row in rows]
        columns = [*columns, *(f.attname for f in missing)]
    manager = model._default_manager
    before = manager.aggregate(last=Max("pk"))["last"] or 0
    insert_rows(model, columns, rows)
    # the new rows all have greater keys (a sequence only grows); a concurrent transaction's rows read
    # back with them are never looked up
    qn = connection.ops.quote_name
    columns_of = {f.name: str(f.column) for f in meta.concrete_fields}
    pk = qn(columns_of[meta.pk.name])  # type: ignore[union-attr]
    with connection.cursor() as cursor:  # plain key values (integers, text): no ORM conversion needed
        cursor.execute(f"SELECT {', '.join(qn(columns_of[k]) for k in key)}, {pk} FROM {qn(meta.db_table)} "
                       f"WHERE {pk} > %s", [before])
        ids: dict[tuple[Any, ...], int] = {tuple(found[:-1]): found[-1] for found in cursor.fetchall()}
    position = {c: n for n, c in enumerate(columns)}
    attnames = {f.name: f.attname for f in meta.concrete_fields}
    key_positions = [position[attnames[k]] for k in key]
    if getattr(model, "history", None) is not None:
        get_key = itemgetter(*key_positions)
        keys = map(get_key, rows) if len(key_positions) > 1 else ((k,) for k in map(get_key, rows))
        copy_to_history(model, sorted(map(ids.__getitem__, keys)), "+", reason, user)
    return ids


def copy_to_history(model: type[Model], pks: list[int], history_type: str, reason: str, user: Any = None) -> None:
    """Write the history rows of the records ``pks`` (sorted) as they now are in the database, in
    INSERT … SELECT statements (the rows never pass through Python): what django-simple-history's
    ``bulk_create_with_history`` writes, one date for all."""
    if not pks:
        return
    historical = model.history.model  # type: ignore[attr-defined]
    qn = connection.ops.quote_name
    source = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    special = {"history_date": timezone.now(), "history_change_reason": reason, "history_type": history_type,
               "history_user_id": getattr(user, "pk", None)}
    names, select, params = [], [], []
    for f in historical._meta.concrete_fields:
        if f.primary_key:  # history_id
            continue
        names.append(qn(str(f.column)))
        if f.attname in special or f.attname not in source:
            select.append("%s")
            params.append(f.get_db_prep_save(special[f.attname] if f.attname in special else f.get_default(), connection))
        else:
            select.append(qn(source[f.attname]))
    _insert_select(historical._meta.db_table, names, select, params, model, pks)


def insert_links(through: type[Model], owner: str, target: str, source: type[Model],
                 owners_by_target: dict[Any, list[int]]) -> None:
    """Link rows (``owner``, ``target``) of a many-to-many ``through`` table: for each target value its
    owners, primary keys of ``source`` (sorted), selected from ``source`` by INSERT … SELECT over key
    ranges. An import links thousands of new records to a handful of targets (one fund source each):
    the rows are built inside the database, none is bound from Python."""
    qn = connection.ops.quote_name
    columns = {f.attname: str(f.column) for f in through._meta.concrete_fields}
    names = [qn(columns[owner]), qn(columns[target])]
    for value, pks in owners_by_target.items():
        _insert_select(through._meta.db_table, names, [qn(str(source._meta.pk.column)), "%s"], [value], source, pks)


def _insert_select(table: str, names: list[str], select: list[str], params: list[Any], source: type[Model],
                   pks: list[int]) -> None:
    """INSERT INTO ``table`` (``names``) SELECT ``select`` FROM ``source``'s table for the records
    ``pks`` (sorted), in statements of ``RANGES_PER_STATEMENT`` primary-key ranges."""
    if not pks:
        return
    qn = connection.ops.quote_name
    pk = qn(str(source._meta.pk.column))
    runs: list[list[int]] = []  # consecutive primary keys as [first, last]: usually one range
    for value in pks:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    statement = (f"INSERT INTO {qn(table)} ({', '.join(names)}) SELECT {', '.join(select)} "
                 f"FROM {qn(source._meta.db_table)} WHERE ")
    with connection.cursor() as cursor:
        for start in range(0, len(runs), RANGES_PER_STATEMENT):
            batch = runs[start:start + RANGES_PER_STATEMENT]
            where = " OR ".join([f"{pk} BETWEEN %s AND %s"] * len(batch))
            cursor.execute(f"{statement}{where} ORDER BY {pk}", [*params, *(v for r in batch for v in r)])


#: primary-key ranges in one INSERT … SELECT (well under every backend's parameter limit)
RANGES_PER_STATEMENT = 400
