"""schemathesis against the API's own OpenAPI schema: no server error, every response as the
schema says, and no row outside the token's scope (a budget desk's token sees 教育 only). Register
items, proposals and assessment sheets exist in and out of the scope (``records``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from jixiao.api.services import issue_token

IN_SCOPE = {"901", "901001"}  # the budget desk's sector (教育): units a and a_sub of the fixture
EXAMPLES_PER_OPERATION = 15


def unit_codes(body: Any) -> set[str]:
    rows = body.get("results", [body]) if isinstance(body, dict) else []
    return {row.get("unit_code") or row.get("code") for row in rows if isinstance(row, dict)} - {None}


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests go through the WSGI app, not Django's test client: keep the test's database
    connection (and its transaction) open across them, as the test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema_and_scope(org: Any, users: dict[str, Any], records: dict[str, Any],
                                              keep_test_connection: None) -> None:
    _token, secret = issue_token(users["budget_desk"], "模糊测试", timezone.now() + timedelta(days=1), users["sec_admin"])
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 20  # list and detail of ten record kinds
    seen_rows: set[str] = set()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def check(case: Any) -> None:
            response = case.call_and_validate(headers={"Authorization": f"Bearer {secret}"})
            if response.status_code == 200 and case.path != "/api/v1/units/{id}/":
                codes = unit_codes(response.json())
                assert codes <= IN_SCOPE, (case.path, codes)
                seen_rows.update(codes)

        check()
    assert seen_rows, "the fuzzer never reached a row: the scope check proved nothing"
