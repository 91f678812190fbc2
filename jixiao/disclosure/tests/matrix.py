"""This app's URLs in the permission matrix (tests/test_permission_matrix.py). The public portal
(``gongkai:*``) needs no login and is crawled anonymously in ``test_portal.py``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

KEYS = ("a", "a_sub", "b")
#: POSTs without a form's fields re-render the page with the errors (400) for whoever may act.
FORM_ACTIONS = frozenset({"correct", "withdraw", "change"})


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.disclosure.models import PortalJob, Publication, PublicationVersion

    perf = users["perf_section"]
    pubs = {}
    for k in KEYS:
        project = org["projects"][k]
        pub = Publication.objects.create(kind="target", year=2021, unit=project.unit, project=project,
                                         subject_key=f"matrix:{k}", title=f"{project.name}绩效目标",
                                         first_published_at=timezone.now())
        PublicationVersion.objects.create(publication=pub, number=1, content={"title": pub.title}, sha256="0" * 64,
                                          published_at=timezone.now(), published_by=perf,
                                          source_model="targets.targetdeclaration", source_pk=1)
        pubs[k] = pub
    job = PortalJob.objects.create(kind="export", requested_by=perf, status="done", percent=100,
                                   file_name="x.zip", content=b"PK\x05\x06" + b"\0" * 18)
    per_pub = ("disclosure:publication_detail", "disclosure:correct", "disclosure:withdraw", "disclosure:posting")
    return {
        **{name: [(k, {"pk": pubs[k].pk}, k) for k in KEYS] for name in per_pub},
        "disclosure:job_detail": [("job", {"pk": job.pk}, "")],
        "disclosure:job_download": [("job", {"pk": job.pk}, "")],
    }


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    from jixiao.accounts.roles import ROLE_SCOPE
    from tests.test_permission_matrix import visible

    if label == "disclosure.publication" and action in FORM_ACTIONS and unit_key:
        return 400 if visible(ROLE_SCOPE[role], unit_key) else 404
    return None
