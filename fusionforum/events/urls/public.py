from django.urls import path

from ..views import public as views

app_name = "events"

urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/livestream/", views.livestream, name="livestream"),
    path("<slug:slug>/livestream/status.json", views.livestream_status,
         name="livestream_status"),
    path("<slug:slug>/contact/", views.contact, name="contact"),
    path("<slug:slug>/contact/sent/", views.contact_sent, name="contact_sent"),
    path("<slug:slug>/event.json", views.event_json, name="event_json"),
    path("<slug:slug>/event.ics", views.event_ics, name="event_ics"),
]
