from django.db import models
from simple_history.models import HistoricalRecords

from jixiao.accounts.roles import Role
from jixiao.core.scoping import ScopedQuerySet
from jixiao.workflow.engine import State, Transition, Workflow, WorkflowDocument, register

_UNIT = frozenset({Role.UNIT_FILLER})
_APPROVER = frozenset({Role.UNIT_APPROVER})
_FINANCE = frozenset({Role.PERF_SECTION})


def amount_positive(document, transition, user):
    if transition.name == "submit" and document.amount_fen <= 0:
        return "金额必须大于0才能提交。"
    return None


REVIEW = register(
    Workflow(
        name="sample_review",
        label="示例审核流程",
        initial="draft",
        states=(
            State("draft", "草稿", editable_by=_UNIT),
            State("submitted", "已提交"),
            State("dept_approved", "主管部门已审核"),
            State("returned", "已退回", editable_by=_UNIT),
            State("approved", "已批复", final=True),
            State("published", "已公开", final=True),
        ),
        transitions=(
            Transition("submit", "提交", ("draft", "returned"), "submitted", _UNIT),
            Transition("dept_approve", "主管部门审核通过", ("submitted",), "dept_approved", _APPROVER),
            Transition("return", "退回", ("submitted", "dept_approved"), "returned", _APPROVER | _FINANCE,
                       comment_required=True, style="danger"),
            Transition("approve", "批复", ("dept_approved",), "approved", _FINANCE, grades=("优", "良")),
            Transition("publish", "公开", ("approved",), "published", _FINANCE),
        ),
        guards=(amount_positive,),
    )
)


class SampleDocument(WorkflowDocument):
    workflow_name = "sample_review"
    permission_label = "organisation.project"
    scope_unit_field = "unit"
    scope_sector_field = "unit__sector"

    unit = models.ForeignKey("organisation.BudgetUnit", on_delete=models.PROTECT)
    title = models.CharField(max_length=100)
    amount_fen = models.BigIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.title
