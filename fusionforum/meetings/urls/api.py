"""The expert meetings' API addresses, under /api/v1/ (``fusionforum/urls.py``)."""

from django.urls import path

from ..views import api

E = "events/<slug:slug>"

urlpatterns = [
    path(f"{E}/experts/", api.ExpertViewSet.as_view({"get": "list"}), name="expert-list"),
    path(f"{E}/meeting-requests/",
         api.MeetingRequestViewSet.as_view({"get": "list", "post": "create"}),
         name="meeting-request-list"),
    path(f"{E}/meeting-requests/<int:request_id>/",
         api.EditRequestViewSet.as_view({"put": "update"}), name="meeting-request-detail"),
    path(f"{E}/meeting-requests/<int:request_id>/withdraw/",
         api.WithdrawRequestViewSet.as_view({"post": "create"}), name="meeting-request-withdraw"),
    path(f"{E}/meetings/", api.MeetingsDayViewSet.as_view({"get": "retrieve"}),
         name="meetings-day"),
]
