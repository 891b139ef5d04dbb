"""Seats: where a registration's seat comes from, and the lock that makes taking one safe.

An event's seats are split into pools: the seats reserved for each organisation kind, and the
general pool (everything not reserved). A person from kind K takes a reserved K seat first,
then a general one. Offers hold a seat like confirmations do.

Every change that takes or frees a seat runs inside ``seat_lock(event)``: one transaction that
first locks the event's RegistrationSettings row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite
the IMMEDIATE transaction already holds the database's write lock). Counting and writing then
happen under the lock, so no two requests can both see the last seat free.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from .models import Registration, RegistrationSettings
from .states import HOLDS_SEAT

GENERAL = "general"


class RegistrationClosed(Exception):
    pass


@contextmanager
def seat_lock(event) -> Iterator[RegistrationSettings]:
    if not settings.REGISTRATION_SEAT_LOCK:
        # NEGATIVE CONTROL FOR THE CONCURRENCY TESTS ONLY: check-then-act without any lock or
        # transaction, as naive code would. The tests show it oversells.
        yield RegistrationSettings.objects.get(event=event)
        return
    with transaction.atomic():
        locked = RegistrationSettings.objects.select_for_update().get(event=event)
        locked.event = event  # the caller's object: no extra query while the lock is held
        yield locked


def pool_sizes(reg_settings: RegistrationSettings) -> dict[str, int]:
    reserved = {r.organisation_kind: r.seats for r in reg_settings.reserved.all()}
    return {**reserved, GENERAL: max(0, reg_settings.capacity - sum(reserved.values()))}


def seats_taken(event) -> dict[str, int]:
    rows = (Registration.objects.filter(event=event, status__in=HOLDS_SEAT)
            .values("seat_pool").annotate(n=Count("id")))
    return {row["seat_pool"]: row["n"] for row in rows}


def organisation_seats(event, organisation) -> int:
    return Registration.objects.filter(
        event=event, organisation=organisation, status__in=HOLDS_SEAT
    ).count()


def find_seat(reg_settings: RegistrationSettings, organisation) -> str | None:
    """The pool a person of ``organisation`` would take a seat from now, or None if full.

    Call under ``seat_lock``: the answer holds only while the lock is held.
    """
    event = reg_settings.event
    cap = reg_settings.delegates_per_organisation
    if cap is not None and organisation_seats(event, organisation) >= cap:
        return None
    sizes = pool_sizes(reg_settings)
    taken = seats_taken(event)
    kind = organisation.kind
    if kind in sizes and taken.get(kind, 0) < sizes[kind]:
        return kind
    if taken.get(GENERAL, 0) < sizes[GENERAL]:
        return GENERAL
    return None


def any_seat_free(reg_settings: RegistrationSettings) -> bool:
    """Some pool still has a seat (for someone); call under ``seat_lock``."""
    taken = seats_taken(reg_settings.event)
    return any(taken.get(pool, 0) < size for pool, size in pool_sizes(reg_settings).items())


def summary(reg_settings: RegistrationSettings) -> dict:
    """Seats per pool for the organisers' overview."""
    sizes = pool_sizes(reg_settings)
    taken = seats_taken(reg_settings.event)
    return {pool: {"seats": size, "taken": taken.get(pool, 0),
                   "free": max(0, size - taken.get(pool, 0))} for pool, size in sizes.items()}
