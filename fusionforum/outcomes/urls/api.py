"""The outcomes app's API addresses, under /api/v1/ (``fusionforum/urls.py``)."""

from django.urls import path

from ..views import api

urlpatterns = [
    path("events/<slug:slug>/outcomes/reports/", api.ReportViewSet.as_view({"get": "list"}),
         name="outcomes-report-list"),
    path("events/<slug:slug>/outcomes/reports/<int:version>/",
         api.ReportViewSet.as_view({"get": "retrieve"}), name="outcomes-report-detail"),
]
