"""The self-evaluation and key-evaluation workflows as data (domain.md §1.4).

Self-evaluation: 单位填报 → 主管部门审核 → 财政接收 (returns carry reasons) → 公开 (a frozen
public snapshot of what is not 涉密). Key evaluation: 候选 → 拟报区人大 → 区人大审定 → 委托第三方 →
评价方案 → 评分 → 报告初稿 → 单位反馈 → 最终报告 → 报送 → 公开. A unit's own key evaluation
(部门评价) uses the same states without the 人大 steps, with the unit's approver acting for finance.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.workflow.engine import State, Transition, Workflow, register

UNIT = frozenset({Role.UNIT_FILLER, Role.UNIT_APPROVER})
APPROVER = frozenset({Role.UNIT_APPROVER})
FINANCE = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK})
PERF = frozenset({Role.PERF_SECTION})
NPC = frozenset({Role.NPC_READER})
AGENCY = frozenset({Role.AGENCY})
EXPERT = frozenset({Role.EXPERT})
EDITABLE = ("draft", "returned")


def mark_submitted(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.submitted_at = timezone.now()


def mark_received(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.received_at = timezone.now()


def publish_selfeval(doc: Any, user: Any, comment: str, grade: str) -> None:
    """A frozen, versioned public copy (jixiao.disclosure) of the table and its report."""
    from jixiao.disclosure.services import publish_record

    publish_record(doc, user, comment)


def selfeval_ready(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name != "submit":
        return None
    from jixiao.evaluation.services import submission_problems

    problems = submission_problems(doc)
    if problems:
        return f"自评表还有{len(problems)}处问题，请修改后再提交：" + "；".join(problems[:3])
    return None


def selfeval_public_copy(doc: Any) -> str | None:
    if doc.is_classified:
        return "涉密单位或项目不公开（非涉密、全公开）"
    return None if doc.public_snapshot and doc.snapshot_hash else "须生成公开快照"


def not_classified(doc: Any, transition: Transition, user: Any) -> str | None:
    if transition.name == "publish" and doc.is_classified:
        return "涉密单位或项目不公开（非涉密、全公开）。"
    return None


SELFEVAL_WORKFLOW = register(
    Workflow(
        name="self_evaluation",
        label="绩效自评",
        initial="draft",
        states=(
            State("draft", "填报中", editable_by=UNIT),
            State("submitted", "待主管部门审核"),
            State("dept_approved", "待财政接收"),
            State("returned", "已退回修改", editable_by=UNIT),
            State("received", "财政已接收"),
            State("published", "已公开", final=True, invariants=(selfeval_public_copy,)),
        ),
        transitions=(
            Transition("submit", "提交", EDITABLE, "submitted", UNIT, effect=mark_submitted),
            Transition("withdraw", "撤回", ("submitted",), "draft", UNIT, style="secondary"),
            Transition("dept_approve", "主管部门审核通过", ("submitted",), "dept_approved", APPROVER),
            Transition("dept_return", "主管部门退回", ("submitted",), "returned", APPROVER,
                       comment_required=True, style="danger"),
            Transition("receive", "财政接收", ("dept_approved",), "received", FINANCE, effect=mark_received),
            Transition("return", "财政退回修改", ("dept_approved",), "returned", FINANCE,
                       comment_required=True, style="danger"),
            Transition("publish", "公开自评报告", ("received",), "published", APPROVER | PERF,
                       effect=publish_selfeval, confirm="公开后将生成不可修改的公开快照，确定公开吗？"),
        ),
        guards=(selfeval_ready, not_classified),
    )
)


# --- key evaluation ---------------------------------------------------------------------------------

FINANCE_ONLY = frozenset({"shortlist", "unshortlist", "npc_approve", "npc_return"})
UNIT_ONLY = frozenset({"start_own"})
#: Steps the evaluator takes: the agency for 财政重点评价, the unit (or its agency) for 部门评价.
EVALUATOR_STEPS = frozenset({"submit_plan", "submit_draft", "finalise"})
#: Steps the commissioning side takes: finance for 财政重点评价, the unit's approver for 部门评价.
COMMISSIONER_STEPS = frozenset({"engage", "approve_plan", "return_plan", "report", "publish"})


def actor_fits_kind(doc: Any, transition: Transition, user: Any) -> str | None:
    """Who acts depends on who commissioned the evaluation (§6.1: units evaluate their own key projects)."""
    own = doc.kind == "unit"
    if own and transition.name in FINANCE_ONLY:
        return "部门重点评价不需报区人大审定。"
    if not own and transition.name in UNIT_ONLY:
        return "财政重点评价的选题须报区人大审定。"
    commissioner = Role.UNIT_APPROVER if own else Role.PERF_SECTION
    if transition.name in COMMISSIONER_STEPS and user.role != commissioner:
        return "该步骤由委托方办理。"
    if transition.name in EVALUATOR_STEPS and not own and user.role != Role.AGENCY:
        return "该步骤由受托第三方机构办理。"
    return None


def engage_from_registry(doc: Any, transition: Transition, user: Any) -> str | None:
    """确认委托 names an agency from the registry that passes the conflict rule (§6.4)."""
    if transition.name != "engage" or doc.agency_id is None:
        return None
    from jixiao.evaluation.services import conflict_of_interest

    return conflict_of_interest(doc.agency, doc.unit, doc.evaluated_year)


# --- what must hold in each state (checked by the engine on every transition into it) ----------------


def topic_approved(doc: Any) -> str | None:
    if doc.kind == "unit" or doc.npc_approval_ref.strip():
        return None
    return "财政重点评价须记录区人大审定文号"


def agency_engaged(doc: Any) -> str | None:
    if doc.agency_id is None:
        return None if doc.kind == "unit" else "须从第三方机构库选定受托机构"
    return None if doc.agency.is_active else f"受托机构「{doc.agency.name}」已不在第三方机构库中"


def framework_valid(doc: Any) -> str | None:
    from jixiao.evaluation.services import framework_problems, framework_rows

    problems = framework_problems(framework_rows(doc))
    return "评价方案的指标体系：" + "；".join(problems) if problems else None


def scores_complete(doc: Any) -> str | None:
    from jixiao.evaluation.services import key_score

    score = key_score(doc)
    if not score.complete:
        return "每项评价指标均须由受托方评分" + ("（" + "；".join(score.errors) + "）" if score.errors else "")
    return None


def draft_written(doc: Any) -> str | None:
    return None if doc.draft_report.strip() else "须填写报告初稿"


def feedback_written(doc: Any) -> str | None:
    return None if doc.unit_feedback.strip() else "须填写被评价单位反馈意见"


def final_written(doc: Any) -> str | None:
    if not doc.final_conclusion.strip():
        return "须填写最终报告的综合评价结论"
    return None if doc.total is not None and doc.grade else "最终报告须有评价得分和等级"


def report_sent(doc: Any) -> str | None:
    return None if doc.reported_at else "须记录报送时间"


def public_copy(doc: Any) -> str | None:
    if doc.is_classified:
        return "涉密单位或项目不公开（非涉密、全公开）"
    return None if doc.public_snapshot and doc.snapshot_hash else "须生成公开快照"


#: Each state holds what the states before it hold, plus its own.
KEY_INVARIANTS: dict[str, tuple[Any, ...]] = {}
_chain: tuple[Any, ...] = ()
for _state, _added in (("approved", (topic_approved,)), ("engaged", (agency_engaged,)),
                       ("plan_submitted", (framework_valid,)), ("fieldwork", ()),
                       ("draft_report", (scores_complete, draft_written)), ("feedback_given", (feedback_written,)),
                       ("final_report", (final_written,)), ("reported", (report_sent,)),
                       ("published", (public_copy,))):
    _chain += _added
    KEY_INVARIANTS[_state] = _chain


def record_npc_approval(doc: Any, user: Any, comment: str, grade: str) -> None:
    """The performance section records the 区人大's decision: its document number (the comment) and the
    approval date it entered (set just before the transition; today when none was entered)."""
    doc.npc_approval_ref = comment[:100]
    doc.npc_approved_on = doc.npc_approved_on or timezone.localdate()


def finalise(doc: Any, user: Any, comment: str, grade: str) -> None:
    from jixiao.evaluation.services import key_score

    result = key_score(doc)
    doc.total, doc.grade = result.total, result.grade or ""


def mark_reported(doc: Any, user: Any, comment: str, grade: str) -> None:
    doc.reported_at = timezone.now()


def publish_key(doc: Any, user: Any, comment: str, grade: str) -> None:
    """The report with its problems and rectification status, frozen and versioned (jixiao.disclosure)."""
    from jixiao.disclosure.services import publish_record

    publish_record(doc, user, comment)


EVALUATOR = AGENCY | APPROVER
COMMISSIONER = PERF | APPROVER

KEY_WORKFLOW = register(
    Workflow(
        name="key_evaluation",
        label="重点评价",
        initial="candidate",
        states=(
            State("candidate", "候选", editable_by=PERF | APPROVER),
            State("shortlisted", "拟报区人大审定"),
            State("approved", "已确定选题（待委托）", invariants=KEY_INVARIANTS["approved"]),
            State("engaged", "已委托（编制评价方案）", editable_by=EVALUATOR, invariants=KEY_INVARIANTS["engaged"]),
            State("plan_submitted", "评价方案待审核", invariants=KEY_INVARIANTS["plan_submitted"]),
            State("fieldwork", "评价实施（评分）", editable_by=EVALUATOR | EXPERT, invariants=KEY_INVARIANTS["fieldwork"]),
            State("draft_report", "报告初稿待单位反馈", editable_by=UNIT, invariants=KEY_INVARIANTS["draft_report"]),
            State("feedback_given", "单位已反馈（待最终报告）", editable_by=EVALUATOR,
                  invariants=KEY_INVARIANTS["feedback_given"]),
            State("final_report", "最终报告待报送", invariants=KEY_INVARIANTS["final_report"]),
            State("reported", "已报送（整改中）", invariants=KEY_INVARIANTS["reported"]),
            State("published", "已公开", final=True, invariants=KEY_INVARIANTS["published"]),
        ),
        transitions=(
            Transition("shortlist", "列入拟报选题", ("candidate",), "shortlisted", PERF),
            Transition("unshortlist", "移出拟报选题", ("shortlisted",), "candidate", PERF, style="secondary"),
            Transition("npc_approve", "记录区人大审定", ("shortlisted",), "approved", PERF, comment_required=True,
                       effect=record_npc_approval, comment_label="审定文号", date_label="区人大审定日期",
                       fulfils_invariants=True),
            Transition("npc_return", "区人大未予审定", ("shortlisted",), "candidate", PERF, comment_required=True,
                       style="danger"),
            Transition("start_own", "确定为本部门重点评价项目", ("candidate",), "approved", APPROVER),
            Transition("engage", "确认委托", ("approved",), "engaged", COMMISSIONER, form_only=True),
            Transition("submit_plan", "提交评价方案", ("engaged",), "plan_submitted", EVALUATOR),
            Transition("approve_plan", "批准评价方案", ("plan_submitted",), "fieldwork", COMMISSIONER),
            Transition("return_plan", "退回评价方案", ("plan_submitted",), "engaged", COMMISSIONER,
                       comment_required=True, style="danger"),
            Transition("submit_draft", "提交报告初稿", ("fieldwork",), "draft_report", EVALUATOR),
            Transition("give_feedback", "提交单位反馈意见", ("draft_report",), "feedback_given", UNIT),
            Transition("finalise", "形成最终报告", ("feedback_given",), "final_report", EVALUATOR, effect=finalise),
            Transition("report", "报送（区人大、区政府 / 财政备案）", ("final_report",), "reported", COMMISSIONER,
                       effect=mark_reported),
            Transition("publish", "公开评价报告", ("reported",), "published", COMMISSIONER, effect=publish_key,
                       confirm="公开后将生成不可修改的公开快照，确定公开吗？"),
        ),
        guards=(actor_fits_kind, engage_from_registry, not_classified),
    )
)
