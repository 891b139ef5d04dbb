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

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from .models import Registration, RegistrationSettings, ReservedSeats
from .states import HOLDS_SEAT, Status

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



def _sizes(reserved: dict[str, int], capacity: int) -> dict[str, int]:
    return {**reserved, GENERAL: max(0, capacity - sum(reserved.values()))}


def organisation_seats(event, organisation) -> int:
    return Registration.objects.filter(
        event=event, organisation=organisation, status__in=HOLDS_SEAT
    ).count()


@dataclass
class Seats:
    """The seat rules' view of one event at one moment (under ``seat_lock``: until it ends)."""

    sizes: dict[str, int]  # pool -> seats
    taken: dict[str, int]  # pool -> seats held
    organisation_taken: int | None = None  # seats held by the organisation asked about
    waitlist_ahead: int | None = None  # waiting people ahead of a newcomer (see seat_counts)

    def pool_for(self, kind: str, cap: int | None) -> str | None:
        """The pool a person of an organisation of ``kind`` takes a seat from, or None."""
        if cap is not None and (self.organisation_taken or 0) >= cap:
            return None
        if kind in self.sizes and self.taken.get(kind, 0) < self.sizes[kind]:
            return kind
        if self.taken.get(GENERAL, 0) < self.sizes[GENERAL]:
            return GENERAL
        return None


def seat_counts(reg_settings: RegistrationSettings, organisation=None, *,
                newcomer: tuple[int, dt.datetime] | None = None) -> Seats:
    """Reserved seats, seats held per pool, the organisation's seats (when a cap applies) and,
    for ``newcomer`` = (priority, time it joins the waiting list), how many on the waiting
    list are ahead of it: all in one statement (one round trip while the seat lock is held).

    A newcomer is ahead of nobody of its own priority who joined before or at the same moment
    (it gets the highest id), matching ``services.waiting_list``'s order.
    """
    # Only the models' table names are put into the text; every value is a parameter.
    registrations, reserved_seats = Registration._meta.db_table, ReservedSeats._meta.db_table
    held = sorted(str(status) for status in HOLDS_SEAT)
    parts = [
        f"SELECT 'reserved', organisation_kind, seats FROM {reserved_seats} "  # noqa: S608
        f"WHERE settings_id = %s",
        f"SELECT 'taken', seat_pool, COUNT(*) FROM {registrations} "  # noqa: S608
        f"WHERE event_id = %s AND status IN (%s, %s) GROUP BY seat_pool",
    ]
    params: list = [reg_settings.pk, reg_settings.event_id, *held]
    cap = reg_settings.delegates_per_organisation
    if cap is not None and organisation is not None:
        parts.append(f"SELECT 'organisation', '', COUNT(*) FROM {registrations} "  # noqa: S608
                     f"WHERE event_id = %s AND organisation_id = %s AND status IN (%s, %s)")
        params += [reg_settings.event_id, organisation.pk, *held]
    if newcomer is not None:
        priority, joins_at = newcomer
        parts.append(f"SELECT 'ahead', '', COUNT(*) FROM {registrations} "  # noqa: S608
                     f"WHERE event_id = %s AND status = %s AND (priority > %s "
                     f"OR (priority = %s AND waitlisted_at <= %s))")
        params += [reg_settings.event_id, str(Status.WAITLISTED), priority, priority,
                   connection.ops.adapt_datetimefield_value(joins_at)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    reserved = {pool: n for what, pool, n in rows if what == "reserved"}
    seats = Seats(sizes=_sizes(reserved, reg_settings.capacity),
                  taken={pool: n for what, pool, n in rows if what == "taken"})
    for what, _, n in rows:
        if what == "organisation":
            seats.organisation_taken = n
        elif what == "ahead":
            seats.waitlist_ahead = n
    if cap is not None and organisation is not None and seats.organisation_taken is None:
        seats.organisation_taken = 0
    return seats


def find_seat(reg_settings: RegistrationSettings, organisation) -> str | None:
    """The pool a person of ``organisation`` would take a seat from now, or None if full.

    Call under ``seat_lock``: the answer holds only while the lock is held.
    """
    return seat_counts(reg_settings, organisation).pool_for(
        organisation.kind, reg_settings.delegates_per_organisation)


def any_seat_free(reg_settings: RegistrationSettings) -> bool:
    """Some pool still has a seat (for someone); call under ``seat_lock``."""
    seats = seat_counts(reg_settings)
    return any(seats.taken.get(pool, 0) < size for pool, size in seats.sizes.items())


def assign_pools(sizes: dict[str, int],
                 holders: list[tuple[int, str, str]]) -> dict[int, str] | None:
    """Where each seat holder's seat comes from under the pool ``sizes``, or None if they do not
    all fit. ``holders`` are (registration id, organisation kind, current pool).

    A person of kind K sits in K's reserved seats while there are some (those already there
    keep them first), the others in the general pool. This uses the reserved seats as much as
    possible, so if any assignment fits, this one does.
    """
    pools: dict[int, str] = {}
    used = dict.fromkeys(sizes, 0)
    ordered = sorted(holders, key=lambda h: (h[2] != h[1], h[0]))  # keepers first, then by id
    for pk, kind, _current in ordered:
        pool = kind if kind != GENERAL and used.get(kind, 0) < sizes.get(kind, 0) else GENERAL
        pools[pk] = pool
        used[pool] = used.get(pool, 0) + 1
    if used.get(GENERAL, 0) > sizes.get(GENERAL, 0):
        return None
    return pools


def seat_holders(event) -> list[tuple[int, str, str]]:
    """(registration id, organisation kind, pool) of everyone holding a seat; under the lock."""
    return list(Registration.objects.filter(event=event, status__in=HOLDS_SEAT)
                .order_by("id").values_list("id", "organisation__kind", "seat_pool"))


def seats_taken(event) -> dict[str, int]:
    """Seats held per pool (``seat_counts``, like everything that counts seats)."""
    return seat_counts(RegistrationSettings.objects.get(event=event)).taken


def table(seats: Seats) -> dict[str, dict[str, int]]:
    """Seats, taken and free per pool, from the same counts the seat rules use. A pool that
    holds seats but no longer exists (it should not happen: changes of the pools re-seat
    everyone) is shown with 0 seats, so the totals are always the sums of the rows."""
    pools = {**seats.sizes, **{pool: 0 for pool in seats.taken if pool not in seats.sizes}}
    return {pool: {"seats": size, "taken": seats.taken.get(pool, 0),
                   "free": size - seats.taken.get(pool, 0)} for pool, size in pools.items()}


def summary(reg_settings: RegistrationSettings) -> dict:
    """Seats per pool for the organisers' overview: ``seat_counts``, the very counts that
    ``submit``, ``approve`` and the waiting list decide with. ``free`` is seats - taken (never
    clamped: a negative number would show an oversold pool rather than hide it)."""
    return table(seat_counts(reg_settings))
