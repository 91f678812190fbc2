"""Demo 财审联动: the plan year's work plan with audit-plan items (two suggested as key-evaluation
topics) and audit findings registered by the audit bureau on the rectification register (source 审计)
in every state of its workflow — 待整改 (one past its deadline), 待财政核验, 退回重新整改, 已升级督办,
已销号 (one closed late, by audit and by finance), 已撤销 — so the register, the assessment's deductions and
rectification item, and the result-application board show them."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.auditlink.models import AuditPlanItem, AuditWorkPlan
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rectification.models import Rectification
from jixiao.rectification.services import from_audit, save_feedback
from jixiao.workflow.engine import perform_transition

PROBLEMS = (
    ("项目资金结转两年以上未使用", "收回统筹或盘活使用", 1_200_000_00),
    ("绩效目标未细化量化，无法衡量产出", "按指标库细化量化绩效指标", None),
    ("监控表执行数与国库支付数据不一致", "核实并更正执行数据", None),
    ("政府采购未按合同验收即支付尾款", "完善验收程序，追回多付款项", 86_000_00),
    ("自评报告结果应用内容空泛", "在内部资金分配中应用评价结果", None),
    ("专项资金未按规定用途使用", "调整账务，归还原资金渠道", 350_000_00),
    ("项目绩效自评未覆盖全部二级项目", "补充开展绩效自评并公开", None),
    ("以前年度审计整改承诺未兑现", "限期落实整改并报送整改报告", None),
)
#: (state on the register, overdue) of each demo finding; the transitions that lead there follow in load_auditlink.
STATES = (("issued", False), ("issued", True), ("answered", False), ("returned", False), ("closed", False),
          ("closed_late", True), ("escalated", True), ("cancelled", False))


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
    answering = list(BudgetUnit.objects.filter(parent__isnull=True, pk__in=approvers).order_by("code"))
    units = answering + list(BudgetUnit.objects.filter(parent__isnull=True).exclude(pk__in=approvers).order_by("code")[:3])
    if not answering:
        return 0
    today = timezone.localdate()
    count = 0
    for n, (state, overdue) in enumerate(STATES):
        answered = state in ("answered", "returned", "closed", "closed_late")
        unit = answering[n % len(answering)] if answered else units[n % len(units)]
        title, requirement, amount = PROBLEMS[n]
        deadline = today - timedelta(days=40 if state == "closed_late" else 12) if overdue else today + timedelta(days=30 + n)
        found_on = min(date(plan_year, 4, 10 + n), deadline - timedelta(days=60))
        item = from_audit(auditor, year=plan_year, unit=unit, problem=title, requirement=requirement, found_on=found_on,
                          deadline=deadline, amount_fen=amount)
        count += 1
        actor = approvers[unit.pk] if answered else None
        if actor is not None:
            save_feedback(item, actor, item.lock_version, "已按要求完成整改，附相关凭证。")
            perform_transition(Rectification.objects.get(pk=item.pk), "answer", actor)
            if state == "returned":
                perform_transition(Rectification.objects.get(pk=item.pk), "return", auditor, comment="佐证材料不足，请补充整改凭证。")
            elif state != "answered":
                perform_transition(Rectification.objects.get(pk=item.pk), "accept", auditor if n % 2 else perf,
                                   comment="整改到位，予以销号。")
                if state == "closed_late":
                    Rectification.objects.filter(pk=item.pk).update(closed_at=_aware(deadline + timedelta(days=20)))
        elif state == "escalated":
            perform_transition(item, "escalate", perf, comment="逾期未整改，报区政府督办。")
        elif state == "cancelled":
            perform_transition(item, "cancel", auditor, comment="与已登记问题重复，登记有误。")
    return count
