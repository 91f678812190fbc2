"""Demo publications (信息公开) in every state: every published target, self-evaluation and key
evaluation of the demo as a frozen first version; a corrected self-evaluation and an adjusted
target (second versions with their 更正说明); a withdrawn one with its notice; postings on the
departments' own sites. 涉密 units' and projects' records are never published."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.disclosure.models import ExternalSite, Publication
from jixiao.disclosure.services import correct, publish_record, record_posting, withdraw
from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
from jixiao.targets.models import TargetDeclaration, TargetIndicator
from jixiao.workflow.engine import perform_transition

CLASSIFIED = Q(unit__is_classified=True) | Q(project__is_classified=True)


def load_publications(rng: random.Random, plan_year: int) -> int:
    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if perf is None:
        return 0
    # A 涉密 record is never published: the demo's mix leaves those approved.
    TargetDeclaration.objects.filter(CLASSIFIED, state="published").update(state="approved", published_at=None)
    start = timezone.now() - timedelta(days=200)
    records: list[Any] = [
        *TargetDeclaration.objects.filter(state="published").select_related("unit", "project")
        .prefetch_related("indicators", "main_tasks").order_by("year", "pk"),
        *SelfEvaluation.objects.filter(state="published").select_related("unit", "project")
        .prefetch_related("indicators").order_by("pk"),
    ]
    for record in records:
        when = record.published_at or start + timedelta(days=rng.randint(0, 60))
        publish_record(record, perf, when=when)
    TargetDeclaration.objects.bulk_update([r for r in records if isinstance(r, TargetDeclaration)],
                                          ["public_snapshot", "snapshot_hash", "published_at"], batch_size=500)
    SelfEvaluation.objects.bulk_update([r for r in records if isinstance(r, SelfEvaluation)],
                                       ["public_snapshot", "snapshot_hash", "published_at"], batch_size=500)
    for ke in KeyEvaluation.objects.filter(state="reported").exclude(CLASSIFIED).order_by("pk"):
        perform_transition(ke, "publish", perf, comment="")
    _corrections(perf, plan_year)
    _postings(rng, perf)
    return Publication.objects.count()


def _corrections(perf: User, plan_year: int) -> None:
    """A corrected self-evaluation report, an adjusted published target, a withdrawn item."""
    se_pubs = list(Publication.objects.filter(kind="selfeval").order_by("pk")[:2])
    if se_pubs:
        se = SelfEvaluation.objects.get(pk=se_pubs[0].current().source_pk)
        se.report_problems += "（更正：补充说明个别指标未完成的原因为项目验收延后。）"
        se.save()
        correct(se_pubs[0], perf, "补充个别指标未完成的原因说明。")
    target = (TargetDeclaration.objects.filter(state="published", year=plan_year, kind="project", adjusted_by__isnull=True)
              .exclude(CLASSIFIED).order_by("pk").first())
    if target is not None:
        v2 = TargetDeclaration.objects.create(
            kind=target.kind, year=target.year, unit=target.unit, sector=target.sector, project=target.project,
            version=2, supersedes=target, adjustment_reason="受项目实施条件变化影响，按程序调整产出数量指标。",
            state="approved", is_current=True, annual_goal=target.annual_goal, long_term_goal=target.long_term_goal,
            fiscal_fen=target.fiscal_fen, other_fen=target.other_fen, review_grade="良", approved_at=timezone.now())
        rows = list(target.indicators.all())
        for row in rows:
            row.pk, row.declaration = None, v2
            if row.level2 == "数量指标" and row.value.isdigit():
                row.value = str(max(1, int(row.value) * 8 // 10))
        TargetIndicator.objects.bulk_create(rows)
        TargetDeclaration.objects.filter(pk=target.pk).update(state="superseded", is_current=False)
        perform_transition(v2, "publish", perf)
    if len(se_pubs) > 1:
        withdraw(se_pubs[1], perf, "自评报告所附数据与决算数不一致，待单位核实后重新公开。")


def _postings(rng: random.Random, perf: User) -> None:
    """Most items were also published on the department's own site or the finance column."""
    for pub in Publication.objects.filter(withdrawn_at__isnull=True).select_related("unit").order_by("pk"):
        if rng.random() < 0.6:
            site = ExternalSite.DEPARTMENT if rng.random() < 0.7 else ExternalSite.FINANCE
            host = "czj.yxq.gov.cn" if site == ExternalSite.FINANCE else f"www.yxq.gov.cn/{pub.unit.code}"
            record_posting(pub, perf, site, f"https://{host}/zfxxgk/yjsgk/{pub.pk}.html",
                           (pub.first_published_at + timedelta(days=rng.randint(0, 10))).date())


def load_packages(plan_year: int) -> int:
    """报告包: the plan year's three packages generated (as the worker builds them), and one refused —
    next year's monitoring report, before any monitoring round — with its reason."""
    from jixiao.disclosure.jobs import BUILDERS
    from jixiao.disclosure.models import PortalJob
    from jixiao.disclosure.packages import PACKAGES, PackageError

    perf = User.objects.filter(role="perf_section").order_by("pk").first()
    if perf is None:
        return 0
    for package in PACKAGES:
        job = PortalJob.objects.create(kind=package.kind, year=plan_year, requested_by=perf, message="排队等待生成")
        try:
            content, name = BUILDERS[package.kind][0](job, lambda percent, message: None)
        except PackageError as exc:
            PortalJob.objects.filter(pk=job.pk).update(status="failed", message=str(exc)[:200], finished_at=timezone.now())
            continue
        PortalJob.objects.filter(pk=job.pk).update(status="done", percent=100, message="已完成", content=content,
                                                   file_name=name, finished_at=timezone.now())
    job = PortalJob.objects.create(kind="package_monitoring", year=plan_year + 1, requested_by=perf)
    PortalJob.objects.filter(pk=job.pk).update(
        status="failed", finished_at=timezone.now(),
        message=f"{plan_year + 1}年度尚未开展绩效运行监控，无法生成1-9月预算绩效运行监控情况报告。")
    return PortalJob.objects.filter(kind__in=[p.kind for p in PACKAGES]).count()
