"""The static export of the public portal (信息公开), opened in Chromium from the file system:
index → year → unit page by clicking relative links, every published demo item listed and nothing
涉密; screenshots of the index and a unit page; a second export is byte-identical."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_static_export_works_from_file_urls(demo_server: DemoServer, page: Any,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("gongkai")
    demo_server.jixiao("publish", "export", str(out / "one"))
    site = out / "one"
    index = json.loads((site / "index.json").read_text(encoding="utf-8"))
    assert index["publications"], "the demo publishes targets, self-evaluations and a key evaluation"
    shots = Path(tmp_path_factory.getbasetemp()) / "screenshots"
    shots.mkdir(exist_ok=True)

    page.goto((site / "index.html").as_uri())
    assert page.title().startswith("预算绩效信息公开")
    assert page.eval_on_selector("link[rel=stylesheet]", "l => l.sheet !== null")  # the CSS loaded from disk
    page.screenshot(path=str(shots / "gongkai-index.png"), full_page=True)
    year = index["years"][0]
    page.click(f"text={year}年度")
    assert page.url.endswith(f"/{year}/index.html")
    assert page.locator("svg[role=img]").count() >= 3  # the district charts, with their alt text
    listed = [p for p in index["publications"] if p["year"] == year and not p["withdrawn"]]
    busiest = max({p["unit_code"] for p in listed}, key=lambda c: sum(1 for p in listed if p["unit_code"] == c))
    unit_name = next(p["unit"] for p in listed if p["unit_code"] == busiest)
    page.click(f"table.data >> text={unit_name}")
    assert page.url.endswith(f"/{year}/{busiest}/index.html")
    text = page.inner_text("main")
    for p in listed:
        if p["unit_code"] == busiest:
            assert (p["project"] or p["unit"]) in text
    assert "涉密" not in text
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.screenshot(path=str(shots / "gongkai-unit.png"), full_page=True)
    first = next(p for p in listed if p["unit_code"] == busiest)
    page.click(f"a[title='{first['title']}']")
    assert "内容摘要（SHA-256）" in page.inner_text("main") and first["sha256"] in page.inner_text("main")

    demo_server.jixiao("publish", "export", str(out / "two"))
    assert tree(site) == tree(out / "two")
