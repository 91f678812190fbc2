from django.urls import path

from jixiao.disclosure import views as v

app_name = "disclosure"
urlpatterns = [
    path("", v.PublicationListView.as_view(), name="publication_list"),
    path("<int:pk>/", v.PublicationDetailView.as_view(), name="publication_detail"),
    path("<int:pk>/correct/", v.CorrectView.as_view(), name="correct"),
    path("<int:pk>/withdraw/", v.WithdrawView.as_view(), name="withdraw"),
    path("<int:pk>/posting/", v.PostingView.as_view(), name="posting"),
    path("export/", v.ExportView.as_view(), name="export"),
    path("tracking/", v.TrackingView.as_view(), name="tracking"),
    path("packages/", v.PackageView.as_view(), name="packages"),
    path("jobs/<int:pk>/", v.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/download/", v.JobDownloadView.as_view(), name="job_download"),
]
