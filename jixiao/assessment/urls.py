from django.urls import path

from jixiao.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("round/", views.RoundActionView.as_view(), name="round_action"),
    path("scheme/", views.SchemeView.as_view(), name="scheme"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("notice/", views.NoticeView.as_view(), name="notice"),
    path("<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("<int:pk>/self/", views.SelfScoreView.as_view(), name="self_score"),
    path("<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("<int:pk>/transition/", views.AssessmentTransitionView.as_view(), name="transition"),
    path("<int:pk>/item/<str:code>/", views.ItemFactsView.as_view(), name="item_facts"),
    path("<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
]
