"""Writing generated rows fast: PostgreSQL's COPY for the province-scale data, ``bulk_create`` elsewhere.

``insert(model, objects)`` gives every object its primary key (reserved from the table's sequence on
PostgreSQL), so rows that refer to them can follow, exactly like ``bulk_create`` on PostgreSQL. No
signals, no history, no ``save()``: only for generated benchmark data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BATCH = 5_000


def insert(model: type[models.Model], objects: Sequence[models.Model], batch_size: int = BATCH) -> None:
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=batch_size)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(objects[0], f.attname) is None)]
    pk = meta.pk
    assert pk is not None
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        missing = [o for o in objects if o.pk is None]
        if missing:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, pk.column, len(missing)])
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = value
            fields = list(meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        # The project's own field types (e.g. SM4-encrypted text) prepare their values themselves.
        own = {f.attname: f for f in fields if type(f).__module__.startswith("jixiao.")}
        auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
                for f in auto:
                    f.pre_save(obj, add=True)
                copy.write_row([own[f.attname].get_db_prep_save(getattr(obj, f.attname), connection)
                                if f.attname in own else _value(obj, f.attname, json_fields) for f in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _value(obj: Any, attname: str, json_fields: set[str]) -> Any:
    value = getattr(obj, attname)
    if attname in json_fields:
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return value
