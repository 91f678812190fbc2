"""Workflows declared as data (Hypha's pattern) and the one service that moves documents.

A document type registers a :class:`Workflow`: its states, which roles may edit it in each
state, what must hold of a document in each state (its invariants), and its transitions (from,
to, roles, whether a comment is required). State changes happen only through
:func:`perform_transition`, which refuses to move a document into a state whose invariants fail
(unless the transition is an explicit override that records its reason); edits only through
:func:`save_document`. Both lock the row, refuse stale versions, and write the review log and history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from jixiao.core.locking import StaleEdit, lock_row, save_with_lock
from jixiao.core.types import with_reason

if TYPE_CHECKING:
    from jixiao.accounts.models import User

__all__ = ["StaleEdit", "Transition", "Workflow", "WorkflowError", "invariant_problems", "perform_transition",
           "save_document"]

#: What must hold of a document in a state: returns a Chinese description of what is missing, or None.
Invariant = Callable[[Any], str | None]


class WorkflowError(Exception):
    """A refused state change or edit; ``str(exc)`` is a Chinese message for the user."""


@dataclass(frozen=True)
class State:
    code: str
    label: str
    editable_by: frozenset[str] = frozenset()
    final: bool = False
    #: Checked by the engine before any transition into this state (e.g. 已委托 → an agency).
    invariants: tuple[Invariant, ...] = ()


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    comment_required: bool = False
    #: Extra data the transition records (e.g. a review grade) must be one of these values.
    grades: tuple[str, ...] = ()
    style: str = "primary"
    #: Done inside the transition's transaction after the state changes: (document, user, comment, grade).
    effect: Callable[[Any, Any, str, str], None] | None = None
    #: Asks the user to confirm before the button acts (rendered as data-confirm).
    confirm: str = ""
    #: What the comment box asks for, when it is not an opinion (e.g. 人大's 审定文号).
    comment_label: str = "意见"
    #: Taken only through its own form and service (e.g. 确认委托 with an agency from the registry),
    #: never as a bare button.
    form_only: bool = False
    #: An explicit override: the target state's invariants may be unmet; the reason (comment) is required.
    overrides_invariants: bool = False
    #: A date the transition records, entered beside the comment (defaults to today), e.g. 人大's 审定日期.
    date_label: str = ""
    #: Its effect records what the target state requires from what the user enters (e.g. 人大's 文号):
    #: the button is shown, and the invariants are checked after the effect as for every transition.
    fulfils_invariants: bool = False


@dataclass(frozen=True)
class Workflow:
    name: str
    label: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    #: Optional guard: (document, transition, user) -> error message or None.
    guards: tuple[Callable[[Any, Transition, Any], str | None], ...] = field(default=())

    def state(self, code: str) -> State:
        for state in self.states:
            if state.code == code:
                return state
        raise KeyError(code)

    def state_label(self, code: str) -> str:
        return self.state(code).label

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise WorkflowError(f"流程「{self.label}」没有「{name}」这一操作。")

    def choices(self) -> list[tuple[str, str]]:
        return [(s.code, s.label) for s in self.states]

    def validate(self) -> None:
        codes = {s.code for s in self.states}
        if self.initial not in codes:
            raise ValueError(f"{self.name}: initial state {self.initial} undeclared")
        for t in self.transitions:
            unknown = (set(t.sources) | {t.target}) - codes
            if unknown:
                raise ValueError(f"{self.name}.{t.name}: undeclared states {sorted(unknown)}")
            if t.overrides_invariants and not t.comment_required:
                raise ValueError(f"{self.name}.{t.name}: an override must require its reason")


REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    workflow.validate()
    REGISTRY[workflow.name] = workflow
    return workflow


class WorkflowDocument(models.Model):
    """Abstract base of every document that moves through a workflow."""

    workflow_name: str = ""

    state = models.CharField("状态", max_length=30, db_index=True)
    lock_version = models.PositiveIntegerField("版本号", default=0, editable=False)
    state_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def workflow(cls) -> Workflow:
        return REGISTRY[cls.workflow_name]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.state:
            self.state = self.workflow().initial
        super().save(*args, **kwargs)

    @property
    def state_label(self) -> str:
        return self.workflow().state_label(self.state)

    def document_changed(self) -> None:
        """Called in the transaction that saved a transition or an edit (figures kept from documents)."""

    def owner_unit_id(self) -> int | None:
        unit_field = getattr(self, "scope_unit_field", "unit")
        return getattr(self, f"{unit_field}_id", None) if unit_field else None


def _in_scope(document: WorkflowDocument, user: User) -> bool:
    return type(document)._default_manager.for_user(user).filter(pk=document.pk).exists()  # type: ignore[attr-defined]


def invariant_problems(document: WorkflowDocument, state: str) -> list[str]:
    """What ``document`` lacks to be in ``state`` (empty when every invariant of the state holds)."""
    checks = document.workflow().state(state).invariants
    return [problem for check in checks if (problem := check(document))]


def _invariant_error(wf: Workflow, transition: Transition, problems: list[str]) -> str:
    return f"不能{transition.label}：进入「{wf.state_label(transition.target)}」前须满足——" + "；".join(problems) + "。"


def available_transitions(document: WorkflowDocument, user: User) -> list[Transition]:
    """Transitions this user may take now as buttons (only these are rendered: no dead buttons)."""
    wf = document.workflow()
    candidates = [t for t in wf.transitions
                  if document.state in t.sources and user.role in t.roles and not t.form_only]
    if not candidates or not _in_scope(document, user):
        return []
    return [t for t in candidates if not any(g(document, t, user) for g in wf.guards)
            and (t.overrides_invariants or t.fulfils_invariants or not invariant_problems(document, t.target))]


def can_edit(document: WorkflowDocument, user: User, in_scope: bool = False) -> bool:
    """``in_scope``: the caller read ``document`` through ``for_user(user)`` already (no second query)."""
    state = document.workflow().state(document.state)
    return user.role in state.editable_by and (in_scope or _in_scope(document, user))


def perform_transition(
    document: WorkflowDocument,
    name: str,
    user: User,
    comment: str = "",
    expected_version: int | None = None,
    grade: str = "",
    via_form: bool = False,
) -> WorkflowDocument:
    """Move ``document`` along transition ``name``; log and notify. Raises WorkflowError.

    The document must satisfy the target state's invariants after the transition's effect, unless
    the transition is an override (its reason is then the required comment). ``via_form`` is set
    by the service that owns a form-only transition."""
    from django.utils import timezone

    from jixiao.workflow.models import Notification, ReviewLog

    wf = document.workflow()
    transition = wf.transition(name)
    comment = (comment or "").strip()
    with transaction.atomic():
        current = lock_row(document, expected_version)
        if current.state not in transition.sources:
            raise WorkflowError(
                f"当前状态为「{wf.state_label(current.state)}」，不能执行「{transition.label}」。"
            )
        if user.role not in transition.roles or not _in_scope(current, user):
            raise WorkflowError(f"您没有权限执行「{transition.label}」。")
        if transition.form_only and not via_form:
            raise WorkflowError(f"「{transition.label}」须在页面上的表单中办理。")
        for guard in wf.guards:
            problem = guard(current, transition, user)
            if problem:
                raise WorkflowError(problem)
        if transition.comment_required and not comment:
            raise WorkflowError(f"「{transition.label}」必须填写意见（原因）。")
        if transition.grades and grade not in transition.grades:
            raise WorkflowError(f"「{transition.label}」必须选择审核等级：{'、'.join(transition.grades)}。")
        from_state = current.state
        current.state = transition.target
        current.lock_version += 1
        current.state_changed_at = timezone.now()
        with_reason(current, f"{transition.label}：{comment}" if comment else transition.label)
        if transition.effect:
            transition.effect(current, user, comment, grade)
        problems = [] if transition.overrides_invariants else invariant_problems(current, transition.target)
        if problems:
            raise WorkflowError(_invariant_error(wf, transition, problems))
        current.save()
        current.document_changed()
        ReviewLog.record(current, user, transition, from_state, comment, grade)
        Notification.for_transition(current, user, transition, comment)
    document.refresh_from_db()
    return current


def save_document(
    document: WorkflowDocument,
    user: User,
    expected_version: int,
    after_save: Callable[[WorkflowDocument], None] | None = None,
) -> WorkflowDocument:
    """Save an edited document: refused when stale, or when its state is not editable by ``user``."""

    def check(current: WorkflowDocument) -> None:
        if not can_edit(current, user):
            raise WorkflowError(f"当前状态为「{current.state_label}」，您不能修改该表单。")
        document.state = current.state

    def saved(saved: WorkflowDocument) -> None:
        if after_save:
            after_save(saved)
        saved.document_changed()

    return save_with_lock(document, expected_version, check=check, after_save=saved)
