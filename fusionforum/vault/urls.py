from django.urls import path

from . import views

app_name = "vault"

urlpatterns = [
    path("<slug:slug>/site-access/", views.status, name="status"),
]
