from django.urls import path

from jixiao.core import views_exports, views_home

app_name = "core"
urlpatterns = [
    path("", views_home.HomeView.as_view(), name="home"),
    path("year/", views_home.WorkingYearView.as_view(), name="working_year"),
    path("healthz", views_home.healthz, name="healthz"),
    path("exports/<int:pk>/", views_exports.ExportJobView.as_view(), name="export_job"),
    path("exports/<int:pk>/download/", views_exports.ExportDownloadView.as_view(), name="export_download"),
]
