"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

KEYS = ("a", "a_sub", "b")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from datetime import timedelta

    from django.utils import timezone

    from jixiao.api.services import issue_token
    from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.targets.models import TargetDeclaration

    token, _secret = issue_token(users["audit_reader"], "矩阵", timezone.now() + timedelta(days=1), users["sec_admin"])
    u, p = org["units"], org["projects"]
    calls: dict[str, list[tuple[str, dict[str, Any], str]]] = {
        "api:unit-detail": [(k, {"pk": u[k].pk}, k) for k in KEYS],
        "api:project-detail": [(k, {"pk": p[k].pk}, k) for k in KEYS],
        "api:token_revoke": [("token", {"pk": token.pk}, "")],
    }
    # Documents of each kind, where the fixture has them (other apps' matrix modules create them).
    # Documents engaged to the fixture's agency or expert are left out: their visibility is the
    # evaluation and monitoring matrices' own rule (assigned items), checked there on the pages.
    for name, model in (("api:target-detail", TargetDeclaration), ("api:monitoring-form-detail", MonitoringForm),
                        ("api:self-evaluation-detail", SelfEvaluation), ("api:key-evaluation-detail", KeyEvaluation)):
        engaged = {pk for role in ("agency", "expert")
                   for pk in model.objects.for_user(users[role]).values_list("pk", flat=True)}  # type: ignore[attr-defined]
        calls[name] = []
        for key in KEYS:
            doc = model.objects.filter(unit=u[key]).exclude(pk__in=engaged).order_by("pk").first()
            if doc is not None:
                calls[name].append((key, {"pk": doc.pk}, key))
    return calls
