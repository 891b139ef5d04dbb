"""The one list of webhook event types: name, label, and how the payload's ``data`` is built
(the same serializers as the REST API) and which object it is about (ordering key)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from fusionforum.cfp.serializers import SubmissionSerializer
from fusionforum.meetings.serializers import MeetingReleaseSerializer
from fusionforum.outcomes.serializers import ReportVersionSerializer
from fusionforum.registration.serializers import CheckInSerializer, RegistrationSerializer
from fusionforum.visits.serializers import SeatSerializer

from .serializers import ReleaseSerializer


@dataclass(frozen=True)
class EventType:
    name: str
    label: str
    serializer: type
    # The object a message is about, for ordering: "registration:12".
    prefix: str

    def data(self, subject) -> dict:
        return dict(self.serializer(subject, context={"viewer": None}).data)

    def object_key(self, subject) -> str:
        return f"{self.prefix}:{subject.pk}"


def _types(*types: EventType) -> dict[str, EventType]:
    return {t.name: t for t in types}


EVENT_TYPES: dict[str, EventType] = _types(
    EventType("registration.created", _("A registration is received"),
              RegistrationSerializer, "registration"),
    EventType("registration.confirmed", _("A registration is confirmed"),
              RegistrationSerializer, "registration"),
    EventType("registration.waitlisted", _("A registration goes on the waiting list"),
              RegistrationSerializer, "registration"),
    EventType("registration.cancelled", _("A registration is cancelled"),
              RegistrationSerializer, "registration"),
    EventType("checkin.created", _("A participant is checked in"),
              CheckInSerializer, "registration"),
    EventType("submission.submitted", _("A submission is sent to the call"),
              SubmissionSerializer, "submission"),
    EventType("submission.accepted", _("A submission is accepted"),
              SubmissionSerializer, "submission"),
    EventType("submission.rejected", _("A submission is rejected"),
              SubmissionSerializer, "submission"),
    EventType("submission.confirmed", _("A speaker confirms their talk"),
              SubmissionSerializer, "submission"),
    EventType("programme.released", _("A programme version is released"),
              ReleaseSerializer, "programme-release"),
    EventType("meetings.published", _("The meetings day is published"),
              MeetingReleaseSerializer, "meetings"),
    EventType("meetings.changed", _("A new version of the meetings day is published"),
              MeetingReleaseSerializer, "meetings"),
    EventType("visits.seat_held", _("A tour seat is held"), SeatSerializer, "seat"),
    EventType("visits.seat_freed", _("A held tour seat is freed"), SeatSerializer, "seat"),
    EventType("outcomes.published", _("An outcomes report version is published"),
              ReportVersionSerializer, "outcomes"),
)

# A test message sent from the endpoint's page; nobody subscribes to it.
PING = "webhook.ping"

# The meetings day and the outcomes report are one object per event: their versions keep
# their order (the key is the event's, not the version's).
PER_EVENT = {"meetings", "outcomes", "programme-release"}


def object_key(event_type: EventType, subject, event) -> str:
    if event_type.prefix in PER_EVENT:
        return f"{event_type.prefix}:event-{event.pk}"
    return event_type.object_key(subject)


def choices() -> list[tuple[str, str]]:
    return [(t.name, f"{t.label} ({t.name})") for t in EVENT_TYPES.values()]


