"""The site visits' API: the tours with their runs and seat counts, and the person's own
seats and waiting places.

What the visits page shows (``visits.see_tours``: signed-in people of an event with site
visits): each tour's requirements, its runs with capacity, seats held, free seats and the
waiting list's length; the person's seats with their place on a waiting list. Never a
site-access value or a clearance decision: those stay in the vault, for the security office,
on the web only.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from fusionforum.api.errors import Conflict
from fusionforum.api.schema import EVENT_SLUG
from fusionforum.events.access import ApiEventResource
from fusionforum.events.models import Module

from .. import services
from ..models import Seat, TourRun, TourType
from ..serializers import RunSerializer, SeatSerializer
from ..states import ACTIVE

SEE_TOURS = "visits.see_tours"


class RunCountsSerializer(RunSerializer):
    capacity = serializers.IntegerField(read_only=True)
    held = serializers.IntegerField(read_only=True, help_text="Seats held.")
    free = serializers.SerializerMethodField(help_text="Seats free.")
    waiting = serializers.IntegerField(read_only=True, help_text="People on the waiting "
                                                                 "list.")

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "capacity", "held", "free", "waiting"]
        read_only_fields = fields

    def get_free(self, run) -> int:
        return max(0, run.capacity - run.held)


class TourSerializer(serializers.ModelSerializer):
    runs = serializers.SerializerMethodField()

    class Meta:
        model = TourType
        fields = ["id", "name", "description", "minimum_age", "closed_shoes",
                  "protective_equipment", "mobility_limits", "languages", "runs"]
        read_only_fields = fields

    @extend_schema_field(RunCountsSerializer(many=True))
    def get_runs(self, tour) -> list[dict]:
        runs = self.context["runs_by_tour"].get(tour.pk, [])
        return RunCountsSerializer(runs, many=True).data


class OwnSeatSerializer(SeatSerializer):
    waiting_position = serializers.SerializerMethodField(
        help_text="The place on the run's waiting list (1 first), or null for a held seat.")

    class Meta(SeatSerializer.Meta):
        fields = [*SeatSerializer.Meta.fields, "waiting_position"]
        read_only_fields = fields

    def get_waiting_position(self, seat) -> int | None:
        return services.waiting_position(seat)


class VisitsResource(ApiEventResource):
    module = Module.VISITS
    permissions = {"list": SEE_TOURS}
    login_first = (SEE_TOURS,)

    def event(self):
        event = super().event()
        if services.visit_settings(event) is None:
            raise exceptions.NotFound(_("This event has no site visits."))
        return event


@extend_schema_view(list=extend_schema(
    summary="Tours, their runs and seat counts", parameters=[EVENT_SLUG]))
class TourViewSet(VisitsResource):
    serializer_class = TourSerializer
    cursor_key = "id"

    def get_serializer_context(self):
        runs_by_tour: dict[int, list] = {}
        for run in services.runs_of(self.event()):
            runs_by_tour.setdefault(run.tour_id, []).append(run)
        return {**super().get_serializer_context(), "runs_by_tour": runs_by_tour}

    def list(self, request, slug):
        page = self.paginate_queryset(TourType.objects.filter(event=self.event()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(list=extend_schema(
    summary="My tour seats and waiting places", parameters=[EVENT_SLUG]))
class OwnSeatViewSet(VisitsResource):
    serializer_class = OwnSeatSerializer
    cursor_key = "id"

    def list(self, request, slug):
        seats = services.seats_of(self.event(), request.user).select_related("user")
        page = self.paginate_queryset(seats)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)





RUN_ID = OpenApiParameter("run_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                          description="The run's number.")
SEAT_ID = OpenApiParameter("seat_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                           description="The seat's number.")


@extend_schema_view(create=extend_schema(
    summary="Take a free seat on a run (or join its waiting list)",
    description="As the visits page's button once the tours are allocated: a free seat first "
                "come, first served, else the waiting list. 409 with the page's reason when "
                "refused (not allocated yet, not confirmed, already on this tour, "
                "overlapping, started).",
    parameters=[EVENT_SLUG, RUN_ID], request=None, responses={201: OwnSeatSerializer}))
class TakeSeatViewSet(VisitsResource):
    permissions = {"create": SEE_TOURS}

    def create(self, request, slug, run_id):
        run = (TourRun.objects.select_related("tour__event")
               .filter(pk=run_id, tour__event=self.event()).first())
        if run is None:
            raise exceptions.NotFound(_("No such run."))
        try:
            seat = services.take_seat(run, request.user, by=request.user)
        except services.VisitError as exc:
            raise Conflict(str(exc)) from None
        return Response(OwnSeatSerializer(seat).data, status=status.HTTP_201_CREATED)


@extend_schema_view(create=extend_schema(
    summary="Give up a seat or a waiting place",
    description="As the visits page's Cancel: a seat given up goes to the next person "
                "waiting.",
    parameters=[EVENT_SLUG, SEAT_ID], request=None, responses={200: OwnSeatSerializer}))
class FreeSeatViewSet(VisitsResource):
    permissions = {"create": SEE_TOURS}

    def create(self, request, slug, seat_id):
        seat = (Seat.objects.select_related("run__tour__event", "user")
                .filter(pk=seat_id, user=request.user, run__tour__event=self.event(),
                        status__in=ACTIVE).first())
        if seat is None:
            raise exceptions.NotFound(_("No such seat."))
        services.cancel(seat, by=request.user, note="cancelled by the participant")
        return Response(OwnSeatSerializer(seat).data)
