"""Roles (domain.md §1.1–1.2) and the data scope each one works in.

The permission policy is data: which role may do which action on which kind of record
(``PERMISSIONS``), and which rows it sees (``ROLE_SCOPE``). Views, exports and the API ask
``can()`` and ``Model.objects.for_user()``; nothing else decides access.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PERF_SECTION = "perf_section", "财政局绩效管理股"
    BUDGET_DESK = "budget_desk", "财政局业务股室"
    UNIT_APPROVER = "unit_approver", "主管部门审核人"
    UNIT_FILLER = "unit_filler", "单位填报人"
    AGENCY = "agency", "第三方机构人员"
    EXPERT = "expert", "评审专家"
    NPC_READER = "npc_reader", "区人大查阅人"
    AUDIT_READER = "audit_reader", "区审计局查阅人"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
#: Readers outside the finance bureau: finished documents only, nothing 涉密 unless granted (core/scoping.py).
EXTERNAL_READERS = frozenset({Role.NPC_READER, Role.AUDIT_READER})
FINANCE_ROLES = frozenset({Role.PERF_SECTION, Role.BUDGET_DESK})
UNIT_ROLES = frozenset({Role.UNIT_APPROVER, Role.UNIT_FILLER})
ROLES_WITH_UNIT = UNIT_ROLES
ROLES_WITH_SECTORS = frozenset({Role.BUDGET_DESK})


class Scope(models.TextChoices):
    """Which rows a role sees of a unit-owned record."""

    ALL = "all", "全部"
    SECTOR = "sector", "分管行业"
    UNIT_TREE = "unit_tree", "本部门及下属单位"
    OWN_UNIT = "own_unit", "本单位"
    ASSIGNED = "assigned", "委托给本人的事项"
    NONE = "none", "无"


ROLE_SCOPE: dict[str, Scope] = {
    Role.PERF_SECTION: Scope.ALL,
    Role.BUDGET_DESK: Scope.SECTOR,
    Role.UNIT_APPROVER: Scope.UNIT_TREE,
    Role.UNIT_FILLER: Scope.OWN_UNIT,
    Role.AGENCY: Scope.ASSIGNED,
    Role.EXPERT: Scope.ASSIGNED,
    Role.NPC_READER: Scope.ALL,
    Role.AUDIT_READER: Scope.ALL,
    # 三权分立: the system and security administrators manage accounts (district-wide), not business data.
    Role.SYS_ADMIN: Scope.NONE,
    Role.SEC_ADMIN: Scope.NONE,
    Role.AUDIT_ADMIN: Scope.ALL,
}

_R = Role
VIEW, ADD, CHANGE, EXPORT, IMPORT = "view", "add", "change", "export", "import"
_READERS = {_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER, _R.UNIT_FILLER, _R.NPC_READER, _R.AUDIT_READER}

# model label -> action -> roles. A role missing from an action is refused (default deny).
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Business data is for business roles only; the administrators keep to accounts and logs (三权分立).
    "organisation.budgetunit": {
        VIEW: frozenset(_READERS),
        ADD: frozenset({_R.PERF_SECTION}),
        CHANGE: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset(_READERS),
        IMPORT: frozenset({_R.PERF_SECTION}),
    },
    "organisation.project": {
        VIEW: frozenset(_READERS),
        ADD: frozenset({_R.PERF_SECTION}),
        CHANGE: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),
        # 同批复: the budget desk approves a project's budget once its target is approved.
        "approve_budget": frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),
        EXPORT: frozenset(_READERS),
        IMPORT: frozenset({_R.PERF_SECTION}),
    },
    "organisation.departmentexpenditure": {
        VIEW: frozenset(_READERS),
        CHANGE: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),
        EXPORT: frozenset(_READERS),
    },
    "organisation.importbatch": {
        VIEW: frozenset({_R.PERF_SECTION}),
    },
    # 三权分立 (security.md SEC-AC-5): identities are the system administrator's (create, name, phone,
    # validity, unlock); roles and data scope, including unit, sector and agency bindings and the second
    # factor, are the security administrator's; the logs are the audit administrator's. No administrator
    # changes its own role or another administrator's role (views refuse it); an administrator account is
    # disabled only by an administrator of another kind, with a reason, and the third kind is alerted.
    "accounts.user": {
        VIEW: frozenset({_R.SYS_ADMIN, _R.SEC_ADMIN}),
        ADD: frozenset({_R.SYS_ADMIN}),
        CHANGE: frozenset({_R.SYS_ADMIN}),
        "assign_role": frozenset({_R.SEC_ADMIN}),
        "reset_otp": frozenset({_R.SEC_ADMIN}),
        "disable": frozenset(ADMIN_ROLES),
        EXPORT: frozenset({_R.SYS_ADMIN, _R.SEC_ADMIN}),
    },
    # Service-account tokens for the read-only API: issued and revoked by the security administrator.
    "api.apitoken": {
        VIEW: frozenset({_R.SEC_ADMIN}),
        ADD: frozenset({_R.SEC_ADMIN}),
        CHANGE: frozenset({_R.SEC_ADMIN}),
    },
    "audit.securityevent": {
        VIEW: frozenset({_R.AUDIT_ADMIN}),
        EXPORT: frozenset({_R.AUDIT_ADMIN}),
    },
    "audit.history": {
        # Business-record history: whoever may see the record sees its history (business roles only).
        VIEW: frozenset(_READERS),
    },
    "targets.targetdeclaration": {
        VIEW: frozenset(_READERS),
        ADD: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
        CHANGE: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
        # Per-indicator review opinions and bulk review by the finance bureau.
        "review": frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),
        EXPORT: frozenset(_READERS),
        IMPORT: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
        "adjust": frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
    },
    "targets.completeness": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER}),
    },
    "targets.indicatorlibraryitem": {
        VIEW: frozenset(_READERS),
        ADD: frozenset({_R.PERF_SECTION}),
        CHANGE: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset(_READERS),
    },
    # 运行监控 (monitoring): rounds, the two tables, execution data, focused monitoring, measures, report.
    "monitoring.monitoringround": {
        VIEW: frozenset(_READERS), ADD: frozenset({_R.PERF_SECTION}), EXPORT: frozenset(_READERS),
    },
    "monitoring.monitoringform": {
        VIEW: frozenset(_READERS | {_R.AGENCY}),
        CHANGE: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
        "review": frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),  # paper receipt, corrective actions
        EXPORT: frozenset(_READERS),
    },
    "monitoring.executionrecord": {VIEW: frozenset(_READERS), EXPORT: frozenset(_READERS)},
    "monitoring.executionimport": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}), IMPORT: frozenset({_R.PERF_SECTION}),
    },
    "monitoring.dashboard": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER, _R.NPC_READER, _R.AUDIT_READER}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER, _R.NPC_READER, _R.AUDIT_READER}),
    },
    "monitoring.focusrule": {VIEW: frozenset({_R.PERF_SECTION}), CHANGE: frozenset({_R.PERF_SECTION})},
    "monitoring.focusitem": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AGENCY, _R.NPC_READER, _R.AUDIT_READER}),
        ADD: frozenset({_R.PERF_SECTION}),
        "record": frozenset({_R.AGENCY}),  # on-site findings, only on items assigned to the agency
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AGENCY, _R.NPC_READER, _R.AUDIT_READER}),
    },
    "monitoring.engagement": {VIEW: frozenset({_R.PERF_SECTION}), ADD: frozenset({_R.PERF_SECTION})},
    "monitoring.reportjob": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.NPC_READER}), ADD: frozenset({_R.PERF_SECTION}),
    },
    "deadlines.calendarentry": {
        VIEW: frozenset(_READERS | {_R.AGENCY, _R.EXPERT}),
        ADD: frozenset({_R.PERF_SECTION}),  # 开启下一年度: the next plan year's calendar
        CHANGE: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset(_READERS | {_R.AGENCY, _R.EXPERT}),
    },
    # 绩效评价 (jixiao/evaluation): agencies see what is sampled for or engaged with them (assigned_to).
    "evaluation.selfevaluation": {
        VIEW: frozenset(_READERS | {_R.AGENCY}),
        ADD: frozenset({_R.PERF_SECTION}),  # issue the year's self-evaluation tasks
        CHANGE: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
        EXPORT: frozenset(_READERS | {_R.AGENCY}),
        IMPORT: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
    },
    "evaluation.deadlinereport": {VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK})},
    "evaluation.recheckround": {
        VIEW: frozenset({_R.PERF_SECTION, _R.AGENCY, _R.AUDIT_READER}),
        ADD: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.AUDIT_READER}),
    },
    "evaluation.recheck": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER, _R.UNIT_FILLER, _R.AGENCY, _R.AUDIT_READER}),
        CHANGE: frozenset({_R.AGENCY}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AGENCY, _R.AUDIT_READER}),
    },
    "evaluation.keyevaluation": {
        VIEW: frozenset(_READERS | {_R.AGENCY, _R.EXPERT}),
        ADD: frozenset({_R.PERF_SECTION, _R.UNIT_APPROVER}),
        CHANGE: frozenset({_R.PERF_SECTION, _R.UNIT_APPROVER, _R.UNIT_FILLER, _R.AGENCY, _R.EXPERT}),
        # 保存我的评分: further limited to the engaged agency's staff and experts (services.rater_ids);
        # a unit's approver scores only the department's own evaluation done without an agency.
        "score": frozenset({_R.AGENCY, _R.EXPERT, _R.UNIT_APPROVER}),
        EXPORT: frozenset(_READERS | {_R.AGENCY, _R.EXPERT}),
    },
    # Tables received as files (issue 18): agencies see their agency's, 人大 readers their own uploads.
    "evaluation.tableupload": {
        VIEW: frozenset({_R.PERF_SECTION, _R.AGENCY, _R.NPC_READER, _R.AUDIT_READER}),
        ADD: frozenset({_R.PERF_SECTION, _R.AGENCY, _R.NPC_READER}),
    },
    "evaluation.agency": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AUDIT_READER}),
        ADD: frozenset({_R.PERF_SECTION}),
        CHANGE: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AUDIT_READER}),
    },
    "evaluation.expert": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AUDIT_READER}),
        ADD: frozenset({_R.PERF_SECTION}),
        CHANGE: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AUDIT_READER}),
    },
    "evaluation.evaluationyear": {
        VIEW: frozenset({_R.PERF_SECTION}),
        CHANGE: frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset({_R.PERF_SECTION}),
    },
    "evaluation.summary": {VIEW: frozenset({_R.PERF_SECTION, _R.NPC_READER, _R.AUDIT_READER})},
    # Word templates of the reports (jixiao.reports): the performance section edits them.
    "reports.reporttemplate": {VIEW: frozenset({_R.PERF_SECTION}), CHANGE: frozenset({_R.PERF_SECTION})},
    # 考核 (jixiao/assessment): the 考核办法 is read by all it concerns; units self-assess, the
    # performance section reviews, ranks, publicises and finalises; external readers see final sheets.
    "assessment.assessmentscheme": {
        VIEW: frozenset(_READERS),
        CHANGE: frozenset({_R.PERF_SECTION}),
    },
    # 财审联动 (jixiao/auditlink): the work plan agreed by finance and audit; the audit bureau's data packages.
    # Its findings are items of the rectification register (``rectification.rectification`` "audit").
    "auditlink.auditworkplan": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.AUDIT_READER, _R.NPC_READER}),
        CHANGE: frozenset({_R.PERF_SECTION, _R.AUDIT_READER}),
        IMPORT: frozenset({_R.PERF_SECTION, _R.AUDIT_READER}),
    },
    "auditlink.datapackage": {EXPORT: frozenset({_R.AUDIT_READER, _R.PERF_SECTION})},
    "assessment.unitassessment": {
        VIEW: frozenset(_READERS),
        CHANGE: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),
        "review": frozenset({_R.PERF_SECTION}),
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER, _R.NPC_READER, _R.AUDIT_READER}),
    },
    # 信息公开 (jixiao/disclosure): the public portal /gongkai/ needs no login; these are the internal pages.
    "disclosure.publication": {
        VIEW: frozenset(_READERS),
        CHANGE: frozenset({_R.PERF_SECTION, _R.UNIT_APPROVER, _R.UNIT_FILLER}),  # where else it was published
        "correct": frozenset({_R.PERF_SECTION}),  # 更正: a new version with its 更正说明
        "withdraw": frozenset({_R.PERF_SECTION}),  # 撤回 with a reason, a public notice stays
        EXPORT: frozenset({_R.PERF_SECTION}),  # the static site for the 区政府 portal
    },
    "disclosure.portaljob": {VIEW: frozenset({_R.PERF_SECTION}), ADD: frozenset({_R.PERF_SECTION})},
    "disclosure.tracking": {VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK})},  # who has not published
    # 整改台账 (jixiao/rectification): one register of every finding a unit must act on.
    "rectification.rectification": {
        VIEW: frozenset(_READERS | {_R.AGENCY}),
        # Findings of a report (a unit's own 部门评价 too: its approver raises them for its units).
        ADD: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.UNIT_APPROVER}),
        # Findings of finance's own supervision: 纠偏措施 on a monitoring form, re-check findings.
        "supervise": frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),
        # Audit findings (财审联动), registered or imported from Excel; the audit bureau then verifies and closes
        # them like finance (rectification/workflows.py), every other source it only reads.
        "audit": frozenset({_R.AUDIT_READER, _R.PERF_SECTION}),
        CHANGE: frozenset({_R.UNIT_FILLER, _R.UNIT_APPROVER}),  # the answer, evidence, the target adjustment
        EXPORT: frozenset(_READERS | {_R.AGENCY}),
    },
    # 结果应用 (jixiao/application): the board for the N+1 budget, its rule set, each line's proposal.
    "application.board": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.NPC_READER, _R.AUDIT_READER}),
        ADD: frozenset({_R.PERF_SECTION}),  # (re)build the proposals; finalising is the workflow's
        EXPORT: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK, _R.NPC_READER, _R.AUDIT_READER}),
    },
    "application.proposal": {
        VIEW: frozenset(_READERS),
        "decide": frozenset({_R.BUDGET_DESK}),  # accept or change, in the desk's sectors
        "override": frozenset({_R.PERF_SECTION}),  # approve an N+1 target despite overdue rectification
        EXPORT: frozenset(_READERS),
    },
    "application.applicationruleset": {
        VIEW: frozenset({_R.PERF_SECTION, _R.BUDGET_DESK}),
        CHANGE: frozenset({_R.PERF_SECTION}),
    },
}


def can(role: str, model_label: str, action: str) -> bool:
    return role in PERMISSIONS.get(model_label, {}).get(action, frozenset())
