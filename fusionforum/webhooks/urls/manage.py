"""The organisers' webhook pages: /manage/<event>/webhooks/..."""

from django.urls import path

from ..views import manage as views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="list"),
    path("new/", views.new_endpoint, name="new"),
    path("<int:pk>/", views.endpoint_page, name="endpoint"),
    path("<int:pk>/edit/", views.edit_endpoint, name="edit"),
    path("<int:pk>/enabled/", views.switch, name="switch"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/secret/", views.rotate, name="rotate"),
    path("<int:pk>/ping/", views.ping, name="ping"),
    path("<int:pk>/messages/<int:message>/redeliver/", views.redeliver, name="redeliver"),
]
