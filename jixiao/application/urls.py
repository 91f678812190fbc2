from django.urls import path

from jixiao.application import views

app_name = "application"
urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("years/<int:year>/build/", views.BuildView.as_view(), name="build"),
    path("boards/<int:pk>/", views.BoardView.as_view(), name="board_detail"),
    path("boards/<int:pk>/transition/", views.BoardTransitionView.as_view(), name="board_transition"),
    path("boards/<int:pk>/export.xlsx", views.ExportView.as_view(), name="export"),
    path("boards/<int:pk>/report.docx", views.ReportView.as_view(), name="report"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path("proposals/<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
    path("proposals/<int:pk>/override/", views.OverrideView.as_view(), name="override"),
]
