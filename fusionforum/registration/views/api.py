"""The registration app's API: the organisers' registration desk (list with the desk's
filters, one registration, approve / reject / promote / cancel), the front desk's check-in,
and each person's own registrations.

Every action asks the named permission of its web page (``registration.manage_registrations``
for the desk, ``registration.check_in`` for the front desk, both with the second factor) and
calls the same service as the page: ``desk_services.decide`` for the decisions,
``frontdesk.check_in`` / ``check_in_registration`` for the check-in, which answer an unknown,
forged, revoked, other event's, unconfirmed or already checked-in badge exactly as the front
desk does (same reason code, same HTTP status).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from fusionforum.accounts.models import Organisation
from fusionforum.api.errors import Conflict
from fusionforum.api.permissions import in_reach
from fusionforum.api.resources import OwnListViewSet
from fusionforum.api.schema import EVENT_SLUG
from fusionforum.events.access import ApiEventResource
from fusionforum.events.models import Module

from .. import desk_services as desk
from .. import services
from ..capacity import GENERAL
from ..frontdesk import CheckInRefused, check_in, check_in_registration
from ..models import Registration
from ..serializers import CheckInSerializer, RegistrationSerializer
from ..states import Status

MANAGE = "registration.manage_registrations"
CHECK_IN = "registration.check_in"
SIGNED_IN = "registration.register"

REGISTRATION_ID = OpenApiParameter("registration_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                   description="The registration's number.")
YES_NO = ("yes", "no", "true", "false")
# The seat pools: the general one and each organisation kind's reserved seats.
POOLS = (GENERAL, *Organisation.Kind.values)
# The largest number a client may give for a row (the database's 64-bit keys).
MAX_ID = 2**63 - 1


class NoteSerializer(serializers.Serializer):
    """The body of a decision: an optional note, kept in the registration's history (reject
    and cancel, as on the desk)."""

    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=desk.NoteForm.base_fields["note"].max_length)

    def validate_note(self, value):
        form = desk.NoteForm({"note": value})
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get("note", []))
        return form.cleaned_data["note"]


class TransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty for the registration's creation.")
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_by(self, transition) -> str | None:
        return transition.by.get_full_name() if transition.by else None


class RegistrationDetailSerializer(RegistrationSerializer):
    """One registration as the desk's page shows it: with the place on the waiting list and
    the history of its states."""

    waitlist_position = serializers.SerializerMethodField(
        help_text="1 + how many are ahead on the waiting list; null unless waiting.")
    history = TransitionSerializer(source="transitions", many=True, read_only=True)

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "waitlist_position", "history"]
        read_only_fields = fields

    def get_waitlist_position(self, registration) -> int | None:
        return services.waitlist_position(registration)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField(read_only=True, help_text="What happened, as the desk "
                                                              "says it.")
    registration = RegistrationDetailSerializer(read_only=True)


class CheckInRequestSerializer(serializers.Serializer):
    code = serializers.CharField(required=False, max_length=200, help_text=(
        "The badge's code, as its QR code reads."))
    registration = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="Or the registration's number, for someone found by name (forgot their "
                  "badge).")

    def validate(self, attrs):
        if bool(attrs.get("code")) == bool(attrs.get("registration")):
            raise serializers.ValidationError(
                gettext_lazy("Give either a badge code or a registration number."))
        return attrs


class CheckInRefusedError(exceptions.APIException):
    """A badge the front desk refuses: the same reason code and status as the page."""

    def __init__(self, refused: CheckInRefused):
        self.status_code = refused.status
        super().__init__(str(refused), code=refused.code)


def _choice(request, name: str, values) -> str:
    raw = request.query_params.get(name, "")
    if raw and raw not in values:
        raise exceptions.ValidationError({name: [_("Choose one of: %(values)s.")
                                                 % {"values": ", ".join(values)}]})
    return raw


FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values,
                     description="Only registrations in this state."),
    OpenApiParameter("pool", OpenApiTypes.STR, enum=list(POOLS),
                     description="Only those holding a seat of this pool: `general` or an "
                                 "organisation kind's reserved seats."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Organisation.Kind.values,
                     description="Only people of organisations of this kind."),
    OpenApiParameter("organisation", OpenApiTypes.INT,
                     description="Only people of this organisation (its number)."),
    OpenApiParameter("checked_in", OpenApiTypes.STR, enum=list(YES_NO),
                     description="Only those checked in (yes) or not (no)."),
    OpenApiParameter("q", OpenApiTypes.STR,
                     description="Search: name, e-mail address or organisation."),
]


@extend_schema_view(
    list=extend_schema(summary="Registrations of an event (organisers)",
                       description="As the registration desk lists them, oldest first, with "
                                   "its filters.", parameters=[EVENT_SLUG, *FILTERS]),
    retrieve=extend_schema(summary="A registration (organisers)",
                           parameters=[EVENT_SLUG, REGISTRATION_ID],
                           responses=RegistrationDetailSerializer),
)
class RegistrationViewSet(ApiEventResource):
    module = Module.REGISTRATION
    permissions = {"list": MANAGE, "retrieve": MANAGE}
    second_factor = (MANAGE,)
    login_first = (MANAGE,)
    serializer_class = RegistrationSerializer
    cursor_key = "id"

    def filters(self) -> dict:
        request = self.request
        form = desk.RegistrationFilterForm({
            "q": request.query_params.get("q", ""),
            "status": _choice(request, "status", Status.values),
            "kind": _choice(request, "kind", Organisation.Kind.values),
            "organisation": request.query_params.get("organisation", ""),
        }, event=self.event())
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        filters = {k: v for k, v in form.cleaned_data.items() if v and k != "sort"}
        checked_in = _choice(request, "checked_in", YES_NO)
        if checked_in:
            filters["checked_in"] = "yes" if checked_in in ("yes", "true") else "no"
        return filters

    def get_queryset(self):
        registrations = desk.filtered_registrations(self.event(), self.filters())
        pool = _choice(self.request, "pool", POOLS)
        if pool:
            registrations = registrations.filter(seat_pool=pool)
        return registrations

    def list(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def registration(self, registration_id) -> Registration:
        found = (Registration.objects.select_related("event", "user", "organisation",
                                                     "checked_in_by")
                 .prefetch_related("transitions__by")
                 .filter(event=self.event(), pk=registration_id).first())
        if found is None:
            raise exceptions.NotFound(_("No such registration."))
        return found

    def retrieve(self, request, slug, registration_id):
        return Response(RegistrationDetailSerializer(self.registration(registration_id)).data)


def _decision_view(action: str, summary: str, description: str):
    @extend_schema_view(create=extend_schema(
        summary=summary, description=description + " Refused with 409 when the registration's "
        "state does not allow it (the desk's message in `detail`).",
        parameters=[EVENT_SLUG, REGISTRATION_ID], request=NoteSerializer,
        responses={200: DecisionSerializer}))
    class DecisionViewSet(RegistrationViewSet):
        permissions = {"create": MANAGE}

        def create(self, request, slug, registration_id):
            registration = self.registration(registration_id)
            body = NoteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                outcome = desk.decide(registration, action, by=request.user,
                                      note=body.validated_data["note"])
            except desk.EXPECTED_ERRORS as exc:
                raise Conflict(desk.error_text(exc)) from None
            return Response({"outcome": outcome,
                             "registration": RegistrationDetailSerializer(
                                 self.registration(registration_id)).data})

    DecisionViewSet.__name__ = DecisionViewSet.__qualname__ = \
        f"{action.capitalize()}RegistrationViewSet"
    return DecisionViewSet


ApproveViewSet = _decision_view(
    "approve", "Approve a pending registration",
    "As the desk's Approve button: a seat if one is free for this person, else the waiting "
    "list; the person is e-mailed.")
RejectViewSet = _decision_view(
    "reject", "Reject a registration",
    "As the desk's Reject button (pending or waiting); the note is kept in the history.")
PromoteViewSet = _decision_view(
    "promote", "Promote someone from the waiting list",
    "As the waiting list's Promote button: only if a seat is free for them.")
CancelViewSet = _decision_view(
    "cancel", "Cancel a registration",
    "As the desk's Cancel button: a freed seat goes to the waiting list.")


@extend_schema_view(create=extend_schema(
    summary="Check someone in (front desk)",
    description="Scan a badge (`code`) or name a registration found by name "
                "(`registration`), as the front desk page does, with its answers: 404 "
                "`unknown` or `other_event`, 400 `forged`, `revoked` or `not_confirmed`, "
                "409 `already_checked_in` (the problem's `code`).",
    parameters=[EVENT_SLUG], request=CheckInRequestSerializer,
    responses={201: CheckInSerializer}))
class CheckInViewSet(ApiEventResource):
    module = Module.REGISTRATION
    permissions = {"create": CHECK_IN}
    second_factor = (CHECK_IN,)
    login_first = (CHECK_IN,)
    serializer_class = CheckInSerializer

    def create(self, request, slug):
        event = self.event()
        body = CheckInRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            if body.validated_data.get("code"):
                registration = check_in(body.validated_data["code"], by=request.user,
                                        event=event)
            else:
                registration = check_in_registration(body.validated_data["registration"],
                                                     by=request.user, event=event)
        except CheckInRefused as refused:
            raise CheckInRefusedError(refused) from None
        return Response(CheckInSerializer(registration).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(
    summary="My registrations",
    description="The signed-in person's own registrations, in every event the token reaches.",
    parameters=[OpenApiParameter("event", OpenApiTypes.STR,
                                 description="Only this event's (its short name).")]))
class OwnRegistrationViewSet(OwnListViewSet):
    permissions = {"list": SIGNED_IN}
    login_first = (SIGNED_IN,)
    serializer_class = RegistrationSerializer
    cursor_key = "id"

    def get_queryset(self):
        registrations = (Registration.objects.filter(user=self.request.user)
                         .select_related("event", "user", "organisation"))
        return in_reach(self.request, registrations)


class OwnDecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField(read_only=True, help_text="What happened, as the "
                                                              "registration page says it.")
    registration = RegistrationSerializer(read_only=True)


def _own_action_view(name: str, summary: str, description: str, act, done):
    """A button of the person's own registration page (``registration:status``) for one event:
    the same permission (``registration.register``), the same registration
    (``services.active_registration``: 404 without one) and the same service."""

    @extend_schema_view(create=extend_schema(
        summary=summary, description=description + " 404 without an active registration for "
        "this event; 409 when its state does not allow it (the page's message in `detail`).",
        parameters=[EVENT_SLUG], request=None, responses={200: OwnDecisionSerializer}))
    class OwnActionViewSet(ApiEventResource):
        module = Module.REGISTRATION
        permissions = {"create": SIGNED_IN}
        login_first = (SIGNED_IN,)
        serializer_class = RegistrationSerializer

        def create(self, request, slug):
            registration = services.active_registration(self.event(), request.user)
            if registration is None:
                raise exceptions.NotFound(_("You have no registration for this event."))
            try:
                act(registration, by=request.user)
            except (services.RegistrationError, services.IllegalTransition) as exc:
                raise Conflict(str(exc)) from None
            registration = (Registration.objects.select_related("event", "user",
                                                                "organisation")
                            .get(pk=registration.pk))
            return Response({"outcome": str(done()),
                             "registration": RegistrationSerializer(registration).data})

    OwnActionViewSet.__name__ = OwnActionViewSet.__qualname__ = f"Own{name}ViewSet"
    return OwnActionViewSet


OwnCancelViewSet = _own_action_view(
    "Cancel", "Cancel my registration, or decline the seat offered",
    "As the registration page's Cancel my registration button (Decline the seat when a "
    "seat is offered): `services.cancel`; a freed seat goes to the waiting list.",
    lambda registration, by: services.cancel(registration, by=by),
    lambda: gettext_lazy("Your registration is cancelled."))
OwnAcceptViewSet = _own_action_view(
    "Accept", "Accept the seat offered to me",
    "As the registration page's Accept the seat button: `services.accept_offer`, before the "
    "offer's deadline (after it, 409 and the seat passes on).",
    lambda registration, by: services.accept_offer(registration, by=by),
    lambda: gettext_lazy("Your seat is confirmed."))
