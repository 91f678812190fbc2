from django.urls import path

from jixiao.auditlink import views

app_name = "auditlink"

urlpatterns = [
    path("plan/", views.PlanView.as_view(), name="plan"),
    # Audit findings are items of the rectification register: the list and a finding's page redirect there.
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/new/", views.FindingCreateView.as_view(), name="finding_new"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
    path("package/", views.PackageView.as_view(), name="package"),
]
