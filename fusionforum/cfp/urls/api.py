"""The call for presentations' API addresses, under /api/v1/ (``fusionforum/urls.py``)."""

from django.urls import path

from ..views import api

S = "events/<slug:slug>/submissions"

urlpatterns = [
    path(f"{S}/", api.SubmissionViewSet.as_view({"get": "list"}), name="submission-list"),
    path(f"{S}/<str:code>/", api.SubmissionViewSet.as_view({"get": "retrieve"}),
         name="submission-detail"),
    path(f"{S}/<str:code>/reviews/", api.ReviewListViewSet.as_view({"get": "list"}),
         name="review-list"),
    path(f"{S}/<str:code>/my-review/",
         api.OwnReviewViewSet.as_view({"get": "retrieve", "put": "update"}),
         name="my-review"),
    path(f"{S}/<str:code>/decision/", api.DecisionViewSet.as_view({"post": "create"}),
         name="submission-decision"),
    path("me/submissions/", api.OwnSubmissionViewSet.as_view({"get": "list"}),
         name="my-submission-list"),
]
