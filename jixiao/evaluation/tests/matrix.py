"""This app's URLs in the permission matrix (tests/test_permission_matrix.py).

Unit keys: "a", "a_sub", "b" are the fixture's units; "eng_a" is a record of unit a assigned to
the fixture's agency (and expert), "eng_b" a record of unit b assigned to another agency: agency
and expert users see only the first.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from jixiao.accounts.roles import EXTERNAL_READERS, ROLE_SCOPE, Role, Scope

KEYS = ("a", "a_sub", "b")
ASSIGNED = frozenset({Role.AGENCY, Role.EXPERT})


def _visible(scope: Scope, unit: str) -> bool:
    return {Scope.ALL: True, Scope.SECTOR: unit in ("a", "a_sub"), Scope.UNIT_TREE: unit in ("a", "a_sub"),
            Scope.OWN_UNIT: unit == "a_sub"}.get(scope, False)


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.evaluation.models import (
        Agency,
        EvaluationYear,
        Evidence,
        Expert,
        KeyEvaluation,
        Recheck,
        RecheckRound,
        SelfEvaluation,
        TableUpload,
    )

    p, units = org["projects"], org["units"]
    mine, _ = Agency.objects.get_or_create(name="湖南测试会计师事务所", defaults={"phone": "13873010041"})
    mine.members.add(users[Role.AGENCY])
    other = Agency.objects.create(name="其他评价机构", phone="13900000000")
    expert = Expert.objects.create(name="测试专家", user=users[Role.EXPERT])
    se = {k: SelfEvaluation.objects.create(kind="project", year=2021, unit=p[k].unit, sector=p[k].sector, project=p[k],
                                           budget_fen=p[k].adjusted_budget_fen) for k in KEYS}
    se_keys = {"a": "eng_a", "a_sub": "a_sub", "b": "b"}  # selfeval a is sampled for the fixture's agency
    rnd = RecheckRound.objects.create(year=2021, rule={}, seed=1, agency=mine, candidate_count=3, drawn_by=users[Role.PERF_SECTION])
    rechecks = {"eng_a": Recheck.objects.create(round=rnd, selfeval=se["a"], agency=mine, reason="随机抽取"),
                "eng_b": Recheck.objects.create(round=rnd, selfeval=se["b"], agency=other, reason="随机抽取")}
    evidence = Evidence(selfeval=se["a_sub"], name="验收报告.pdf", size=8, uploaded_by=users[Role.UNIT_FILLER])
    evidence.file.save("matrix.pdf", ContentFile(b"%PDF-1.4"), save=True)
    keys = {}
    for key, unit, agency in (("eng_a", "a", mine), ("eng_b", "b", other)):
        ke = KeyEvaluation.objects.create(year=2021, evaluated_year=2020, title=f"{units[unit].name}项目重点评价",
                                          unit=units[unit], sector=units[unit].sector, project=p[unit], agency=agency,
                                          state="fieldwork")
        if key == "eng_a":
            ke.experts.add(expert)
        keys[key] = ke
    year = EvaluationYear.for_year(2021)
    uploads = {key: TableUpload.objects.create(
        agency=agency, file_name="自评表.docx", size=100, kind="project_self_eval", title="测试项目",
        unit_name="测试单位", year=2021, document={"indicators": []}, result={"findings": []},
        uploaded_by=users[Role.PERF_SECTION]) for key, agency in (("eng_a", mine), ("eng_b", other))}
    per_selfeval = ("evaluation:selfeval_detail", "evaluation:selfeval_edit", "evaluation:selfeval_preview",
                    "evaluation:selfeval_transition", "evaluation:evidence_upload", "evaluation:selfeval_json",
                    "evaluation:selfeval_docx")
    per_key = ("evaluation:keyeval_detail", "evaluation:keyeval_transition", "evaluation:keyeval_docx",
               "evaluation:keyeval_scores")
    return {
        **{name: [(k, {"pk": se[k].pk}, se_keys[k]) for k in KEYS] for name in per_selfeval},
        "evaluation:evidence_download": [("a_sub", {"pk": se["a_sub"].pk, "evidence": evidence.pk}, "a_sub")],
        **{name: [(k, {"pk": r.pk}, k) for k, r in rechecks.items()]
           for name in ("evaluation:recheck_detail", "evaluation:recheck_save")},
        **{name: [(k, {"pk": ke.pk}, k) for k, ke in keys.items()] for name in per_key},
        "evaluation:keyeval_section": [(k, {"pk": ke.pk, "section": section}, k) for k, ke in keys.items()
                                       for section in ("engage", "plan")],
        "evaluation:agency_edit": [("agency", {"pk": mine.pk}, "")],
        "evaluation:agency_service_add": [("agency", {"pk": mine.pk}, "")],
        "evaluation:expert_edit": [("expert", {"pk": expert.pk}, "")],
        "evaluation:expert_service_add": [("expert", {"pk": expert.pk}, "")],
        "evaluation:settings_edit": [("year", {"pk": year.pk}, "")],
        "evaluation:table_detail": [(k, {"pk": u.pk}, f"upload_{k}") for k, u in uploads.items()],
    }


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if not label.startswith("evaluation.") or not unit_key:
        return None
    if unit_key.startswith("upload_"):
        # A received file: agencies see their agency's, 人大 readers only their own (these are the
        # performance section's), the finance bureau and auditors all of them.
        if role == Role.AGENCY:
            return 200 if unit_key == "upload_eng_a" else 404
        return 404 if role == Role.NPC_READER else 200
    if label == "evaluation.selfevaluation" and role in EXTERNAL_READERS:
        return 404  # external readers see self-evaluations once published; the fixture's are drafts
    unit = unit_key.removeprefix("eng_")
    if action == "score" and role not in ASSIGNED:
        # A unit's approver scores only its department's own evaluation; the fixture's are the finance bureau's.
        return 403 if _visible(ROLE_SCOPE[role], unit) else 404
    if role in ASSIGNED:
        return 200 if unit_key == "eng_a" else 404
    return 200 if _visible(ROLE_SCOPE[role], unit) else 404
