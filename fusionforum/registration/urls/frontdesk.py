"""Front desk on the day: check-in of badges."""

from django.urls import path

from ..views import frontdesk

urlpatterns = [
    path("check-in/", frontdesk.checkin, name="checkin"),
    path("check-in/badges.pdf", frontdesk.all_badges, name="checkin_badges"),
]
