"""Which change becomes which webhook event type. Everything here runs after the change's
transaction committed: life-cycle moves come from ``core.lifecycle.moved`` (registrations,
submissions, tour seats), the rest from ``core.happenings.happened`` (check-ins, programme
releases, the meetings day, the outcomes report), which the services announce."""

from __future__ import annotations

from fusionforum.cfp.models import Submission
from fusionforum.cfp.states import SubmissionState
from fusionforum.core import clock
from fusionforum.core.happenings import happened
from fusionforum.core.lifecycle import moved
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status
from fusionforum.visits.models import Seat
from fusionforum.visits.states import SeatStatus

from . import registry, services

REGISTRATION_TYPES = {Status.CONFIRMED: "registration.confirmed",
                      Status.WAITLISTED: "registration.waitlisted",
                      Status.CANCELLED: "registration.cancelled"}
SUBMISSION_TYPES = {SubmissionState.SUBMITTED: "submission.submitted",
                    SubmissionState.ACCEPTED: "submission.accepted",
                    SubmissionState.REJECTED: "submission.rejected",
                    SubmissionState.CONFIRMED: "submission.confirmed"}


def types_of_move(sender, from_state: str, to_state: str) -> list[str]:
    """The event types a move of a ``sender`` row from ``from_state`` to ``to_state`` is."""
    if sender is Registration:
        found = ["registration.created"] if not from_state else []
        if to_state in REGISTRATION_TYPES:
            found.append(REGISTRATION_TYPES[to_state])
        return found
    if sender is Submission:
        return [SUBMISSION_TYPES[to_state]] if to_state in SUBMISSION_TYPES else []
    if sender is Seat:
        if to_state == SeatStatus.HELD:
            return ["visits.seat_held"]
        if from_state == SeatStatus.HELD:
            return ["visits.seat_freed"]
    return []


def _event_of(sender, instance):
    if sender is Seat:
        return instance.run.tour.event
    return instance.event


def on_move(sender, instance, from_state, to_state, actor=None, **kwargs):
    types = types_of_move(sender, from_state, to_state)
    if not types:
        return
    event = _event_of(sender, instance)
    at = clock.now()
    for event_type in types:
        services.emit(event_type, instance, event=event, at=at)


def on_happened(sender, subject, event, at, **kwargs):
    if sender in registry.EVENT_TYPES:
        services.emit(sender, subject, event=event, at=at)


def connect() -> None:
    moved.connect(on_move, dispatch_uid="fusionforum.webhooks.on_move")
    happened.connect(on_happened, dispatch_uid="fusionforum.webhooks.on_happened")
