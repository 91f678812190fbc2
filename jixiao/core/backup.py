"""Backups that can be proven (security.md SEC-BAK): the database (PostgreSQL ``pg_dump`` custom
format, SQLite's online backup API), the media files and the security log's checkpoints, in one
dated ``.tar.gz`` with a manifest of SHA-256 sums; restore checks every sum and writes only into
an empty database and an empty media directory."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "MANIFEST.sha256"
META = "backup.json"


class BackupError(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(db["HOST"] or "127.0.0.1"), "-p", str(db["PORT"] or 5432), "-U", str(db["USER"] or "postgres")]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[:500]}")


def dump_database(target: Path) -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target / "database.sqlite3")
        try:
            connection.connection.backup(dest)  # the online backup API: a consistent copy while in use
        finally:
            dest.close()
        return "database.sqlite3"
    if connection.vendor == "postgresql":
        args, env = _pg_env(db)
        _run(["pg_dump", "--format=custom", "--no-owner", *args, "-d", str(db["NAME"]),
              "-f", str(target / "database.dump")], env)
        return "database.dump"
    raise BackupError(f"不支持的数据库：{connection.vendor}")


def backup(to_dir: Path) -> Path:
    """Write ``jixiao-backup-YYYYmmdd-HHMMSS.tar.gz`` into ``to_dir`` and return its path."""
    from jixiao.audit.chain import checkpoint_path
    from jixiao.audit.models import EventType
    from jixiao.audit.services import log_event

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    log_event(EventType.BACKUP, username="system", archive=f"jixiao-backup-{stamp}.tar.gz")
    to_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=to_dir) as tmp:
        work = Path(tmp) / f"jixiao-backup-{stamp}"
        work.mkdir()
        database = dump_database(work)
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.copytree(media, work / "media")
        checkpoints = checkpoint_path()
        if checkpoints.exists():
            (work / "audit").mkdir()
            shutil.copy2(checkpoints, work / "audit" / "checkpoints.log")
        meta = {"created": timezone.localtime().isoformat(), "vendor": connection.vendor, "database": database}
        (work / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        files = sorted(p for p in work.rglob("*") if p.is_file())
        (work / MANIFEST).write_text(
            "".join(f"{sha256(p)}  {p.relative_to(work).as_posix()}\n" for p in files), encoding="utf-8")
        archive = to_dir / f"jixiao-backup-{stamp}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(work, arcname=work.name)
    return archive


def _check_manifest(root: Path) -> dict[str, Any]:
    manifest = root / MANIFEST
    if not manifest.exists():
        raise BackupError("备份文件缺少校验清单 MANIFEST.sha256。")
    listed = set()
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = root / name
        listed.add(name)
        if not path.is_file() or sha256(path) != digest:
            raise BackupError(f"备份文件已损坏：{name} 的 SHA-256 与清单不符。")
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {MANIFEST}
    if present - listed:
        raise BackupError(f"备份文件中有清单之外的文件：{'、'.join(sorted(present - listed))}")
    return dict(json.loads((root / META).read_text(encoding="utf-8")))


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(archive: Path) -> dict[str, Any]:
    """Restore into an empty database and media directory; every file's sum is checked first."""
    from jixiao.audit.chain import checkpoint_path

    if not database_is_empty():
        raise BackupError("目标数据库不是空库：恢复只写入新建的空数据库。")
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"媒体目录 {media} 不是空的。")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        roots = [p for p in Path(tmp).iterdir() if p.is_dir()]
        if len(roots) != 1:
            raise BackupError("不是本系统的备份文件。")
        root = roots[0]
        meta = _check_manifest(root)
        if meta["vendor"] != connection.vendor:
            raise BackupError(f"备份来自 {meta['vendor']} 数据库，不能恢复到 {connection.vendor}。")
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(root / meta["database"])
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            args, env = _pg_env(db)
            _run(["pg_restore", "--no-owner", "--exit-on-error", *args, "-d", str(db["NAME"]),
                  str(root / meta["database"])], env)
        if (root / "media").exists():
            shutil.copytree(root / "media", media, dirs_exist_ok=True)
        checkpoints = checkpoint_path()
        if (root / "audit" / "checkpoints.log").exists() and not checkpoints.exists():
            checkpoints.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / "audit" / "checkpoints.log", checkpoints)
    connection.close()
    return meta
