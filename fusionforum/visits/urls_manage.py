from django.urls import path  # noqa: F401

app_name = "visits_manage"

urlpatterns: list = []
