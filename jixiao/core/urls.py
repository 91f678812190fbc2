from django.urls import path

from jixiao.core import views_home

app_name = "core"
urlpatterns = [
    path("", views_home.HomeView.as_view(), name="home"),
    path("healthz", views_home.healthz, name="healthz"),
]
