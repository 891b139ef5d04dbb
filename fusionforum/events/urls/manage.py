"""Pages about events themselves: /manage/events/new/, /manage/creators/ and each event's dashboard
/manage/<event>/ and its own page /manage/<event>/event/ (status, modules, dates)."""

from django.urls import path

from ..views import manage as views

app_name = "events_manage"

urlpatterns = [
    path("manage/events/new/", views.new_event, name="new"),
    path("manage/creators/", views.creators, name="creators"),
    path("manage/creators/add/", views.add_creator, name="add_creator"),
    path("manage/creators/<int:pk>/remove/", views.remove_creator, name="remove_creator"),
    path("manage/<slug:slug>/", views.dashboard, name="dashboard"),
    path("manage/<slug:slug>/event/", views.settings, name="settings"),
    path("manage/<slug:slug>/event/status/", views.status, name="status"),
    path("manage/<slug:slug>/event/modules/", views.modules, name="modules"),
    path("manage/<slug:slug>/event/dates/", views.change_dates, name="dates"),
]
