"""The events app's API: events (list, detail), their days and livestreams. Read only.

Each action asks the named permission its web page asks (``events.view_public_event``: a
published event for anyone, a draft for its team and the platform administrators), through
``fusionforum.api``'s bridge; livestreams come from ``services.public_streams``, as on the
livestream page, so no address is given before its time.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.response import Response

from fusionforum.api.params import date_param
from fusionforum.api.resources import ApiViewSet
from fusionforum.api.schema import EVENT_SLUG
from fusionforum.core import clock

from .. import services
from ..access import ApiEventResource, api_event
from ..models import EventStatus
from ..serializers import DaySerializer, EventSerializer, LivestreamSerializer

VIEW_EVENT = "events.view_public_event"



@extend_schema_view(
    list=extend_schema(summary="Events", parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=EventStatus.values,
                         description="Only events in this state (drafts: their team's)."),
        OpenApiParameter("ends_after", OpenApiTypes.DATE,
                         description="Only events ending on or after this date."),
        OpenApiParameter("starts_before", OpenApiTypes.DATE,
                         description="Only events starting on or before this date."),
    ]),
    retrieve=extend_schema(summary="An event", parameters=[EVENT_SLUG]),
)
class EventViewSet(ApiViewSet):
    """Events anyone may see, and the drafts of the teams the person is on."""

    serializer_class = EventSerializer
    permissions = {"list": VIEW_EVENT, "retrieve": VIEW_EVENT}
    lookup_field = "slug"
    lookup_url_kwarg = "slug"
    cursor_key = "slug"

    def get_queryset(self):
        events = services.visible_events(self.request.user).prefetch_related("days")
        token = getattr(self.request, "auth", None)
        if token is not None and not getattr(token, "all_events", True):
            events = events.filter(pk__in=token.event_ids)
        status = self.request.query_params.get("status")
        if status:
            if status not in EventStatus.values:
                raise exceptions.ValidationError({"status": [_("Choose one of: %(values)s.")
                                                             % {"values": ", ".join(
                                                                 EventStatus.values)}]})
            events = events.filter(status=status)
        ends_after = date_param(self.request, "ends_after")
        if ends_after:
            events = events.filter(end_date__gte=ends_after)
        starts_before = date_param(self.request, "starts_before")
        if starts_before:
            events = events.filter(start_date__lte=starts_before)
        return events

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, slug):
        event = api_event(request, slug)
        self.check_rule(event)
        return Response(self.get_serializer(event).data)


@extend_schema_view(list=extend_schema(summary="Days of an event", parameters=[EVENT_SLUG]))
class DayViewSet(ApiEventResource):
    serializer_class = DaySerializer
    cursor_key = "date"

    def get_queryset(self):
        return self.event().days.all()

    def list(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(list=extend_schema(
    summary="Livestreams of an event",
    description="As the livestream page shows them now: a stream's address is null until it "
                "goes live, then the replay's once it has ended (if any).",
    parameters=[EVENT_SLUG]))
class LivestreamViewSet(ApiEventResource):
    serializer_class = LivestreamSerializer
    cursor_key = "id"

    def list(self, request, slug):
        streams, _next_change = services.public_streams(self.event(), clock.now())
        page = self.paginate_queryset(streams)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
