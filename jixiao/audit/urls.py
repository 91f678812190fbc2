from django.urls import path

from jixiao.audit import views

app_name = "audit"
urlpatterns = [
    path("security-log/", views.SecurityLogView.as_view(), name="security_log"),
    path("history/<str:model>/<int:pk>/", views.HistoryView.as_view(), name="history"),
]
