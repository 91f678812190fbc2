"""The keyed chain of the security log and its checkpoints outside the database.

Each row carries a gap-free sequence number and ``HMAC(key, prev_hash + canonical row)`` with
SM3 (OpenSSL's, through :mod:`hmac`; SHA-256 only where the OpenSSL build lacks SM3). The key
(``JIXIAO_AUDIT_KEY``) is held outside the database, so a database user who rewrites, forges or
re-chains rows cannot produce valid hashes. After every committed append a signed checkpoint
(sequence, head hash, time) is appended to a file and sent to syslog; ``verify_log`` compares the
table against them, so deleted head or tail rows are found even when the remaining chain links.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

HASH_ALGORITHM = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"
checkpoint_logger = logging.getLogger("jixiao.audit.checkpoint")


def audit_key() -> bytes:
    return str(settings.JIXIAO_AUDIT_KEY).encode()


def row_mac(prev_hash: str, canonical: str, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), (prev_hash + canonical).encode(), HASH_ALGORITHM).hexdigest()


def canonical_row(values: dict[str, Any]) -> str:
    """The text that is hashed: every column but the hashes, in a fixed order."""
    at = values["at"]
    return json.dumps(
        [
            values["seq"], at.isoformat() if hasattr(at, "isoformat") else str(at), values["event_type"],
            values["outcome"], values["username"], values["user_display"], values["role"], values["ip"],
            values["user_agent"], values["object_repr"], values["detail"],
        ],
        ensure_ascii=False, sort_keys=True, default=str,
    )


def sign_checkpoint(record: dict[str, Any]) -> str:
    body = f"{record['kind']}|{record['seq']}|{record['hash']}|{record['at']}"
    return hmac.new(audit_key(), body.encode(), HASH_ALGORITHM).hexdigest()


def checkpoint_path() -> Path:
    return Path(settings.JIXIAO_AUDIT_CHECKPOINT_FILE)


def write_checkpoint(seq: int, head_hash: str, at: str, kind: str = "head") -> None:
    """Append one signed checkpoint line to the file (fsynced) and send it to syslog."""
    record: dict[str, Any] = {"kind": kind, "seq": seq, "hash": head_hash, "at": at}
    record["sig"] = sign_checkpoint(record)
    line = json.dumps(record, ensure_ascii=False)
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
    checkpoint_logger.info("jixiao-audit-checkpoint %s", line)


@dataclass
class Checkpoints:
    heads: dict[int, str] = field(default_factory=dict)  # seq -> head hash at that point
    archived_through: int = 0  # rows up to this seq were archived (removed on purpose)
    archived_hash: str = ""
    bad_lines: list[int] = field(default_factory=list)


def read_checkpoints(paths: list[Path]) -> Checkpoints:
    """Read checkpoint lines from files (the checkpoint file, or a syslog copy: text before the JSON is skipped)."""
    found = Checkpoints()
    for path in paths:
        if not path.exists():
            continue
        for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            start = raw.find("{")
            if start < 0:
                continue
            try:
                record = json.loads(raw[start:raw.rfind("}") + 1])
                valid = hmac.compare_digest(str(record["sig"]), sign_checkpoint(record))
            except (ValueError, KeyError, TypeError):
                valid = False
            if not valid:
                found.bad_lines.append(number)
                continue
            seq = int(record["seq"])
            if record["kind"] == "archive":
                if seq > found.archived_through:
                    found.archived_through, found.archived_hash = seq, str(record["hash"])
            else:
                found.heads[seq] = str(record["hash"])
    return found


@dataclass
class Finding:
    kind: str  # altered | missing | checkpoint | trigger
    message: str
    seq: int | None = None


@dataclass
class Report:
    rows: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, message: str, seq: int | None = None) -> None:
        self.findings.append(Finding(kind, message, seq))


def _missing(report: Report, first: int, last: int, where: str) -> None:
    span = f"第{first}条" if first == last else f"第{first}—{last}条"
    report.add("missing", f"{span}记录缺失（{where}，共{last - first + 1}条）。", first)


def verify_rows(rows: Any, checkpoints: Checkpoints, report: Report) -> None:
    """Walk the rows in sequence order: keyed hashes, links, gaps; then compare with the checkpoints."""
    expected_first = checkpoints.archived_through + 1
    prev_hash: str | None = None
    prev_seq: int | None = None
    by_seq: dict[int, str] = {}
    for row in rows:
        seq = row["seq"]
        report.rows += 1
        if prev_seq is None:
            report.first_seq = seq
            if seq > expected_first:
                _missing(report, expected_first, seq - 1, "日志开头被删除")
            elif checkpoints.archived_through and row["prev_hash"] != checkpoints.archived_hash:
                report.add("altered", f"第{seq}条记录与已归档部分的末条记录衔接不上。", seq)
        else:
            if seq > prev_seq + 1:
                _missing(report, prev_seq + 1, seq - 1, "日志中间被删除")
            elif seq <= prev_seq:
                report.add("altered", f"第{seq}条记录序号重复（伪造的记录）。", seq)
            if row["prev_hash"] != prev_hash:
                report.add("altered", f"第{seq}条记录与前一条记录的链接不符（其前的记录被删除、插入或改写）。", seq)
        if not hmac.compare_digest(row_mac(row["prev_hash"], canonical_row(row)), row["hash"]):
            report.add("altered", f"第{seq}条记录（{row['at']:%Y-%m-%d %H:%M:%S} {row['username']}）"
                                  f"内容与其密钥签名不符：被改写或伪造。", seq)
        by_seq[seq] = row["hash"]
        prev_seq, prev_hash = seq, row["hash"]
        report.last_seq = seq
    for number in checkpoints.bad_lines:
        report.add("checkpoint", f"检查点文件第{number}行签名无效（检查点被篡改）。")
    report.checkpoints = len(checkpoints.heads)
    if checkpoints.heads:
        top = max(checkpoints.heads)
        last = report.last_seq or checkpoints.archived_through
        if top > last:
            _missing(report, last + 1, top, "日志末尾被删除，检查点记录到第" + str(top) + "条")
    for seq, head in sorted(checkpoints.heads.items()):
        if seq in by_seq and not hmac.compare_digest(by_seq[seq], head):
            report.add("altered", f"第{seq}条记录与检查点不符（该记录或其前的链被重写）。", seq)
