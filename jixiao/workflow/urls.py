from django.urls import path

from jixiao.workflow import views

app_name = "workflow"
urlpatterns = [
    path("notifications/", views.NotificationsView.as_view(), name="notifications"),
]
