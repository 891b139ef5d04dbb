"""Organisers' submission desk, included at manage/<slug>/call/. Paths starting with
"review/" belong to the review pages (their own url module)."""

from django.urls import path, re_path

from ..views import manage as views

app_name = "cfp_manage"

CODE = r"(?P<code>[A-Z0-9]{4,12})"

urlpatterns = [
    path("", views.submissions, name="submissions"),
    path("settings/", views.call_settings, name="settings"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/", views.category_action, name="category_action"),
    path("export.<str:fmt>", views.export, name="export"),
    re_path(r"^submissions/" + CODE + r"/$", views.detail, name="detail"),
    re_path(r"^submissions/" + CODE + r"/slides\.pdf$", views.slides, name="slides"),
]
