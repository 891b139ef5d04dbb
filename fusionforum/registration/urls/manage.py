"""The organisers' side (not the admin), under /manage/<event>/."""

from django.urls import include, path

urlpatterns = [
    path("", include("fusionforum.registration.urls.desk")),
    path("", include("fusionforum.registration.urls.frontdesk")),
    path("", include("fusionforum.registration.urls.emails")),
]
