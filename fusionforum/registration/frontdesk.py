"""The front desk on the day: check people in by their badge's code, count who is here, print
all badges.

Only organisers of the event, in a session verified with their second factor, reach these pages
(``organiser_view``); everyone else gets the same 404 a missing page gives. Check-in is one
service, ``check_in``: it locks the registration row, so two scanners reading the same badge at
once record one check-in and tell the second desk who was first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_safe

from fusionforum.core import audit, clock
from fusionforum.core.forms import AccessibleFormMixin
from fusionforum.events.models import Event

from . import badges
from .access import PERMISSION, organiser_view
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
        with transaction.atomic():
            registration = (Registration.objects
                            .select_for_update(of=("self",))
                            .select_related("event", "user", "organisation")
                            .filter(pk=pk).first())
            if registration is None:
                raise NotFound("No registration matches this badge.")
            if event is not None and registration.event_id != event.pk:
                raise OtherEvent(
                    f"This badge is for another event, not {event.title}.")
            if not by.has_perm(PERMISSION, registration.event):
                raise PermissionDenied("Only the event's organisers check people in.")
            if nonce is not None and not badges.nonce_matches(registration, nonce):
                raise RevokedBadge(
                    "This badge was replaced by a newer one and is no longer valid. "
                    "Ask the person for their current badge or find them by name.", registration)
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
    text = (f"Not admitted: this registration is “{registration.get_status_display().lower()}”, "
            "not confirmed.")
    newer = (Registration.objects.filter(event_id=registration.event_id,
                                         user_id=registration.user_id, status=Status.CONFIRMED)
             .exclude(pk=registration.pk).exists())
    if newer:
        text += (" The person has a newer, confirmed registration: ask for their current badge "
                 "or find them by name.")
    return text


def _already_message(registration: Registration) -> str:
    by = registration.checked_in_by
    who = (by.full_name or by.email) if by is not None else "someone no longer on the team"
    with timezone.override(registration.event.tz):
        at = timezone.localtime(registration.checked_in_at)
    return (f"Already checked in on {formats.date_format(at, 'j F Y')} at "
            f"{formats.time_format(at, 'H:i')} by {who}.")


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


# Views ----------------------------------------------------------------------------------------


class CheckInForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label="Badge code", max_length=badges.MAX_TOKEN_LENGTH, strip=True,
        help_text="Scan the QR code on the badge, or type the code and press Enter.",
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "off", "autocapitalize": "off",
            "autocorrect": "off", "spellcheck": "false", "inputmode": "text",
            "enterkeyhint": "go", "class": "checkin-input",
        }),
        error_messages={"required": "Scan a badge or type its code.",
                        "max_length": "This is not a badge code (too long)."},
    )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    code: str
    message: str
    registration: Registration | None
    status: int


@organiser_view
@require_http_methods(["GET", "POST"])
def checkin(request, event):
    outcome = None
    status = 200
    if request.method == "POST" and "registration" in request.POST:
        outcome = _check_in_by_hand(request, event)
        form = CheckInForm()
    elif request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            outcome = _check_in_by_code(request, event, form.cleaned_data["code"])
            form = CheckInForm()  # empty again for the next badge
        else:
            status = 400
    else:
        form = CheckInForm()
    if outcome is not None:
        status = outcome.status
    query = request.GET.get("q", "")
    with timezone.override(event.tz):
        return render(request, "registration/frontdesk/checkin.html", {
            "event": event, "form": form, "outcome": outcome, "counts": counts(event),
            "recent": recent_check_ins(event), "query": query[:100],
            "found": find_people(event, query), "nav": "checkin",
        }, status=status)


def _check_in_by_code(request, event, code) -> Outcome:
    try:
        registration = check_in(code, by=request.user, event=event)
    except CheckInRefused as refused:
        return _refusal(refused, event)
    return Outcome(True, "checked_in", "Checked in.", registration, 200)


def _check_in_by_hand(request, event) -> Outcome:
    raw = request.POST.get("registration", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return Outcome(False, "unknown", "No such registration.", None, 404)
    registration_id = int(raw)
    try:
        registration = check_in_registration(registration_id, by=request.user, event=event)
    except CheckInRefused as refused:
        return _refusal(refused, event)
    return Outcome(True, "checked_in", "Checked in (found by name).", registration, 200)


def _refusal(refused: CheckInRefused, event) -> Outcome:
    # Show who it is only for this event's registrations.
    registration = refused.registration
    if registration is not None and registration.event_id != event.pk:
        registration = None
    return Outcome(False, refused.code, str(refused), registration, refused.status)


@organiser_view
@require_safe
def all_badges(request, event):
    """Every confirmed badge of the event in one PDF, by organisation then name."""
    registrations = list(Registration.objects
                         .filter(event=event, status=Status.CONFIRMED)
                         .select_related("event", "user", "organisation")
                         .order_by("organisation__name", "user__full_name", "id"))
    content = badges.render_badges(registrations, title=f"Badges · {event.title}")
    audit.record("registration.badges_downloaded", event, actor=request.user,
                 summary=f"{len(registrations)} badges", count=len(registrations))
    return badges.pdf_response(content, f"badges-{event.slug}.pdf")
