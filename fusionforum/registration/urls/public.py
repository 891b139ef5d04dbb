from django.urls import include, path

from ..views import public as views

app_name = "registration"

urlpatterns = [
    path("<slug:slug>/registration/", views.mine, name="mine"),
    path("<slug:slug>/registration/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/registration/accept/", views.accept, name="accept"),
    path("<slug:slug>/registration/badge.pdf", views.badge_pdf, name="badge"),
    path("<slug:slug>/participants/", views.participants, name="participants"),
    path("", include("fusionforum.registration.urls.visa")),
    # The organisers' pages share the "registration" namespace (registration:desk, ...).
    path("manage/<slug:slug>/", include("fusionforum.registration.urls.manage")),
]
