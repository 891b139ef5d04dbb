"""The front desk on the day: check people in by their badge's code, count who is here, print
all badges.

Only organisers of the event, in a session verified with their second factor, reach its pages
(``views/frontdesk.py``, the gate with ``registration.check_in``); everyone else gets the same
404 a missing page gives. Check-in is one service, ``check_in``: it locks the registration row,
so two scanners reading the same badge at once record one check-in and tell the second desk who
was first.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from fusionforum.core import audit, clock, happenings
from fusionforum.events.models import Event

from . import badges
from .models import Registration
from .states import Status

RECENT = 6
SEARCH_LIMIT = 20


# Check-in -------------------------------------------------------------------------------------


class CheckInRefused(Exception):
    """The badge does not admit anyone now. ``code`` names the reason, ``status`` is the HTTP
    status the desk answers with, ``registration`` is set when the desk may show who it is."""

    code = "refused"
    status = 400

    def __init__(self, message: str, registration: Registration | None = None):
        super().__init__(message)
        self.registration = registration


class BadCode(CheckInRefused):
    code = "forged"
    status = 400


class RevokedBadge(CheckInRefused):
    code = "revoked"
    status = 400


class NotFound(CheckInRefused):
    code = "unknown"
    status = 404


class OtherEvent(CheckInRefused):
    code = "other_event"
    status = 404


class NotAdmitted(CheckInRefused):
    code = "not_confirmed"
    status = 400


class AlreadyCheckedIn(CheckInRefused):
    code = "already_checked_in"
    status = 409


def check_in(token: str, *, by, event: Event | None = None) -> Registration:
    """Check in the holder of the badge ``token``; return their registration.

    ``event``: the event this desk admits to; a badge of another event is refused. Raises a
    CheckInRefused subclass (nothing changes) for garbled, forged, revoked and unknown codes,
    registrations that are not confirmed and people already checked in; PermissionDenied if
    ``by`` does not organise the badge's event.
    """
    try:
        pk, nonce = badges.parse_token(token)
    except badges.ForgedBadge as exc:
        _refused(BadCode(str(exc)), by=by, event=event)
    return _check_in(pk, by=by, event=event, nonce=nonce)


def check_in_registration(registration_id: int, *, by, event: Event) -> Registration:
    """Check in by hand someone the organiser found by name (forgot their badge)."""
    return _check_in(registration_id, by=by, event=event, nonce=None)


def _check_in(pk: int, *, by, event: Event | None, nonce: str | None) -> Registration:
    try:
        with transaction.atomic(durable=True):
            registration = (Registration.objects
                            .select_for_update(of=("self",))
                            .select_related("event", "user", "organisation")
                            .filter(pk=pk).first())
            if registration is None:
                raise NotFound(_("No registration matches this badge."))
            if event is not None and registration.event_id != event.pk:
                raise OtherEvent(
                    _("This badge is for another event, not %(event)s.") % {
                        "event": event.title})
            if not by.has_perm("registration.check_in", registration.event):
                raise PermissionDenied(_("Only the event's organisers check people in."))
            if nonce is not None and not badges.nonce_matches(registration, nonce):
                raise RevokedBadge(
                    _("This badge was replaced by a newer one and is no longer valid. "
                      "Ask the person for their current badge or find them by name."),
                    registration)
            if registration.status != Status.CONFIRMED:
                raise NotAdmitted(_not_admitted_message(registration), registration)
            if registration.checked_in_at is not None:
                raise AlreadyCheckedIn(_already_message(registration), registration)
            now = clock.now()
            # Conditional on "not yet": safe even where the row lock is a no-op.
            changed = (Registration.objects
                       .filter(pk=pk, status=Status.CONFIRMED, checked_in_at__isnull=True)
                       .update(checked_in_at=now, checked_in_by=by, updated_at=now))
            if not changed:
                registration.refresh_from_db()
                raise AlreadyCheckedIn(_already_message(registration), registration)
            registration.checked_in_at = now
            registration.checked_in_by = by
            audit.record("registration.checked_in", registration, actor=by,
                         summary="Checked in at the front desk"
                                 + (" (badge)" if nonce is not None else " (found by name)"))
            happenings.announce("checkin.created", registration, event=registration.event)
            return registration
    except CheckInRefused as refused:
        _refused(refused, by=by, event=event)


def _refused(refused: CheckInRefused, *, by, event) -> NoReturn:
    registration = refused.registration
    audit.record("registration.check_in_refused", registration, actor=by,
                 summary=f"Refused: {refused.code}", reason=refused.code,
                 event=getattr(event, "pk", None))
    raise refused


def _not_admitted_message(registration: Registration) -> str:
    text = _("Not admitted: this registration is “%(status)s”, not confirmed.") % {
        "status": str(registration.get_status_display()).lower()}
    newer = (Registration.objects.filter(event_id=registration.event_id,
                                         user_id=registration.user_id, status=Status.CONFIRMED)
             .exclude(pk=registration.pk).exists())
    if newer:
        text += " " + _("The person has a newer, confirmed registration: ask for their current "
                        "badge or find them by name.")
    return text


def _already_message(registration: Registration) -> str:
    by = registration.checked_in_by
    who = (by.full_name or by.email) if by is not None else _("someone no longer on the team")
    with timezone.override(registration.event.tz):
        at = timezone.localtime(registration.checked_in_at)
    return _("Already checked in on %(date)s at %(time)s by %(who)s.") % {
        "date": formats.date_format(at, "j F Y"), "time": formats.time_format(at, "H:i"),
        "who": who}


def counts(event: Event) -> dict[str, int]:
    confirmed = Registration.objects.filter(event=event, status=Status.CONFIRMED)
    return {"confirmed": confirmed.count(),
            "checked_in": confirmed.filter(checked_in_at__isnull=False).count()}


def recent_check_ins(event: Event, limit: int = RECENT):
    return (Registration.objects
            .filter(event=event, status=Status.CONFIRMED, checked_in_at__isnull=False)
            .select_related("user", "organisation", "checked_in_by")
            .order_by("-checked_in_at", "-id")[:limit])


def find_people(event: Event, query: str):
    """Confirmed registrations whose name, e-mail or organisation contains ``query``."""
    query = " ".join((query or "").split())[:100]
    if len(query) < 2:
        return []
    return list(Registration.objects
                .filter(event=event, status=Status.CONFIRMED)
                .filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query)
                        | Q(organisation__name__icontains=query))
                .select_related("user", "organisation", "checked_in_by")
                .order_by("user__full_name", "id")[:SEARCH_LIMIT])


def badges_to_print(event: Event, *, by) -> list[Registration]:
    """Every confirmed registration of the event, by organisation then name, for printing
    all badges at once; the download is logged."""
    if not by.has_perm("registration.check_in", event):
        raise PermissionDenied(_("Only the event's organisers print its badges."))
    registrations = list(Registration.objects
                         .filter(event=event, status=Status.CONFIRMED)
                         .select_related("event", "user", "organisation")
                         .order_by("organisation__name", "user__full_name", "id"))
    audit.record("registration.badges_downloaded", event, actor=by,
                 summary=f"{len(registrations)} badges", count=len(registrations))
    return registrations
