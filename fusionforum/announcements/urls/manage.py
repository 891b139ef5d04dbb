"""The organisers' pages: /manage/<event>/announcements/..."""

from django.urls import path

from ..views import manage as views

app_name = "announcements"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_new, name="new"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("reminders/", views.reminder_settings, name="reminders"),
    path("reminders/<str:key>/", views.reminder_template, name="reminder_template"),
    path("reminders/<str:key>/reset/", views.reminder_template_reset,
         name="reminder_template_reset"),
]
