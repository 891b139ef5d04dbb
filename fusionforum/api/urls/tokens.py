"""The account's API tokens page, under /accounts/api-tokens/."""

from django.urls import path

from ..views import tokens as views

app_name = "api_tokens"

urlpatterns = [
    path("", views.tokens_page, name="list"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
