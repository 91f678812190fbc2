"""Review-log rows for demo documents created directly in a state: the path of transitions that
leads there, each with a plausible actor, date and comment, as the workflow would have written them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType

from jixiao.workflow.engine import Workflow
from jixiao.workflow.models import ReviewLog


def review_logs(
    workflow: Workflow,
    document: Any,
    path: Sequence[str],
    actor_for: Callable[[str], Any],
    when: datetime,
    comments: Mapping[str, str] | None = None,
    grade: str = "",
    days_between: int = 3,
) -> list[ReviewLog]:
    """Unsaved ReviewLog rows for ``path`` (bulk-create them); steps without an actor are skipped."""
    content_type = ContentType.objects.get_for_model(document)
    comments = comments or {}
    logs: list[ReviewLog] = []
    state = workflow.initial
    for step, name in enumerate(path):
        t = workflow.transition(name)
        actor = actor_for(name)
        if actor is not None:
            logs.append(ReviewLog(
                content_type=content_type, object_id=document.pk, transition=name, transition_label=t.label,
                from_state=state, to_state=t.target, from_label=workflow.state_label(state),
                to_label=workflow.state_label(t.target), actor=actor, actor_role=actor.role,
                comment=comments.get(name, ""), grade=grade if t.grades else "",
                at=when + timedelta(days=days_between * step),
            ))
        state = t.target
    return logs
