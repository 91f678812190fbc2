"""Database triggers written per database vendor (SQLite, PostgreSQL) in migrations: what keeps a
derived column or a tally equal to its rows whatever writes them — the ORM, bulk writes, COPY."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def vendor_triggers(forward: dict[str, list[str]], reverse: dict[str, list[str]], fill: str = "") -> migrations.RunPython:
    """A migration step that runs ``fill`` (the derived values of the existing rows), then the
    statements of the database's vendor; reversed by the vendor's ``reverse`` statements."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if fill:
            schema_editor.execute(fill)
        for sql in forward.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in reverse.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)
