from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from jixiao.api import pages, views

app_name = "api"

router = SimpleRouter()
router.register("units", views.BudgetUnitViewSet, basename="unit")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("targets", views.TargetDeclarationViewSet, basename="target")
router.register("monitoring-forms", views.MonitoringFormViewSet, basename="monitoring-form")
router.register("self-evaluations", views.SelfEvaluationViewSet, basename="self-evaluation")
router.register("key-evaluations", views.KeyEvaluationViewSet, basename="key-evaluation")
router.register("rectifications", views.RectificationViewSet, basename="rectification")
router.register("assessments", views.UnitAssessmentViewSet, basename="assessment")
router.register("audit-work-plans", views.AuditWorkPlanViewSet, basename="audit-work-plan")
router.register("result-proposals", views.ProposalViewSet, basename="result-proposal")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("tokens/", pages.TokenListView.as_view(), name="token_list"),
    path("tokens/new/", pages.TokenIssueView.as_view(), name="token_issue"),
    path("tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="token_revoke"),
    path("v1/", include(router.urls)),
]
