from django.urls import path

from jixiao.rectification import views

app_name = "rectification"
urlpatterns = [
    path("", views.RegisterListView.as_view(), name="list"),
    path("overdue/", views.OverdueListView.as_view(), name="overdue"),
    path("sources/<str:source>/", views.SourceListView.as_view(), name="source"),
    path("units/<int:pk>/", views.UnitRegisterView.as_view(), name="unit"),
    path("<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("<int:pk>/feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("<int:pk>/transition/", views.RectificationTransitionView.as_view(), name="transition"),
    path("<int:pk>/retarget/", views.RetargetView.as_view(), name="retarget"),
    path("monitoring/<int:pk>/new/", views.FromMonitoringView.as_view(), name="from_monitoring"),
    path("recheck/<int:pk>/new/", views.FromRecheckView.as_view(), name="from_recheck"),
]
