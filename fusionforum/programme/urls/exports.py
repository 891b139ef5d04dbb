"""Public exports of the released programme: /<event>/programme/schedule.xml and friends."""

from django.urls import path

from ..views import exports as export_views

app_name = "programme_exports"

urlpatterns = [
    path("<slug:slug>/programme/programme.ics", export_views.programme_ics, name="ics"),
    path("<slug:slug>/programme/rooms/<int:room_id>.ics", export_views.room_ics,
         name="room_ics"),
    path("<slug:slug>/speakers/<str:code>.ics", export_views.speaker_ics, name="speaker_ics"),
    path("<slug:slug>/programme/schedule.xml", export_views.schedule_xml, name="schedule_xml"),
    path("<slug:slug>/programme/schedule.json", export_views.schedule_json,
         name="schedule_json"),
    path("<slug:slug>/programme/programme.json", export_views.programme_json,
         name="programme_json"),
]
