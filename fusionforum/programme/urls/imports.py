"""Importing a programme (organisers): /manage/<event>/programme/import/."""

from django.urls import path

from ..views import imports as import_views

app_name = "programme_import"

urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("preview/<str:token>/", import_views.preview, name="preview"),
]
