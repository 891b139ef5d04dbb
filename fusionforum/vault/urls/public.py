from django.urls import path

from ..views import public as views

app_name = "vault"

urlpatterns = [
    path("<slug:slug>/site-access/", views.status, name="status"),
]
