"""A person's reminders: /<event>/reminders/..."""

from django.urls import path

from ..views import public as views

app_name = "reminders"

urlpatterns = [
    path("<slug:slug>/reminders/", views.preferences, name="preferences"),
    path("<slug:slug>/reminders/stop/<str:token>/", views.opt_out, name="opt_out"),
]
