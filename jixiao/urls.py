from django.urls import include, path

urlpatterns = [
    path("", include("jixiao.core.urls")),
    path("accounts/", include("jixiao.accounts.urls")),
    path("budget/", include("jixiao.organisation.urls")),
    path("audit/", include("jixiao.audit.urls")),
    path("calendar/", include("jixiao.deadlines.urls")),
    path("targets/", include("jixiao.targets.urls")),
    path("evaluation/", include("jixiao.evaluation.urls")),
    path("monitoring/", include("jixiao.monitoring.urls")),
    path("assessment/", include("jixiao.assessment.urls")),
    path("auditlink/", include("jixiao.auditlink.urls")),
    path("rectification/", include("jixiao.rectification.urls")),
    path("application/", include("jixiao.application.urls")),
    path("workflow/", include("jixiao.workflow.urls")),
    path("api/", include("jixiao.api.urls")),
    path("reports/", include("jixiao.reports.urls")),
    path("disclosure/", include("jixiao.disclosure.urls")),
    # The public portal (信息公开): no login, read-only.
    path("gongkai/", include("jixiao.disclosure.urls_portal")),
]

handler400 = "jixiao.core.views_home.bad_request"
handler500 = "jixiao.core.views_home.server_error"
