from django.urls import path

from jixiao.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("due/", views.DueView.as_view(), name="due"),
    path("open-year/", views.OpenYearView.as_view(), name="open_year"),
    path("<int:pk>/edit/", views.CalendarEntryEditView.as_view(), name="calendar_entry_edit"),
    path("<int:pk>/", views.CalendarEntryDoneView.as_view(), name="calendar_entry_done"),
]
