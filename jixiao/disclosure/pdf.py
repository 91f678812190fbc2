"""Publication texts printed to PDF by LibreOffice (headless), in the background worker.

One LibreOffice start prints a batch of .docx files (its start-up is most of the cost), each run
with its own throw-away profile so concurrent runs never share one. ``JIXIAO_SOFFICE`` says which
LibreOffice: "auto" (found on PATH), a path, or "off"."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

#: a batch of texts must print within this (a publication's text prints in a few seconds)
SECONDS = 300


class Unavailable(Exception):
    """This server cannot print PDFs now (no LibreOffice, or it failed); the words are for the log."""


def soffice() -> str | None:
    configured = str(getattr(settings, "JIXIAO_SOFFICE", "auto") or "off")
    if configured == "off":
        return None
    if configured == "auto":
        return shutil.which("soffice") or shutil.which("libreoffice")
    return shutil.which(configured)


def print_pdfs(documents: dict[str, bytes]) -> dict[str, bytes]:
    """``{name: docx bytes}`` → ``{name: pdf bytes}`` for every document LibreOffice printed."""
    office = soffice()
    if office is None:
        raise Unavailable("未安装LibreOffice（soffice）")
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        folder = Path(tmp)
        sources = []
        for name, data in documents.items():
            source = folder / f"{name}.docx"
            source.write_bytes(data)
            sources.append(str(source))
        try:
            subprocess.run([office, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                            "--norestore", "--convert-to", "pdf", "--outdir", str(folder / "out"), *sources],
                           check=True, capture_output=True, timeout=SECONDS)
        except (OSError, subprocess.SubprocessError) as exc:
            raise Unavailable(f"LibreOffice转换失败：{type(exc).__name__}") from exc
        printed = {}
        for name in documents:
            target = folder / "out" / f"{name}.pdf"
            if target.is_file() and target.read_bytes().startswith(b"%PDF"):
                printed[name] = target.read_bytes()
        return printed
