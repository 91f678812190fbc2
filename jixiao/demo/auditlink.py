"""Demo 财审联动: the plan year's work plan with audit-plan items (two suggested as key-evaluation
topics) and audit findings in every state (待整改, 已反馈, 已销号, 已撤销), one closed late and one
still open past its deadline, so the assessment's deductions and rectification item show them."""

from __future__ import annotations

import random
from datetime import date, datetime

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.auditlink.models import AuditFinding, AuditPlanItem, AuditWorkPlan
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.workflow.engine import perform_transition

PROBLEMS = (
    ("项目资金结转两年以上未使用", "收回统筹或盘活使用", 1_200_000_00),
    ("绩效目标未细化量化，无法衡量产出", "按指标库细化量化绩效指标", None),
    ("监控表执行数与国库支付数据不一致", "核实并更正执行数据", None),
    ("政府采购未按合同验收即支付尾款", "完善验收程序，追回多付款项", 86_000_00),
    ("自评报告结果应用内容空泛", "在内部资金分配中应用评价结果", None),
    ("专项资金未按规定用途使用", "调整账务，归还原资金渠道", 350_000_00),
)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def load_auditlink(rng: random.Random, plan_year: int) -> int:
    auditor = User.objects.filter(role="audit_reader").order_by("pk").first()
    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if auditor is None or perf is None:
        return 0
    plan = AuditWorkPlan.objects.create(
        year=plan_year, title=f"{plan_year}年度财审联动工作方案",
        topics="指标共商：审计局参与重点评价指标体系论证\n信息共享：重点评价清单与审计项目计划互相衔接\n"
               "成果共用：审计发现的财政管理问题移交财政局用于预算安排和绩效考核\n整改共抓：双方共同督促问题整改销号",
        finance_owner="区财政局预算绩效管理股", audit_owner="区审计局财政审计股", agreed_on=date(plan_year, 2, 26),
        notes=f"与{plan_year}年度同级审计同步实施。")
    projects = list(Project.objects.filter(year=plan_year).select_related("unit").order_by("-adjusted_budget_fen")[:4])
    for n, p in enumerate(projects):
        AuditPlanItem.objects.create(
            plan=plan, title=f"{p.unit.name}{p.name}专项审计调查", unit=p.unit.root or p.unit, project=p, owner="财政审计股",
            starts_on=date(plan_year, 3 + n, 1), ends_on=date(plan_year, 5 + n, 30), suggest_key_evaluation=n < 2,
            reason="资金量大、社会关注度高" if n < 2 else "")
    approvers = {u.unit.root_id: u for u in User.objects.filter(role="unit_approver", unit__isnull=False).select_related("unit")}
    units = [u for u in BudgetUnit.objects.filter(parent__isnull=True, pk__in=approvers).order_by("code")]
    units += list(BudgetUnit.objects.filter(parent__isnull=True).exclude(pk__in=approvers).order_by("code")[:3])
    states = ("open", "open_overdue", "answered", "closed", "closed_late", "withdrawn")
    count = 0
    for n, state in enumerate(states):
        unit = units[n % len(units)]
        title, requirement, amount = PROBLEMS[n]
        deadline = date(plan_year, 6, 30) if state in ("open_overdue", "closed_late") else date(plan_year, 12, 31)
        f = AuditFinding.objects.create(year=plan_year, unit=unit, title=title, requirement=requirement,
                                        amount_fen=amount, found_on=date(plan_year, 4, 10 + n), deadline=deadline,
                                        created_by=auditor)
        count += 1
        actor = approvers.get(unit.pk)
        if state in ("answered", "closed", "closed_late") and actor is not None:
            perform_transition(f, "answer", actor, comment="已按要求完成整改，附相关凭证。")
            if state != "answered":
                perform_transition(AuditFinding.objects.get(pk=f.pk), "close", auditor if n % 2 else perf)
                closed = date(plan_year, 7, 20) if state == "closed_late" else date(plan_year, 6, 1)
                AuditFinding.objects.filter(pk=f.pk).update(closed_at=_aware(closed))
        elif state == "withdrawn":
            perform_transition(f, "withdraw", auditor, comment="与已登记问题重复")
    return count
