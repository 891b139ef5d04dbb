from django.urls import include, path

from . import badges, views

app_name = "registration"

urlpatterns = [
    path("<slug:slug>/registration/", views.mine, name="mine"),
    path("<slug:slug>/registration/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/registration/accept/", views.accept, name="accept"),
    path("<slug:slug>/registration/badge.pdf", badges.badge_pdf, name="badge"),
    path("<slug:slug>/participants/", views.participants, name="participants"),
    path("manage/<slug:slug>/", include("fusionforum.registration.urls_manage")),
]
