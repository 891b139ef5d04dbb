from django.urls import path

from ..views import public as views

app_name = "meetings"

urlpatterns = [
    path("<slug:slug>/meetings/", views.home, name="home"),
    path("<slug:slug>/meetings/experts/", views.directory, name="directory"),
    path("<slug:slug>/meetings/requests/new/", views.request_new, name="request_new"),
    path("<slug:slug>/meetings/requests/<int:pk>/", views.request_edit, name="request_edit"),
    path("<slug:slug>/meetings/requests/<int:pk>/withdraw/", views.request_withdraw,
         name="request_withdraw"),
    path("<slug:slug>/meetings/suggestions/", views.suggestions, name="suggestions"),
    path("<slug:slug>/meetings/calendar/reset/", views.feed_reset, name="feed_reset"),
    path("<slug:slug>/meetings/calendar/<str:token>.ics", views.feed, name="feed"),
]
