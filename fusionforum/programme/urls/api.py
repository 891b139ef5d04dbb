"""The programme's API addresses, under /api/v1/events/<slug>/programme/."""

from django.urls import path

from ..views import api

P = "events/<slug:slug>/programme"

urlpatterns = [
    path(f"{P}/releases/", api.ReleaseViewSet.as_view({"get": "list", "post": "create"}),
         name="release-list"),
    path(f"{P}/releases/<int:version>/", api.ReleaseViewSet.as_view({"get": "retrieve"}),
         name="release-detail"),
    path(f"{P}/rooms/", api.RoomViewSet.as_view({"get": "list"}), name="room-list"),
    path(f"{P}/rooms/<int:id>/", api.RoomViewSet.as_view({"get": "retrieve"}),
         name="room-detail"),
    path(f"{P}/sessions/", api.SessionViewSet.as_view({"get": "list"}), name="session-list"),
    path(f"{P}/sessions/<int:id>/", api.SessionViewSet.as_view({"get": "retrieve"}),
         name="session-detail"),
    path(f"{P}/talks/", api.TalkViewSet.as_view({"get": "list"}), name="talk-list"),
    path(f"{P}/talks/<str:code>/", api.TalkViewSet.as_view({"get": "retrieve"}),
         name="talk-detail"),
    path(f"{P}/speakers/", api.SpeakerViewSet.as_view({"get": "list"}), name="speaker-list"),
    path(f"{P}/speakers/<str:code>/", api.SpeakerViewSet.as_view({"get": "retrieve"}),
         name="speaker-detail"),
]
