"""The organisers' side (not the admin), under /manage/<event>/."""

from django.urls import include, path

urlpatterns = [
    path("", include("fusionforum.registration.urls_desk")),
    path("", include("fusionforum.registration.urls_frontdesk")),
    path("", include("fusionforum.registration.urls_emails")),
]
