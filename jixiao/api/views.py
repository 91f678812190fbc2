"""The read-only API: one viewset per record kind, each starting from ``for_user``.

Authentication is a service account's bearer token (or the browser session); authorisation is
the same policy as the pages (``user.can(label, "view")``) and the rows are the account's scope.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from jixiao.api import serializers as s
from jixiao.application.models import Proposal
from jixiao.assessment.models import UnitAssessment
from jixiao.auditlink.models import AuditWorkPlan
from jixiao.core.scoping import permission_label
from jixiao.core.years import MAX_YEAR, MIN_YEAR, valid_year
from jixiao.evaluation.models import KeyEvaluation, SelfEvaluation
from jixiao.monitoring.models import MonitoringForm
from jixiao.organisation.models import BudgetUnit, Project
from jixiao.rectification.models import Rectification
from jixiao.targets.models import TargetDeclaration


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class PolicyPermission(permissions.BasePermission):
    """The declared permission policy: the account's role may view this kind of record."""

    message = "无权查看此类数据。"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.can(view.permission_label(), "view"))


YEAR = OpenApiParameter("year", {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR},
                        description="预算年度（如 2025）")
UNIT = OpenApiParameter("unit", OpenApiTypes.STR, description="单位编码")
ERROR = inline_serializer("Error", {"detail": serializers.CharField(help_text="原因（中文）")})
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="参数不正确：字段名 → 原因"),
    401: OpenApiResponse(ERROR, description="未提供令牌，或令牌无效、已过期、已吊销"),
    403: OpenApiResponse(ERROR, description="账号的角色无权查看此类数据"),
    404: OpenApiResponse(ERROR, description="记录不存在或不在账号的数据范围内；页码超出范围"),
}


def _document(view: type[ScopedViewSet]) -> None:
    filters = [p for p, field in ((YEAR, view.year_field), (UNIT, view.unit_code_field)) if field]
    extend_schema_view(
        list=extend_schema(parameters=filters, responses={200: view.serializer_class(many=True), **ERRORS}),
        retrieve=extend_schema(responses={200: view.serializer_class, **ERRORS}),
    )(view)


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    model: ClassVar[type[Model]]
    year_field: ClassVar[str | None] = "year"
    unit_code_field: ClassVar[str | None] = "unit__code"
    related: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str, ...]] = ()
    permission_classes = [PolicyPermission]
    pagination_class = Pagination
    permission_action: ClassVar[str] = "view"

    @classmethod
    def permission_label(cls) -> str:
        """The record kind in the permission policy (as the pages' ``ScopedView``)."""
        return permission_label(cls.model)


    def get_queryset(self) -> QuerySet[Any]:
        rows = self.model.objects.for_user(self.request.user, "view")  # type: ignore[attr-defined]
        rows = rows.select_related(*self.related).prefetch_related(*self.prefetch).order_by("pk")
        if self.action != "list":
            return rows
        params = self.request.query_params
        if self.year_field and params.get("year"):
            year = valid_year(params["year"])
            if year is None:
                raise exceptions.ValidationError({"year": ["预算年度应为 2000–2100 之间的整数。"]})
            rows = rows.filter(**{self.year_field: year})
        if self.unit_code_field and params.get("unit"):
            code = params["unit"]
            # No stored code holds a NUL (PostgreSQL refuses one in a comparison): such a code matches nothing.
            rows = rows.none() if "\x00" in code else rows.filter(**{self.unit_code_field: code})
        return rows


class BudgetUnitViewSet(ScopedViewSet):
    """预算单位。"""

    model = BudgetUnit
    queryset = BudgetUnit.objects.none()
    serializer_class = s.BudgetUnitSerializer
    year_field = None
    unit_code_field = "code"
    related = ("parent", "sector")


class ProjectViewSet(ScopedViewSet):
    """预算项目（金额单位：分）。"""

    model = Project
    queryset = Project.objects.none()
    serializer_class = s.ProjectSerializer
    related = ("unit", "sector")


class TargetDeclarationViewSet(ScopedViewSet):
    """绩效目标申报表及其指标。"""

    model = TargetDeclaration
    queryset = TargetDeclaration.objects.none()
    serializer_class = s.TargetDeclarationSerializer
    related = ("unit", "project")
    prefetch = ("indicators",)


class MonitoringFormViewSet(ScopedViewSet):
    """绩效运行监控表及其指标。"""

    model = MonitoringForm
    queryset = MonitoringForm.objects.none()
    serializer_class = s.MonitoringFormSerializer
    year_field = "round__year"
    related = ("unit", "project", "round")
    prefetch = ("rows__indicator",)


class SelfEvaluationViewSet(ScopedViewSet):
    """绩效自评表及其指标。"""

    model = SelfEvaluation
    queryset = SelfEvaluation.objects.none()
    serializer_class = s.SelfEvaluationSerializer
    related = ("unit", "project")
    prefetch = ("indicators",)


class KeyEvaluationViewSet(ScopedViewSet):
    """财政重点评价与部门评价。"""

    model = KeyEvaluation
    queryset = KeyEvaluation.objects.none()
    serializer_class = s.KeyEvaluationSerializer
    year_field = "evaluated_year"
    related = ("unit", "project")


class RectificationViewSet(ScopedViewSet):
    """整改台账事项：监控纠偏措施、自评复核发现、重点评价、部门评价及审计发现的问题（年度为所涉预算年度；金额单位：分）。"""

    model = Rectification
    queryset = Rectification.objects.none()
    serializer_class = s.RectificationSerializer
    related = ("unit", "project")


class UnitAssessmentViewSet(ScopedViewSet):
    """预算绩效管理工作考核：各单位各考核项目得分、总分、排名和等次（排名和通报表扬/约谈公示后向单位显示）。"""

    model = UnitAssessment
    queryset = UnitAssessment.objects.none()
    serializer_class = s.UnitAssessmentSerializer
    related = ("unit",)
    prefetch = ("scores",)


class AuditWorkPlanViewSet(ScopedViewSet):
    """财审联动工作方案：商定的联动事项、审计计划项目及建议列为重点评价的选题。"""

    model = AuditWorkPlan
    queryset = AuditWorkPlan.objects.none()
    serializer_class = s.AuditWorkPlanSerializer
    unit_code_field = None
    prefetch = ("items__unit", "items__project")


class ProposalViewSet(ScopedViewSet):
    """结果应用建议事项：评价结果依据、适用规则、建议处理和确定处理（年度为预算年度；金额单位：分）。"""

    model = Proposal
    queryset = Proposal.objects.none()
    serializer_class = s.ProposalSerializer
    year_field = "board__year"
    related = ("unit", "board")


for _view in (BudgetUnitViewSet, ProjectViewSet, TargetDeclarationViewSet, MonitoringFormViewSet,
              SelfEvaluationViewSet, KeyEvaluationViewSet, RectificationViewSet, UnitAssessmentViewSet,
              AuditWorkPlanViewSet, ProposalViewSet):
    _document(_view)
