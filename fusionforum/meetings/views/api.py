"""The expert meetings' API: the experts' directory, the person's organisation's meeting
requests, and the published meetings day as the participant's meetings page shows it.

Each read asks ``meetings.take_part``, the permission of the meetings pages (the event's
confirmed delegates, its experts and its organisers), about the event. A topic marked
confidential never leaves the platform: ``topics.visible_topic`` with the purpose
``MACHINE_EXPORT`` gives null for it, whoever asks (the flag ``confidential`` says so); its
readers see it on the meetings pages.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from fusionforum.api.errors import Conflict
from fusionforum.api.schema import EVENT_SLUG
from fusionforum.events.access import ApiEventResource
from fusionforum.events.models import Module

from .. import agenda, publishing, services, topics
from ..forms import RequestForm
from ..models import Expert, MeetingRequest, MeetingSettings
from ..serializers import MeetingReleaseSerializer

TAKE_PART = "meetings.take_part"
MAX_ID = 2**63 - 1  # the database's 64-bit keys


def _topic(meeting) -> str | None:
    return topics.visible_topic(meeting, purpose=topics.Purpose.MACHINE_EXPORT)


class ExpertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expert
        fields = ["id", "name", "title", "department", "disciplines", "keywords", "bio",
                  "languages", "location"]
        read_only_fields = fields


class MeetingRequestSerializer(serializers.ModelSerializer):
    expert = serializers.IntegerField(source="expert_id", allow_null=True, read_only=True)
    expert2 = serializers.IntegerField(
        source="expert2_id", allow_null=True, read_only=True,
        help_text="A request for two experts together: the second seat's named expert.")
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    topic = serializers.SerializerMethodField(help_text="Null when confidential.")
    attendees = serializers.SerializerMethodField()

    class Meta:
        model = MeetingRequest
        fields = ["id", "status", "organisation", "expert", "discipline", "expert2",
                  "discipline2", "topic", "confidential", "priority", "attendees",
                  "submitted_at", "updated_at"]
        read_only_fields = fields

    def get_topic(self, obj) -> str | None:
        return _topic(obj)

    def get_attendees(self, obj) -> list[str]:
        return [person.get_full_name() for person in obj.attendees.all()]


SECOND_SEAT = ("On a change, absent (both `expert2` and `discipline2` left out): the request "
               "keeps its second seat; null (or an empty `discipline2`) with the other one "
               "absent or null: one expert only, a second seat is cleared.")


class MeetingRequestWriteSerializer(serializers.Serializer):
    """A request as the request form takes it: the first seat (a named expert or a discipline)
    and, for two experts together, the second seat (`expert2` or `discipline2`)."""

    expert = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                      max_value=MAX_ID, help_text=(
        "The expert's number (from the experts list); or give `discipline`."))
    discipline = serializers.CharField(required=False, allow_blank=True, max_length=60)
    expert2 = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text=(
            "Two experts meet the organisation together: the second seat's expert (their "
            "number, not the first seat's); or give `discipline2`. " + SECOND_SEAT))
    discipline2 = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=60, help_text=(
            "The second seat as anyone of a discipline (its key); or give `expert2`. "
            + SECOND_SEAT))
    topic = serializers.CharField(max_length=1500)
    priority = serializers.IntegerField(default=1, min_value=1, max_value=1000, help_text=(
        "1 is the organisation's most important request."))
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1,
                                                                     max_value=MAX_ID),
                                      required=False, max_length=100,
                                      help_text="Registered participants of the person's "
                                                "organisation (their numbers); default: "
                                                "the person.")
    confidential = serializers.BooleanField(default=False)

    def validate(self, data):
        # A seat is a named expert or a discipline, never both (the form has one list).
        for expert, discipline in (("expert", "discipline"), ("expert2", "discipline2")):
            if data.get(expert) is not None and data.get(discipline):
                raise serializers.ValidationError(
                    {discipline: [_("Choose either an expert or a discipline.")]})
        return data


class PublishedMeetingSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    expert = serializers.IntegerField(help_text="The first expert (a group meeting's named "
                                                "seat comes first).")
    experts = serializers.SerializerMethodField(
        help_text="Every expert of the meeting: two for a meeting with two experts together.")
    expert_name = serializers.SerializerMethodField(
        help_text="The experts' names joined in the answer's language (\"A and B\").")
    expert_names = serializers.SerializerMethodField(help_text="The names of `experts`.")
    location = serializers.CharField(allow_blank=True)
    organisation_name = serializers.CharField()
    topic = serializers.SerializerMethodField(help_text="Null when confidential.")
    confidential = serializers.BooleanField(default=False)
    mine = serializers.BooleanField(help_text="The person attends it.")

    def get_experts(self, meeting) -> list[int]:
        return publishing.experts_of(meeting)

    def get_expert_name(self, meeting) -> str:
        return publishing.expert_words(meeting)

    def get_expert_names(self, meeting) -> list[str]:
        return publishing.expert_names_of(meeting)

    def get_topic(self, meeting) -> str | None:
        return _topic(meeting)


class MeetingsDaySerializer(serializers.Serializer):
    release = MeetingReleaseSerializer(allow_null=True)
    meetings = PublishedMeetingSerializer(many=True)


class MeetingsResource(ApiEventResource):
    module = Module.MEETINGS
    permissions = {"list": TAKE_PART, "retrieve": TAKE_PART}
    login_first = (TAKE_PART,)

    def event(self):
        event = super().event()
        if not MeetingSettings.objects.filter(event=event).exists():
            raise exceptions.NotFound(_("This event has no meetings day."))
        return event


@extend_schema_view(list=extend_schema(
    summary="Experts of the meetings day",
    description="The directory of the meetings pages: active experts.",
    parameters=[EVENT_SLUG, OpenApiParameter("discipline", OpenApiTypes.STR,
                                             description="Only experts of this discipline.")]))
class ExpertViewSet(MeetingsResource):
    serializer_class = ExpertSerializer
    cursor_key = "id"

    def list(self, request, slug):
        event = self.event()
        experts = Expert.objects.filter(event=event, is_active=True)
        discipline = request.query_params.get("discipline", "")
        if discipline:
            choices = dict(event.meeting_settings.discipline_choices)
            if discipline not in choices:
                raise exceptions.ValidationError({"discipline": [
                    _("Choose one of: %(values)s.") % {"values": ", ".join(choices)}]})
            experts = experts.filter(pk__in=[e.pk for e in experts
                                             if discipline in e.disciplines])
        page = self.paginate_queryset(experts)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class NoDelegation(exceptions.PermissionDenied):
    default_detail = gettext_lazy("Only confirmed participants can ask for meetings.")
    default_code = "no_delegation"


def _seat_choice(expert, discipline) -> str:
    """A seat as the request form's list names it."""
    return f"expert:{expert}" if expert is not None else f"discipline:{discipline or ''}"


def _through_the_form(request, event, registration, service, *args):
    """The body through the request form (as the page's POST), then ``service`` (the page's:
    ``submit_request`` or ``update_request``) with the form's values; a field the form or the
    service refuses is a 400 with its field, a closed window or a spent quota a 409.

    The second seat: given by ``expert2`` or ``discipline2`` when either is in the body (null
    in both: none); left out, a change keeps the request's (an older client does not drop
    it)."""
    body = MeetingRequestWriteSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    target = _seat_choice(data.get("expert"), data.get("discipline"))
    kept = args[0] if args and isinstance(args[0], MeetingRequest) else None
    if "expert2" in data or "discipline2" in data:
        second = (_seat_choice(data.get("expert2"), data.get("discipline2"))
                  if data.get("expert2") is not None or data.get("discipline2") else "")
    elif kept is not None and (kept.expert2_id or kept.discipline2):
        second = _seat_choice(kept.expert2_id, kept.discipline2)
    else:
        second = ""
    # The body's own fields go to the request form as they came (as a page's POST does).
    posted = {key: value for key, value in data.items()
              if key in ("topic", "priority", "confidential")}
    form = RequestForm(
        {**posted, "target": target, "target2": second,
         "attendees": data.get("attendees") or [request.user.pk]},
        event=event, experts=list(Expert.objects.filter(event=event, is_active=True)),
        delegates=services.delegates(event, registration.organisation),
        max_priority=event.meeting_settings.max_requests_per_organisation)
    # The form's and the service's seat fields, as the body names them.
    fields = {"target": "expert" if data.get("expert") is not None or not data.get("discipline")
              else "discipline",
              "target2": "discipline2" if second.startswith("discipline:") else "expert2"}
    if not form.is_valid():
        raise exceptions.ValidationError({fields.get(field, field): messages
                                          for field, messages in form.errors.items()})
    try:
        return service(*args, **form.seats(),
                       topic=form.cleaned_data["topic"], priority=form.cleaned_data["priority"],
                       attendees=list(form.cleaned_data["attendees"]),
                       confidential=form.cleaned_data["confidential"])
    except services.RequestRefused as refused:
        if hasattr(refused, "error_dict"):
            raise exceptions.ValidationError({fields.get(field, field): messages
                                              for field, messages
                                              in refused.message_dict.items()}) from None
        raise Conflict(" ".join(refused.messages)) from None


@extend_schema_view(
    list=extend_schema(
        summary="My organisation's meeting requests",
        description="The requests of the person's delegation, as on the meetings page (none "
                    "for experts and organisers, who are no delegation).",
        parameters=[EVENT_SLUG]),
    create=extend_schema(
        summary="Ask for a meeting",
        description="As the request form: a named expert or a discipline, for two experts "
                    "together a second seat (`expert2` or `discipline2`), the topic, the "
                    "priority and who attends. 403 `no_delegation` for someone who is not a "
                    "confirmed participant; 409 when the window is closed or the "
                    "organisation has made its requests.",
        parameters=[EVENT_SLUG], request=MeetingRequestWriteSerializer,
        responses={201: MeetingRequestSerializer}),
)
class MeetingRequestViewSet(MeetingsResource):
    serializer_class = MeetingRequestSerializer
    cursor_key = "id"
    permissions = {"list": TAKE_PART, "create": TAKE_PART}

    def create(self, request, slug):
        event = self.event()
        registration = services.delegation_of(event, request.user)
        if registration is None:
            raise NoDelegation()
        saved = _through_the_form(request, event, registration, services.submit_request,
                                  event, request.user)
        return Response(MeetingRequestSerializer(saved).data, status=status.HTTP_201_CREATED)

    def list(self, request, slug):
        event = self.event()
        registration = services.delegation_of(event, request.user)
        requests = MeetingRequest.objects.none()
        if registration is not None:
            requests = (MeetingRequest.objects.filter(
                event=event, organisation=registration.organisation)
                .select_related("organisation").prefetch_related("attendees"))
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(update=extend_schema(
    summary="Change a meeting request",
    description="As the request's edit page (the delegation's own active requests, while "
                "requests are open): the same body as asking, through the request form and "
                "`update_request`; it replaces the request's expert or discipline, topic, "
                "priority, attendees and confidentiality, and its second seat when "
                "`expert2` or `discipline2` is given (null clears it; both left out keep "
                "it). 404 for another organisation's "
                "request; 409 once it is withdrawn or the window is closed (the page's "
                "message in `detail`).",
    parameters=[EVENT_SLUG, OpenApiParameter("request_id", OpenApiTypes.INT,
                                             OpenApiParameter.PATH)],
    request=MeetingRequestWriteSerializer, responses={200: MeetingRequestSerializer}))
class EditRequestViewSet(MeetingsResource):
    permissions = {"update": TAKE_PART}

    def update(self, request, slug, request_id):
        event = self.event()
        registration = services.delegation_of(event, request.user)
        found = MeetingRequest.objects.filter(
            event=event, pk=request_id,
            organisation_id=getattr(registration, "organisation_id", None)).first()
        if found is None:
            raise exceptions.NotFound(_("No such request."))
        try:
            saved = _through_the_form(request, event, registration, services.update_request,
                                      found, request.user)
        except services.NotAllowed:
            raise exceptions.NotFound(_("No such request.")) from None
        saved = (MeetingRequest.objects.select_related("organisation")
                 .prefetch_related("attendees").get(pk=saved.pk))
        return Response(MeetingRequestSerializer(saved).data)


@extend_schema_view(create=extend_schema(
    summary="Withdraw a meeting request",
    description="As the meetings page's Withdraw button (the delegation's own requests, "
                "while requests are open; twice is harmless). 409 once the window is closed.",
    parameters=[EVENT_SLUG, OpenApiParameter("request_id", OpenApiTypes.INT,
                                             OpenApiParameter.PATH)],
    request=None, responses={200: MeetingRequestSerializer}))
class WithdrawRequestViewSet(MeetingsResource):
    permissions = {"create": TAKE_PART}

    def create(self, request, slug, request_id):
        event = self.event()
        registration = services.delegation_of(event, request.user)
        found = MeetingRequest.objects.filter(
            event=event, pk=request_id,
            organisation_id=getattr(registration, "organisation_id", None)).first()
        if found is None:
            raise exceptions.NotFound(_("No such request."))
        try:
            services.withdraw_request(found, request.user)
        except services.NotAllowed:
            raise exceptions.NotFound(_("No such request.")) from None
        except services.RequestRefused as refused:
            raise Conflict(" ".join(refused.messages)) from None
        found.refresh_from_db()
        return Response(MeetingRequestSerializer(found).data)


@extend_schema_view(retrieve=extend_schema(
    summary="The published meetings day",
    description="The latest published version and the person's meetings in it: their "
                "delegation's (``mine`` when they attend), an expert's own, every meeting "
                "for the organisers. Before the first publication `release` is null.",
    parameters=[EVENT_SLUG], responses=MeetingsDaySerializer))
class MeetingsDayViewSet(MeetingsResource):
    serializer_class = MeetingsDaySerializer
    pagination_class = None

    def retrieve(self, request, slug):
        event = self.event()
        release = services.latest_release(event)
        meetings = []
        if release is not None:
            registration = services.delegation_of(event, request.user)
            expert = services.expert_of(event, request.user)
            if services.is_organiser(request.user, event):
                meetings = [{**m, "mine": request.user.pk in m["attendees"]}
                            for m in release.snapshot.get("meetings", [])]
            elif registration is not None:
                meetings = agenda.participant_meetings(release.snapshot, request.user,
                                                       registration.organisation_id)
            elif expert is not None:
                meetings = [{**m, "mine": True}
                            for m in agenda.expert_meetings(release.snapshot, expert)]
        return Response(MeetingsDaySerializer({"release": release, "meetings": meetings},
                                              context=self.get_serializer_context()).data)
