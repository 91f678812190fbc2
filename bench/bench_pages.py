"""Benchmark: the pages units open on a deadline day, by server CPU time, on the district demo.

Builds (once) the district demo in its own SQLite file, then, in one process with Django's test
client, requests each page ≥ 20 times as the user who fills it and prints the median CPU time
(``time.process_time``) per request. The last line reads
``target_form_cpu_ms=… monitoring_form_cpu_ms=… healthz_cpu_ms=…``. Asserts nothing.

    .venv/bin/python bench/bench_pages.py [--requests 30]   # JIXIAO_DATABASE_URL overrides the file
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JIXIAO_DATABASE_URL", "sqlite:////tmp/jixiao-bench-pages.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
os.environ.setdefault("JIXIAO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402


def ensure_demo() -> None:
    from jixiao.demo.services import has_business_data, load_demo

    call_command("migrate", verbosity=0)
    if not has_business_data():
        started = time.perf_counter()
        load_demo("district")
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")


def editable(model: type, states: tuple[str, ...]) -> tuple[object, object]:
    """An editable document and a unit filler of its unit (a filler may edit it in these states)."""
    from jixiao.accounts.models import User

    for doc in model.objects.filter(state__in=states).select_related("unit").order_by("pk"):  # type: ignore[attr-defined]
        filler = User.objects.filter(role="unit_filler", unit=doc.unit).first()
        if filler is not None:
            return doc, filler
    raise SystemExit(f"no editable {model.__name__} with a unit filler in the demo")


def cpu_ms(client: Client, url: str, requests: int) -> float:
    for _ in range(3):  # warm caches (templates, rule sets) first
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(requests):
        started = time.process_time()
        response = client.get(url)
        samples.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    requests = max(20, options.requests)
    ensure_demo()
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.targets.models import TargetDeclaration

    figures: dict[str, float] = {}
    for name, model, url_name, related in (
        ("target_form", TargetDeclaration, "targets:declaration_edit", "indicators"),
        ("monitoring_form", MonitoringForm, "monitoring:form_edit", "rows"),
    ):
        doc, filler = editable(model, ("draft", "returned"))
        client = Client()
        client.force_login(filler)  # type: ignore[arg-type]
        rows = getattr(doc, related).count()
        figures[name] = cpu_ms(client, reverse(url_name, args=[doc.pk]), requests)  # type: ignore[attr-defined]
        print(f"{name:<18} {figures[name]:7.1f} ms CPU (median of {requests}; {rows} indicator rows)")
    client = Client()
    client.force_login(filler)  # type: ignore[arg-type]
    figures["healthz"] = cpu_ms(client, reverse("core:healthz"), requests)
    print(f"{'healthz':<18} {figures['healthz']:7.1f} ms CPU (median of {requests}; logged in)")
    print(" ".join(f"{name}_cpu_ms={value:.1f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
