"""The events app's API addresses, under /api/v1/ (``fusionforum/urls.py``)."""

from django.urls import path

from ..views import api

urlpatterns = [
    path("events/", api.EventViewSet.as_view({"get": "list"}), name="event-list"),
    path("events/<slug:slug>/", api.EventViewSet.as_view({"get": "retrieve"}),
         name="event-detail"),
    path("events/<slug:slug>/days/", api.DayViewSet.as_view({"get": "list"}), name="day-list"),
    path("events/<slug:slug>/livestreams/", api.LivestreamViewSet.as_view({"get": "list"}),
         name="livestream-list"),
]
