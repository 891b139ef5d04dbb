"""The programme's API: the released programme (rooms, sessions, talks, speakers) and the
releases with their change lists; organisers may release the working copy.

Everything read comes from the latest release (``public.latest``, as the public pages read
it), never from the working copy, in the reader's language. Before the first release the lists
are empty and every item is 404. Releasing calls ``releases.release``, the service of the
organisers' releases page.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response

from fusionforum.api.errors import Conflict
from fusionforum.api.params import date_param, int_param
from fusionforum.api.schema import EVENT_SLUG
from fusionforum.events.access import ApiEventResource
from fusionforum.events.models import Module

from .. import public, releases
from ..models import Release
from ..serializers import (
    ReleaseDetailSerializer,
    ReleaseRequestSerializer,
    ReleaseSerializer,
    RoomSerializer,
    SessionSerializer,
    SpeakerSerializer,
    TalkSerializer,
)

VIEW_EVENT = "events.view_public_event"
MANAGE = "programme.manage_programme"




class ReleasedResource(ApiEventResource):
    """A part of the latest release of an event's programme."""

    module = Module.PROGRAMME
    lookup_value_regex = r"[^/]+"

    def programme(self):
        return public.latest(self.event())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["event"] = self.event()
        programme = self.programme()
        context["speakers_by_code"] = programme.speakers_by_code if programme else {}
        return context

    def items(self) -> list:
        raise NotImplementedError

    def list(self, request, slug):
        page = self.paginate_queryset(self.items())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def found(self, found, missing: str):
        if found is None:
            raise exceptions.NotFound(missing)
        return Response(self.get_serializer(found).data)


DATE = OpenApiParameter("date", OpenApiTypes.DATE, description="Only this programme day.")
ROOM = OpenApiParameter("room", OpenApiTypes.INT, description="Only this room (breaks that "
                                                              "concern every room included).")


@extend_schema_view(
    list=extend_schema(summary="Rooms of the released programme", parameters=[EVENT_SLUG]),
    retrieve=extend_schema(summary="A room", parameters=[
        EVENT_SLUG, OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]))
class RoomViewSet(ReleasedResource):
    serializer_class = RoomSerializer
    cursor_key = "id"

    def items(self):
        programme = self.programme()
        return programme.rooms if programme else []

    def retrieve(self, request, slug, id):
        programme = self.programme()
        return self.found(programme.rooms_by_id.get(id) if programme else None,
                          _("No such room in the programme."))


@extend_schema_view(
    list=extend_schema(summary="Sessions of the released programme", parameters=[
        EVENT_SLUG, DATE, ROOM,
        OpenApiParameter("kind", OpenApiTypes.STR, description="talks, panel, plenary, "
                                                               "break...")]),
    retrieve=extend_schema(summary="A session", parameters=[
        EVENT_SLUG, OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]))
class SessionViewSet(ReleasedResource):
    serializer_class = SessionSerializer
    cursor_key = "id"

    def items(self):
        programme = self.programme()
        if programme is None:
            return []
        date, room = date_param(self.request, "date"), int_param(self.request, "room")
        kind = self.request.query_params.get("kind")
        sessions = [s for day in programme.days for s in day.sessions]
        if date is not None:
            sessions = [s for s in sessions if s.date == date]
        if room is not None:
            sessions = [s for s in sessions if s.room is None or s.room.id == room]
        if kind:
            sessions = [s for s in sessions if s.kind == kind]
        return sessions

    def retrieve(self, request, slug, id):
        programme = self.programme()
        return self.found(programme.sessions_by_id.get(id) if programme else None,
                          _("No such session in the programme."))


@extend_schema_view(
    list=extend_schema(summary="Talks of the released programme", parameters=[
        EVENT_SLUG, DATE, ROOM,
        OpenApiParameter("session", OpenApiTypes.INT, description="Only this session."),
        OpenApiParameter("speaker", OpenApiTypes.STR, description="Only this speaker's "
                                                                  "(speaker code).")]),
    retrieve=extend_schema(summary="A talk", parameters=[
        EVENT_SLUG, OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)]))
class TalkViewSet(ReleasedResource):
    serializer_class = TalkSerializer
    cursor_key = "code"

    def items(self):
        programme = self.programme()
        if programme is None:
            return []
        date, room = date_param(self.request, "date"), int_param(self.request, "room")
        session = int_param(self.request, "session")
        speaker = self.request.query_params.get("speaker")
        talks = list(programme.talks)
        if date is not None:
            talks = [t for t in talks if t.date == date]
        if room is not None:
            talks = [t for t in talks if t.room is not None and t.room.id == room]
        if session is not None:
            talks = [t for t in talks if t.session_id == session]
        if speaker:
            talks = [t for t in talks if speaker in t.speaker_codes]
        return talks

    def retrieve(self, request, slug, code):
        programme = self.programme()
        return self.found(programme.talks_by_code.get(code) if programme else None,
                          _("No such talk in the programme."))


@extend_schema_view(
    list=extend_schema(summary="Speakers of the released programme", parameters=[EVENT_SLUG]),
    retrieve=extend_schema(summary="A speaker", parameters=[
        EVENT_SLUG, OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)]))
class SpeakerViewSet(ReleasedResource):
    serializer_class = SpeakerSerializer
    cursor_key = "code"

    def items(self):
        programme = self.programme()
        return programme.speakers if programme else []

    def retrieve(self, request, slug, code):
        programme = self.programme()
        return self.found(programme.speakers_by_code.get(code) if programme else None,
                          _("No such speaker in the programme."))


@extend_schema_view(
    list=extend_schema(summary="Releases of the programme, oldest first",
                       parameters=[EVENT_SLUG]),
    retrieve=extend_schema(summary="A release and its changes", parameters=[
        EVENT_SLUG, OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=ReleaseDetailSerializer),
    create=extend_schema(
        summary="Release the working copy as the next version",
        description="Organisers (a token with the write scope, or a verified session with "
                    "its CSRF token), as the programme's releases page: refused with 409 when "
                    "nothing changed or the working copy has conflicts. Speakers are e-mailed "
                    "as after a release on the page.",
        parameters=[EVENT_SLUG], request=ReleaseRequestSerializer,
        responses={201: ReleaseDetailSerializer}),
)
class ReleaseViewSet(ApiEventResource):
    module = Module.PROGRAMME
    permissions = {"list": VIEW_EVENT, "retrieve": VIEW_EVENT, "create": MANAGE}
    second_factor = (MANAGE,)
    login_first = (MANAGE,)
    serializer_class = ReleaseSerializer
    cursor_key = "version"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ReleaseDetailSerializer
        if self.action == "create":
            return ReleaseRequestSerializer
        return ReleaseSerializer

    def get_queryset(self):
        return Release.objects.filter(event=self.event()).select_related("event").defer(
            "snapshot")

    def list(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug, version):
        release = self.get_queryset().filter(version=version).first()
        if release is None:
            raise exceptions.NotFound(_("No such release of the programme."))
        return Response(self.get_serializer(release).data)

    def create(self, request, slug):
        event = self.event()
        form = ReleaseRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            new = releases.release(event, by=request.user,
                                   comment=form.validated_data.get("comment", ""))
        except releases.ReleaseRefused as refused:
            raise Conflict(" ".join(str(message) for message in refused.messages)) from None
        return Response(ReleaseDetailSerializer(new, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
