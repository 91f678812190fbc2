"""What each kind of record shows the public: the existing snapshot builders of the targets and
evaluation apps, extended with the identifiers the portal lists by, and with the fields that are
never public (contacts, internal review opinions, raters) left out by construction.

A 涉密 record is refused (:class:`Classified`); a 涉密 field never appears because every
builder names the fields it publishes (``NEVER_PUBLIC`` lists the ones a test looks for).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from jixiao.disclosure.models import Kind

#: Fields of the source records that a publication never carries (personal contacts, internal review).
NEVER_PUBLIC = ("contact_person", "contact_phone", "unit_head", "review_comment", "unit_feedback", "draft_report",
                "phone", "scorer")


class Classified(Exception):
    """The record is 涉密 (its unit or project is classified): never published."""


def canonical(content: dict[str, Any]) -> str:
    """The one text the digest is taken of: sorted keys, no spaces, amounts and scores as written."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(content: dict[str, Any]) -> tuple[dict[str, Any], str]:
    text = canonical(content)
    return json.loads(text), hashlib.sha256(text.encode()).hexdigest()


def kind_of(record: Any) -> str:
    label = record._meta.label_lower
    return {"targets.targetdeclaration": Kind.TARGET, "evaluation.selfevaluation": Kind.SELFEVAL,
            "evaluation.keyevaluation": Kind.KEY}[label]


def subject_key(record: Any) -> str:
    """One publication per public item: a project's targets of a year (whatever the version), a
    department's overall targets of a year, a self-evaluation, a key evaluation."""
    kind = kind_of(record)
    if kind == Kind.TARGET:
        if record.project_id:
            return f"target:project:{record.project_id}"
        return f"target:department:{record.unit_id}:{record.year}"
    return f"{kind}:{record.pk}"


def publication_year(record: Any) -> int:
    return int(record.evaluated_year if kind_of(record) == Kind.KEY else record.year)


def _ids(record: Any) -> dict[str, Any]:
    return {
        "unit_code": record.unit.code, "unit": record.unit.name,
        "project_code": record.project.code if record.project_id else None,
        "project": record.project.name if record.project_id else None,
    }


def target_content(d: Any) -> dict[str, Any]:
    content = d.content()
    content.update(_ids(d))
    content.update({
        "kind": "target", "form": d.form_title, "fiscal_fen": d.fiscal_fen, "other_fen": d.other_fen,
        "approved_on": d.approved_at.date().isoformat() if d.approved_at else None,
        "adjustment_reason": d.adjustment_reason or None,
    })
    return content


REPORT_SECTIONS = (("report_overview", "一、基本情况"), ("report_work", "二、绩效自评工作开展情况"),
                   ("report_results", "三、绩效目标实现情况分析"), ("report_problems", "四、存在的问题及原因分析"),
                   ("report_measures", "五、改进措施及结果应用"))


def selfeval_content(se: Any) -> dict[str, Any]:
    from jixiao.evaluation.services import selfeval_document

    content = selfeval_document(se) | {"report": {f: getattr(se, f) for f, _ in REPORT_SECTIONS}}
    content.update(_ids(se))
    content.update({
        "kind": "selfeval", "form": se.form_title, "subject": se.subject,
        "initial_budget_fen": se.initial_budget_fen, "budget_fen": se.budget_fen, "executed_fen": se.executed_fen,
        "goal": se.goal, "goal_actual": se.goal_actual,
    })
    return content


def key_content(ke: Any) -> dict[str, Any]:
    from jixiao.evaluation.services import key_content as evaluation_key_content

    content = evaluation_key_content(ke)
    content.update(_ids(ke))
    content.update({
        "kind": "key", "heading": str(ke), "evaluated_year": ke.evaluated_year, "subject": ke.get_subject_display(),
        "amount_fen": ke.amount_fen, "reported_on": ke.reported_at.date().isoformat() if ke.reported_at else None,
        "rectifications": rectifications(ke),
    })
    return content


def rectifications(ke: Any) -> list[dict[str, Any]]:
    """The problems found and their rectification status, as the register holds them today."""
    return [
        {"problem": r.problem, "action": r.requirement, "owner": r.unit.name, "deadline": r.deadline.isoformat(),
         "status": r.state_label, "feedback": r.feedback or None}
        for r in ke.rectifications.exclude(state="cancelled").select_related("unit").order_by("deadline", "pk")
        if not r.unit.is_classified
    ]


def public_content(record: Any) -> dict[str, Any]:
    if record.is_classified:
        raise Classified("涉密单位或项目不公开（非涉密、全公开）。")
    kind = kind_of(record)
    builders: dict[str, Any] = {Kind.TARGET: target_content, Kind.SELFEVAL: selfeval_content, Kind.KEY: key_content}
    builder = builders[kind]
    content = builder(record)
    for field in NEVER_PUBLIC:
        content.pop(field, None)
    return content


def title_of(record: Any, content: dict[str, Any]) -> str:
    kind = kind_of(record)
    if kind == Kind.TARGET:
        subject = record.project.name if record.project_id else record.unit.name
        return f"{subject}{record.year}年度{record.form_title}"
    if kind == Kind.SELFEVAL:
        return str(record)
    return f"{record.evaluated_year}年度{record.get_kind_display()}报告：{record.title}"
