"""The privacy notice, the legal notice and the accessibility statement: the platform's and
each event's, and their editors."""

from django.urls import path

from ..views import notices as views

app_name = "events_notices"

urlpatterns = [
    path("about/<slug:kind>/", views.platform_notice, name="platform"),
    path("<slug:slug>/about/<slug:kind>/", views.event_notice, name="event"),
    path("manage/notices/<slug:kind>/", views.edit_platform_notice, name="edit_platform"),
    path("manage/<slug:slug>/notices/<slug:kind>/", views.edit_event_notice, name="edit_event"),
]
