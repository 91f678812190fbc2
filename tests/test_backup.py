"""Issue 17 item 12: the backup drill. The demo is loaded into a real database, backed up with
``jixiao backup``, restored with ``jixiao restore`` into a fresh empty database, and compared table
by table (row count and a checksum of every row); then ``jixiao audit verify`` runs on the restored
log. SQLite always; PostgreSQL too when the suite runs on it (.ci/run runs both)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.backup
ROOT = Path(__file__).resolve().parents[1]

FINGERPRINT = """
import hashlib, json
import django
django.setup()
from django.db import connection
out = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f'SELECT * FROM "{table}"')
        rows = sorted(repr(tuple(str(v) for v in row)) for row in cursor.fetchall())
        out[table] = [len(rows), hashlib.sha256("\\n".join(rows).encode()).hexdigest()]
print(json.dumps(out))
"""


def jixiao(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=1800)
    if check:
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


def fingerprint(env: dict[str, str]) -> dict[str, list[Any]]:
    result = subprocess.run([sys.executable, "-c", FINGERPRINT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def environment(url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    return env | {"JIXIAO_DATABASE_URL": url, "JIXIAO_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "jixiao.settings"}


def drill(source_url: str, target_url: str, tmp: Path) -> None:
    source = environment(source_url, tmp / "source-var")
    jixiao(source, "migrate", "--noinput", "-v0")
    jixiao(source, "demo", "load", "--scale", "district", "--seed", "2021")
    media = tmp / "source-var" / "media" / "uploads"
    media.mkdir(parents=True)
    (media / "evidence.pdf").write_bytes(b"%PDF-1.4 demo evidence")
    archive = Path(jixiao(source, "backup", "--to", str(tmp / "backups")).stdout.strip().splitlines()[-1])
    assert archive.name.startswith("jixiao-backup-") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(n.endswith("MANIFEST.sha256") for n in names) and any(n.endswith("media/uploads/evidence.pdf") for n in names)

    target = environment(target_url, tmp / "target-var")
    restored = jixiao(target, "restore", str(archive))
    assert "已从" in restored.stdout
    before, after = fingerprint(source), fingerprint(target)
    assert len(before) > 40
    assert before == after, {t: (before.get(t), after.get(t)) for t in set(before) | set(after)
                             if before.get(t) != after.get(t)}
    assert before["organisation_project"][0] > 500 and before["audit_securityevent"][0] > 0
    assert (tmp / "target-var" / "media" / "uploads" / "evidence.pdf").read_bytes() == b"%PDF-1.4 demo evidence"
    verify = jixiao(target, "audit", "verify")
    assert "安全日志完整性校验通过" in verify.stdout
    # A second restore into the now non-empty database is refused.
    again = jixiao(target, "restore", str(archive), check=False)
    assert again.returncode != 0 and "不是空库" in again.stderr


def test_a_damaged_archive_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    import io

    source = environment(f"sqlite:///{tmp_path / 'source.sqlite3'}", tmp_path / "var")
    jixiao(source, "migrate", "--noinput", "-v0")
    archive = Path(jixiao(source, "backup", "--to", str(tmp_path)).stdout.strip().splitlines()[-1])
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if member.name.endswith("backup.json") and data is not None:
                data = data.replace(b"sqlite", b"sqlitx")
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    target = environment(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "var2")
    refused = jixiao(target, "restore", str(damaged), check=False)
    assert refused.returncode != 0 and "backup.json 的 SHA-256 与清单不符" in refused.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "restored.sqlite3") as restored:
        assert restored.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)  # nothing written


def test_backup_restore_drill_on_the_suites_database(tmp_path: Path) -> None:
    """On SQLite files when the suite runs on SQLite, on two new PostgreSQL databases when it runs on PostgreSQL."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        drill(f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path)
        return
    import psycopg

    suffix = tmp_path.name[-8:].lower().replace("-", "_")
    names = [f"jixiao_bak_src_{suffix}", f"jixiao_bak_dst_{suffix}"]
    admin = psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres",
                            autocommit=True)
    base = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        drill(f"{base}/{names[0]}", f"{base}/{names[1]}", tmp_path)
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
