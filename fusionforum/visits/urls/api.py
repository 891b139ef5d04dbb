"""The site visits' API addresses, under /api/v1/ (``fusionforum/urls.py``)."""

from django.urls import path

from ..views import api

urlpatterns = [
    path("events/<slug:slug>/tours/", api.TourViewSet.as_view({"get": "list"}),
         name="tour-list"),
    path("events/<slug:slug>/my-seats/", api.OwnSeatViewSet.as_view({"get": "list"}),
         name="my-seat-list"),
    path("events/<slug:slug>/tours/runs/<int:run_id>/take/",
         api.TakeSeatViewSet.as_view({"post": "create"}), name="tour-seat-take"),
    path("events/<slug:slug>/my-seats/<int:seat_id>/free/",
         api.FreeSeatViewSet.as_view({"post": "create"}), name="tour-seat-free"),
]
