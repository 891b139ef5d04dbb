"""A person's own schedule, under /<event>/mine/."""

from django.urls import path

from ..views import public as views

app_name = "personal"

urlpatterns = [
    path("<slug:slug>/mine/", views.mine, name="mine"),
    path("<slug:slug>/mine/sw.js", views.worker, name="worker"),
    path("<slug:slug>/mine/calendar/reset/", views.reset_feed, name="feed_reset"),
    path("<slug:slug>/mine/calendar/<str:token>.ics", views.feed, name="feed"),
]
