from django.urls import path

from jixiao.targets import exchange, views

app_name = "targets"
urlpatterns = [
    path("", views.DeclarationListView.as_view(), name="declaration_list"),
    path("missing/", views.MissingView.as_view(), name="missing"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    path("bulk-review/", views.BulkReviewView.as_view(), name="bulk_review"),
    path("parse/", views.ParsePreviewView.as_view(), name="parse_preview"),
    path("<int:pk>/", views.DeclarationDetailView.as_view(), name="declaration_detail"),
    path("<int:pk>/edit/", views.DeclarationEditView.as_view(), name="declaration_edit"),
    path("<int:pk>/transition/", views.DeclarationTransitionView.as_view(), name="transition"),
    path("<int:pk>/indicator-comments/", views.IndicatorCommentView.as_view(), name="indicator_comments"),
    path("<int:pk>/adjust/", views.AdjustView.as_view(), name="adjust"),
    path("<int:pk>/compare/<int:other>/", views.CompareView.as_view(), name="compare"),
    path("<int:pk>/add-from-library/", views.AddFromLibraryView.as_view(), name="add_from_library"),
    path("<int:pk>/print.docx", exchange.DocxView.as_view(), name="declaration_docx"),
    path("workbook.xlsx", exchange.WorkbookDownloadView.as_view(), name="workbook_download"),
    path("workbook/upload/", exchange.WorkbookUploadView.as_view(), name="workbook_upload"),
    path("projects/<int:pk>/approve-budget/", views.ApproveBudgetView.as_view(), name="approve_budget"),
    path("library/", views.LibraryListView.as_view(), name="library_list"),
    path("library/new/", views.LibraryCreateView.as_view(), name="library_create"),
    path("library/<int:pk>/", views.LibraryEditView.as_view(), name="library_edit"),
]
