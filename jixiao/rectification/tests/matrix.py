"""This app's URLs in the permission matrix (tests/test_permission_matrix.py).

Items of the fixture's units a, a_sub and b behave by the usual scopes; ``rect_assigned`` is an item
of unit b from a key evaluation engaged with the fixture agency's firm: the agency sees it (and only
it). The former lists' URLs (monitoring 纠偏措施, evaluation 整改清单) redirect into the register;
they are described in those apps' matrix files.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile

from jixiao.accounts.roles import ROLE_SCOPE, Role, Scope

KEYS = ("a", "a_sub", "b")
ASSIGNED = "rect_assigned"


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.evaluation.models import Agency, KeyEvaluation, Recheck
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.monitoring.tests.conftest import build_round
    from jixiao.rectification.models import Rectification, RectificationEvidence

    units, projects = org["units"], org["projects"]
    if not MonitoringForm.objects.filter(project=projects["a"]).exists():
        build_round(org, users)
    forms = {k: MonitoringForm.objects.filter(project=projects[k]).latest("pk") for k in KEYS}
    perf = users[Role.PERF_SECTION]
    items = {k: Rectification.objects.create(
        source="monitoring", source_title="2021年1-9月绩效运行监控", monitoring_form=forms[k], year=2021,
        project=projects[k], unit=units[k], sector=units[k].sector, kind="urge", problem="执行进度偏慢",
        requirement="加快支付", deadline=date(2021, 12, 31), created_by=perf, state="issued") for k in KEYS}
    firm = Agency.objects.create(name="整改测试评价机构", phone="13800000001")
    firm.members.add(users[Role.AGENCY])
    ke = KeyEvaluation.objects.create(year=2021, evaluated_year=2020, title="西岭局项目重点评价", unit=units["b"],
                                      sector=units["b"].sector, project=projects["b"], agency=firm, state="reported")
    assigned = Rectification.objects.create(
        source="key_evaluation", source_title=ke.title, key_evaluation=ke, year=2020, unit=units["b"],
        sector=units["b"].sector, problem="绩效目标不够细化", requirement="细化指标", deadline=date(2022, 6, 30),
        created_by=perf, state="issued")
    evidence = RectificationEvidence(rectification=items["a_sub"], name="整改报告.pdf", size=8,
                                     uploaded_by=users[Role.UNIT_FILLER])
    evidence.file.save("matrix.pdf", ContentFile(b"%PDF-1.4"), save=True)
    rechecks = {r.selfeval.unit_id: r for r in Recheck.objects.select_related("selfeval")}
    recheck_calls = [(k, {"pk": rechecks[units[k].pk].pk}, k) for k in ("a", "b") if units[k].pk in rechecks]
    per_item = ("rectification:detail", "rectification:feedback", "rectification:evidence_upload",
                "rectification:transition", "rectification:retarget")
    return {
        **{name: [*((k, {"pk": items[k].pk}, k) for k in KEYS), ("assigned", {"pk": assigned.pk}, ASSIGNED)]
           for name in per_item},
        "rectification:evidence_download": [("a_sub", {"pk": items["a_sub"].pk, "evidence": evidence.pk}, "a_sub")],
        "rectification:source": [("source", {"source": "monitoring"}, "")],
        "rectification:unit": [(k, {"pk": units[k].pk}, k) for k in KEYS],
        "rectification:from_monitoring": [(k, {"pk": forms[k].pk}, k) for k in KEYS],
        "rectification:from_recheck": recheck_calls,
    }


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if unit_key != ASSIGNED:
        return None
    if role == Role.AGENCY:
        return 200
    return 200 if {Scope.ALL: True, Scope.SECTOR: False, Scope.UNIT_TREE: False}.get(ROLE_SCOPE[role], False) else 404
