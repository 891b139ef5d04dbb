"""Public programme pages and the personal agenda, under /<event>/."""

from django.urls import path, re_path

from ..views import agenda as agenda_views
from ..views import public as public_views

app_name = "programme"

urlpatterns = [
    path("<slug:slug>/programme/", public_views.programme_page, name="programme"),
    path("<slug:slug>/programme/changes/", public_views.changes_page, name="changes"),
    re_path(r"^(?P<slug>[-a-zA-Z0-9_]+)/programme/(?P<day>\d{4}-\d{2}-\d{2})/$",
            public_views.programme_page, name="programme_day"),
    path("<slug:slug>/talks/<str:code>/", public_views.talk_page, name="talk"),
    path("<slug:slug>/talks/<str:code>/slides.pdf", public_views.talk_slides, name="talk_slides"),
    path("<slug:slug>/talks/<str:code>/recorded-slides.pdf", public_views.talk_material_slides,
         name="talk_material_slides"),
    path("<slug:slug>/talks/<str:code>/star/", agenda_views.star, name="star"),
    path("<slug:slug>/talks/<str:code>/unstar/", agenda_views.unstar, name="unstar"),
    path("<slug:slug>/speakers/", public_views.speakers_page, name="speakers"),
    path("<slug:slug>/speakers/claim/<str:token>/", public_views.claim_profile,
         name="claim_profile"),
    path("<slug:slug>/speakers/<str:code>/", public_views.speaker_page, name="speaker"),
    path("<slug:slug>/speakers/<str:code>/photo.jpg", public_views.speaker_photo,
         name="speaker_photo"),
    path("<slug:slug>/map/", public_views.venue_page, name="venue"),
    path("<slug:slug>/map/<int:map_id>/plan.png", public_views.venue_plan, name="venue_plan"),
    path("<slug:slug>/map/spots/<int:spot_id>/", public_views.spot_page, name="spot"),
    path("<slug:slug>/agenda/", agenda_views.agenda_page, name="agenda"),
    path("<slug:slug>/agenda/local/", agenda_views.local_agenda, name="agenda_local"),
    path("<slug:slug>/agenda/sync/", agenda_views.sync_local, name="agenda_sync"),
    path("<slug:slug>/agenda/feed/reset/", agenda_views.reset_feed, name="agenda_reset"),
    path("<slug:slug>/agenda/<str:token>.ics", agenda_views.agenda_ics, name="agenda_ics"),
]
