from django.urls import path

from jixiao.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.TemplateListView.as_view(), name="list"),
    path("<slug:code>/", views.TemplateDetailView.as_view(), name="detail"),
    path("<slug:code>/upload/", views.TemplateUploadView.as_view(), name="upload"),
    path("<slug:code>/template.docx", views.TemplateDownloadView.as_view(), name="download"),
    path("<slug:code>/sample.docx", views.TemplateSampleView.as_view(), name="sample"),
    path("<slug:code>/restore/", views.TemplateRestoreView.as_view(), name="restore"),
    path("versions/<int:pk>/use/", views.TemplateUseView.as_view(), name="use"),
]
