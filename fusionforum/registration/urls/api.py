"""The registration app's API addresses, under /api/v1/ (``fusionforum/urls.py``)."""

from django.urls import path

from ..views import api

R = "events/<slug:slug>/registrations"

urlpatterns = [
    path(f"{R}/", api.RegistrationViewSet.as_view({"get": "list"}), name="registration-list"),
    path(f"{R}/<int:registration_id>/", api.RegistrationViewSet.as_view({"get": "retrieve"}),
         name="registration-detail"),
    path(f"{R}/<int:registration_id>/approve/", api.ApproveViewSet.as_view({"post": "create"}),
         name="registration-approve"),
    path(f"{R}/<int:registration_id>/reject/", api.RejectViewSet.as_view({"post": "create"}),
         name="registration-reject"),
    path(f"{R}/<int:registration_id>/promote/", api.PromoteViewSet.as_view({"post": "create"}),
         name="registration-promote"),
    path(f"{R}/<int:registration_id>/cancel/", api.CancelViewSet.as_view({"post": "create"}),
         name="registration-cancel"),
    path("events/<slug:slug>/check-ins/", api.CheckInViewSet.as_view({"post": "create"}),
         name="check-in"),
    path("events/<slug:slug>/my-registration/cancel/",
         api.OwnCancelViewSet.as_view({"post": "create"}), name="my-registration-cancel"),
    path("events/<slug:slug>/my-registration/accept/",
         api.OwnAcceptViewSet.as_view({"post": "create"}), name="my-registration-accept"),
    path("me/registrations/", api.OwnRegistrationViewSet.as_view({"get": "list"}),
         name="my-registration-list"),
]
