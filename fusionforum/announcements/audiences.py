"""Who an announcement goes to: one function per audience, each answering the recipients of one
event only. Tour seat holders and missing site-access data come from the vault's registry and
status services (never from the vault's values: only who holds a seat and whether a record
exists)."""

from __future__ import annotations

from dataclasses import dataclass

from fusionforum.accounts.models import User
from fusionforum.cfp.models import Speaker
from fusionforum.cfp.states import SCHEDULABLE
from fusionforum.meetings.models import Expert
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status
from fusionforum.vault import registry as vault_registry
from fusionforum.vault import services as vault_services

from .models import Audience


@dataclass(frozen=True)
class Recipient:
    address: str
    user: User | None  # None: an expert without a login (written to in the event's language)
    name: str


def _people(users) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for user in users:
        if not user.is_active or not user.email:
            continue
        address = user.email.strip().lower()
        found.setdefault(address, Recipient(address, user, user.full_name or user.email))
    return sorted(found.values(), key=lambda r: r.address)


def confirmed(event, *, organisation_kind: str = "") -> list[Recipient]:
    registrations = Registration.objects.filter(event=event, status=Status.CONFIRMED)
    if organisation_kind:
        registrations = registrations.filter(organisation__kind=organisation_kind)
    return _people(User.objects.filter(pk__in=registrations.values("user_id")))


def speakers(event) -> list[Recipient]:
    links = Speaker.objects.filter(submission__event=event,
                                   submission__state__in=sorted(SCHEDULABLE))
    return _people(User.objects.filter(pk__in=links.values("user_id")))


def experts(event) -> list[Recipient]:
    found: dict[str, Recipient] = {}
    for expert in Expert.objects.filter(event=event, is_active=True).select_related("user"):
        user = expert.user if expert.user_id and expert.user.is_active else None
        address = (user.email if user else expert.email).strip().lower()
        if address:
            found.setdefault(address, Recipient(address, user, expert.name))
    return sorted(found.values(), key=lambda r: r.address)


def tour_seat_holders(event) -> list[Recipient]:
    return _people(holder.user for holder in vault_registry.seat_holders(event).values())


def site_access_missing(event) -> list[Recipient]:
    missing = [user_id for user_id, status in vault_services.statuses(event).items()
               if status == vault_services.MISSING]
    return _people(User.objects.filter(pk__in=missing))


def recipients(event, audience: str, organisation_kind: str = "") -> list[Recipient]:
    """The recipients of ``audience`` at ``event``, one per address, in address order."""
    if audience == Audience.CONFIRMED:
        return confirmed(event)
    if audience == Audience.ORGANISATION_KIND:
        return confirmed(event, organisation_kind=organisation_kind)
    if audience == Audience.SPEAKERS:
        return speakers(event)
    if audience == Audience.EXPERTS:
        return experts(event)
    if audience == Audience.TOUR_SEATS:
        return tour_seat_holders(event)
    if audience == Audience.SITE_ACCESS_MISSING:
        return site_access_missing(event)
    raise ValueError(f"Unknown audience {audience!r}")
