"""Every registered workflow: each state declares what must hold in it, the engine refuses a
transition into a state whose invariants fail, and no non-final state is a dead end."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction

from jixiao.workflow.engine import (
    REGISTRY,
    Workflow,
    WorkflowDocument,
    WorkflowError,
    invariant_problems,
    perform_transition,
)


class Rollback(Exception):
    pass


def model_of(workflow: Workflow) -> type[models.Model]:
    found = [m for m in apps.get_models() if issubclass(m, WorkflowDocument) and m.workflow_name == workflow.name]
    assert found, f"no model uses the workflow {workflow.name}"
    return found[0]


def reachable(workflow: Workflow) -> set[str]:
    seen, todo = {workflow.initial}, [workflow.initial]
    while todo:
        here = todo.pop()
        for t in workflow.transitions:
            if here in t.sources and t.target not in seen:
                seen.add(t.target)
                todo.append(t.target)
    return seen


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_no_state_is_a_dead_end(name: str) -> None:
    """Every non-final state has a way out that some role can take (a button, or its form's button);
    every state can be reached."""
    wf = REGISTRY[name]
    for state in wf.states:
        if state.final:
            continue
        ways_out = [t for t in wf.transitions if state.code in t.sources and t.roles]
        assert ways_out, f"{name}: nobody can leave 「{state.label}」"
    # every state is reached by a transition, or (已被调整版本替代) by the effect of approving a new version
    assert reachable(wf) | {"superseded"} >= {s.code for s in wf.states}, f"{name}: unreachable states"
    for t in wf.transitions:
        if t.overrides_invariants:
            assert t.comment_required, f"{name}.{t.name}: an override must ask for its reason"


def test_the_key_workflows_declare_their_invariants() -> None:
    states = {(wf.name, s.code): s for wf in REGISTRY.values() for s in wf.states}
    assert states[("key_evaluation", "engaged")].invariants
    assert states[("key_evaluation", "fieldwork")].invariants
    assert states[("rectification", "closed")].invariants


@pytest.mark.django_db
def test_every_transition_lands_in_a_state_whose_invariants_hold(org: dict[str, Any], users: dict[str, Any]) -> None:
    """Walk every transition of every registered workflow from each of its source states, on the
    permission matrix's fixture documents, as each role allowed to take it: the engine either
    refuses (with a Chinese message) or the document is in the target state and its invariants hold."""
    from tests.test_permission_matrix import targets

    targets(org, users)  # each app's fixture documents
    moved: Counter[str] = Counter()
    refused_by_invariant: Counter[str] = Counter()
    for name, wf in sorted(REGISTRY.items()):
        model = model_of(wf)
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:4])
        if not pks:
            continue
        for t in wf.transitions:
            for source in t.sources:
                for pk in pks:
                    for role in sorted(t.roles):
                        try:
                            with transaction.atomic():
                                model._default_manager.filter(pk=pk).update(state=source)
                                doc = model._default_manager.get(pk=pk)
                                try:
                                    perform_transition(doc, t.name, users[role], comment="走查", via_form=True,
                                                       grade=t.grades[0] if t.grades else "")
                                except WorkflowError as exc:
                                    message = str(exc)
                                    assert message and not message.isascii(), message
                                    if "前须满足" in message:
                                        refused_by_invariant[name] += 1
                                else:
                                    doc = model._default_manager.get(pk=pk)
                                    assert doc.state == t.target
                                    if not t.overrides_invariants:
                                        problems = invariant_problems(doc, t.target)
                                        assert not problems, f"{name}.{t.name} → {t.target}: {problems}"
                                    moved[name] += 1
                                raise Rollback
                        except Rollback:
                            pass
    assert set(moved) >= {"key_evaluation", "monitoring_form", "self_evaluation", "target_declaration",
                          "rectification"}, moved
    assert refused_by_invariant["key_evaluation"], refused_by_invariant  # e.g. 评价实施 without complete scores
