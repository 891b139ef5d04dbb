from django.urls import path

from ..views import manage as v

app_name = "meetings_manage"

urlpatterns = [
    path("", v.overview, name="overview"),
    path("settings/", v.settings_page, name="settings"),
    path("experts/", v.experts, name="experts"),
    path("experts/new/", v.expert_edit, name="expert_new"),
    path("experts/<int:pk>/", v.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/cancel/", v.expert_cancel, name="expert_cancel"),
    path("requests/", v.requests_page, name="requests"),
    path("requests/new/", v.request_new, name="request_new"),
    path("people/<int:user_pk>/leave/", v.participant_leave, name="participant_leave"),
    path("runs/", v.run_start, name="run_start"),
    path("runs/<int:pk>/", v.run_page, name="run"),
    path("runs/<int:pk>/progress/", v.run_progress, name="run_progress"),
    path("schedule/", v.schedule, name="schedule"),
    path("schedule/place/", v.place, name="place"),
    path("schedule/<int:request_pk>/remove/", v.remove, name="remove"),
    path("slots/<int:slot>/lose/", v.lose_slot, name="lose_slot"),
    path("publish/", v.publish, name="publish"),
    path("versions/<int:version>/", v.release_page, name="release"),
    path("day/", v.day_page, name="day"),
    path("day/<int:request_pk>/check-in/", v.day_checkin, name="day_checkin"),
]
