from django.urls import path  # noqa: F401

app_name = "vault_security"

urlpatterns: list = []
