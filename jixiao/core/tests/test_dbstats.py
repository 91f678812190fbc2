"""Planner statistics exist right after migrations, so first page views use the right indexes."""

from __future__ import annotations

from typing import Any

from django.db import connection

from jixiao.core.dbstats import refresh_statistics


def test_statistics_are_gathered_after_migrate_and_on_demand(org: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # pytest-django migrated this database: post_migrate already ran ANALYZE.
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
            cursor.execute("DELETE FROM sqlite_stat1")
            refresh_statistics()
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'organisation_project'")
            assert cursor.fetchone()[0] >= 1
        else:
            refresh_statistics()
            cursor.execute("SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            assert cursor.fetchone()[0] > 0
