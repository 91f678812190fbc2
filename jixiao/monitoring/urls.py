from django.urls import path

from jixiao.monitoring import views
from jixiao.rectification.views import LegacyActionDetailView, LegacyMonitoringListView

app_name = "monitoring"
urlpatterns = [
    path("", views.FormListView.as_view(), name="form_list"),
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/focus-rule/", views.FocusRuleView.as_view(), name="focus_rule"),
    path("rounds/<int:pk>/focus-select/", views.FocusSelectView.as_view(), name="focus_select"),
    path("rounds/<int:pk>/report/", views.ReportCreateView.as_view(), name="report_create"),
    path("forms/<int:pk>/", views.FormDetailView.as_view(), name="form_detail"),
    path("forms/<int:pk>/edit/", views.FormEditView.as_view(), name="form_edit"),
    path("forms/<int:pk>/rows/<int:row>/light/", views.LightPreviewView.as_view(), name="light_preview"),
    path("forms/<int:pk>/transition/", views.FormTransitionView.as_view(), name="form_transition"),
    path("forms/<int:pk>/paper/", views.PaperReceiptView.as_view(), name="paper_receipt"),
    path("forms/<int:pk>/print.docx", views.FormDocxView.as_view(), name="form_docx"),
    path("forms/<int:pk>/focus/", views.FocusAddView.as_view(), name="focus_add"),
    path("execution/", views.ExecutionListView.as_view(), name="execution_list"),
    path("execution/import/", views.ExecutionImportView.as_view(), name="execution_import"),
    path("execution/template.xlsx", views.ExecutionTemplateView.as_view(), name="execution_template"),
    path("execution/imports/<int:pk>/", views.ExecutionBatchView.as_view(), name="execution_batch"),
    path("execution/imports/<int:pk>/retry/", views.ExecutionRetryView.as_view(), name="execution_retry"),
    path("execution/imports/<int:pk>/errors.xlsx", views.ExecutionAnnotatedView.as_view(), name="execution_annotated"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("focus/", views.FocusListView.as_view(), name="focus_list"),
    path("focus/assign/", views.AssignView.as_view(), name="focus_assign"),
    path("focus/<int:pk>/", views.FocusDetailView.as_view(), name="focus_detail"),
    path("actions/", LegacyMonitoringListView.as_view(), name="action_list"),
    path("actions/<int:pk>/", LegacyActionDetailView.as_view(), name="action_detail"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/download.docx", views.ReportDownloadView.as_view(), name="report_download"),
]
