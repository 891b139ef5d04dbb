"""The organisers' programme editor, at /manage/<event>/programme/ (every view receives the
Event through the gate, ``programme.manage_programme``)."""

from django.urls import path

from ..views import manage as views

app_name = "programme_manage"

urlpatterns = [
    path("", views.editor, name="editor"),
    path("talks/<str:code>/place/", views.place_talk, name="talk_place"),
    path("talks/<str:code>/unplace/", views.unplace_talk, name="talk_unplace"),
    path("items/<int:item_id>/place/", views.place_item, name="item_place"),
    path("people/", views.people, name="people"),
    path("people/<str:code>/", views.person_edit, name="person_edit"),
    path("people/<str:code>/invite/", views.person_invite, name="person_invite"),
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<int:room_id>/", views.room, name="room"),
    path("rooms/<int:room_id>/delete/", views.room_delete, name="room_delete"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:session_id>/", views.session_edit, name="session"),
    path("sessions/<int:session_id>/delete/", views.session_delete, name="session_delete"),
    path("materials/", views.materials, name="materials"),
    path("materials/<str:code>/", views.material, name="material"),
    path("map/", views.venue_maps, name="venue_maps"),
    path("map/<int:map_id>/", views.venue_map, name="venue_map"),
    path("map/spots/<int:spot_id>/delete/", views.spot_delete, name="spot_delete"),
    path("releases/", views.release_list, name="releases"),
    path("releases/<int:version>/", views.release_detail, name="release"),
]
