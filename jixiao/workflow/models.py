from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from jixiao.accounts.models import User
    from jixiao.workflow.engine import Transition


class ReviewLog(models.Model):
    """Who moved which document from which state to which, when, with what comment (审核意见)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    document = GenericForeignKey("content_type", "object_id")
    transition = models.CharField("操作", max_length=40)
    transition_label = models.CharField("操作名称", max_length=40)
    from_state = models.CharField("原状态", max_length=30)
    to_state = models.CharField("新状态", max_length=30)
    from_label = models.CharField("原状态名称", max_length=40)
    to_label = models.CharField("新状态名称", max_length=40)
    actor = models.ForeignKey("accounts.User", verbose_name="操作人", on_delete=models.PROTECT)
    actor_role = models.CharField("操作时角色", max_length=20)
    at = models.DateTimeField("时间", default=timezone.now)
    comment = models.TextField("意见", blank=True)
    grade = models.CharField("审核等级", max_length=4, blank=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.transition_label}（{self.from_label} → {self.to_label}）"

    @classmethod
    def record(cls, document: Any, user: User, transition: Transition, from_state: str, comment: str, grade: str) -> ReviewLog:
        wf = document.workflow()
        return cls.objects.create(
            content_type=ContentType.objects.get_for_model(document),
            object_id=document.pk,
            transition=transition.name,
            transition_label=transition.label,
            from_state=from_state,
            to_state=transition.target,
            from_label=wf.state_label(from_state),
            to_label=wf.state_label(transition.target),
            actor=user,
            actor_role=user.role,
            comment=comment,
            grade=grade,
        )

    @classmethod
    def for_document(cls, document: Any) -> models.QuerySet[ReviewLog]:
        ct = ContentType.objects.get_for_model(document)
        return cls.objects.filter(content_type=ct, object_id=document.pk).select_related("actor")


class Notification(models.Model):
    """站内信: the in-system notice every state change sends to the people who act next."""

    recipient = models.ForeignKey("accounts.User", verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def for_transition(cls, document: Any, actor: User, transition: Transition, comment: str) -> None:
        """Notify the owner unit's users and everyone who may act on the document next."""
        from jixiao.accounts.models import User
        from jixiao.workflow.engine import available_transitions, can_edit

        wf = document.workflow()
        next_roles = set(wf.state(document.state).editable_by)
        for t in wf.transitions:
            if document.state in t.sources:
                next_roles |= t.roles
        unit_id = document.owner_unit_id()
        candidates = (
            User.objects.filter(is_active=True)
            .filter(models.Q(unit_id=unit_id) | models.Q(role__in=next_roles))
            .exclude(pk=actor.pk)
            .select_related("unit")
        )
        # The owner unit hears of a decision on its document (a result, a grade, a final state);
        # a step between other people (e.g. finance recording the 人大's approval) goes only to
        # whoever may act next.
        tells_unit = bool(transition.grades) or wf.state(document.state).final
        recipients = [
            u for u in candidates
            if (u.unit_id == unit_id and tells_unit) or available_transitions(document, u) or can_edit(document, u)
        ]
        title = f"{document}：{transition.label}（{document.state_label}）"
        link = document.get_absolute_url() if hasattr(document, "get_absolute_url") else ""
        Notification.objects.bulk_create(
            [Notification(recipient=u, title=title[:200], body=comment, link=link) for u in recipients]
        )
