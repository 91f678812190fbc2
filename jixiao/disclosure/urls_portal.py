"""The public portal (no login): /gongkai/."""

from django.urls import path

from jixiao.disclosure import views_portal as v

app_name = "gongkai"
urlpatterns = [
    path("", v.IndexView.as_view(), name="index"),
    path("search/", v.SearchView.as_view(), name="search"),
    path("data-dictionary.csv", v.DictionaryView.as_view(), name="dictionary"),
    path("<int:year>/", v.YearView.as_view(), name="year"),
    path("<int:year>/<str:code>/", v.UnitView.as_view(), name="unit"),
    path("p/<int:pk>/", v.PublicationView.as_view(), name="publication"),
    path("p/<int:pk>/v<int:number>/", v.VersionView.as_view(), name="version"),
    path("p/<int:pk>/v<int:number>/<str:name>", v.DownloadView.as_view(), name="download"),
]
