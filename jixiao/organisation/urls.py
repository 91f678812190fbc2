from django.urls import path

from jixiao.organisation import views

app_name = "organisation"
urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("expenditures/", views.ExpenditureListView.as_view(), name="expenditure_list"),
    path("expenditures/<int:pk>/", views.ExpenditureDetailView.as_view(), name="expenditure_detail"),
    path("expenditures/<int:pk>/edit/", views.ExpenditureEditView.as_view(), name="expenditure_edit"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/template/<str:kind>/", views.ImportTemplateView.as_view(), name="import_template"),
    path("import/batches/", views.ImportBatchListView.as_view(), name="import_batches"),
    path("import/batches/<int:pk>/", views.ImportBatchDetailView.as_view(), name="import_batch"),
    path("import/batches/<int:pk>/retry/", views.ImportRetryView.as_view(), name="import_retry"),
    path("import/batches/<int:pk>/errors.xlsx", views.AnnotatedWorkbookView.as_view(), name="import_annotated"),
]
