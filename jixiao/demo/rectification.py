"""Demo items of the rectification register, in every state of its workflow, with the review log
that path would have written; some past their deadline (the overdue list)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.demo.reviewlog import review_logs
from jixiao.rectification.models import Rectification
from jixiao.rectification.workflows import RECTIFICATION_WORKFLOW
from jixiao.workflow.models import ReviewLog

PATHS: dict[str, tuple[str, ...]] = {
    "issued": (),
    "answered": ("answer",),
    "returned": ("answer", "return"),
    "escalated": ("escalate",),
    "closed": ("answer", "accept"),
    "cancelled": ("cancel",),
}
COMMENTS = {"return": "佐证材料不足，请补充整改前后对比材料。", "escalate": "逾期未整改，报区政府督办。",
            "cancel": "项目已终止实施，措施撤销。", "accept": "整改到位，予以销号。"}


def add_items(perf: User, specs: list[dict[str, Any]]) -> list[Rectification]:
    """Create register items from ``specs`` (model fields incl. ``state``); deadlines, answers and logs follow the state."""
    now = timezone.now()
    today = timezone.localdate()
    fillers = {u.unit_id: u for u in User.objects.filter(role="unit_filler", is_active=True).order_by("pk")}
    items = []
    for n, spec in enumerate(specs):
        state = spec["state"]
        overdue = state == "escalated" or (state in ("issued", "returned") and n % 2 == 0)
        item = Rectification(**spec, created_by=perf, created_at=now - timedelta(days=40),
                             deadline=today - timedelta(days=12) if overdue else today + timedelta(days=30 + n),
                             state_changed_at=now - timedelta(days=5) if state != "issued" else None)
        if "answer" in PATHS[state]:
            item.feedback = "已制定整改方案并落实，附整改报告及凭证。"
            item.answered_at = now - timedelta(days=8)
        if state in ("returned", "escalated", "closed"):
            item.verification = COMMENTS["return" if state == "returned" else "escalate" if state == "escalated" else "accept"]
        item.escalated_at = now - timedelta(days=5) if state == "escalated" else None
        item.closed_at = now - timedelta(days=5) if state == "closed" else None
        items.append(item)
    Rectification.objects.bulk_create(items)
    logs = []
    for item in items:
        filler = fillers.get(item.unit_id)
        logs += review_logs(RECTIFICATION_WORKFLOW, item, PATHS[item.state],
                            lambda name, filler=filler: filler if name == "answer" else perf,  # type: ignore[misc]
                            now - timedelta(days=20), COMMENTS)
    ReviewLog.objects.bulk_create(logs)
    return items
