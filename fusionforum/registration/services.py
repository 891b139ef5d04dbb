"""Registration business rules: submit, decide, cancel, the waiting list and check-in.

Each function checks who may act, moves the registration through the state machine (which logs
the transition), keeps the seat rules under the seat lock, and queues the participant's e-mail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.accounts.models import Organisation
from fusionforum.core import audit, clock
from fusionforum.events.models import Event

from . import emails
from .capacity import (
    GENERAL,
    RegistrationClosed,
    any_seat_free,
    assign_pools,
    find_seat,
    seat_counts,
    seat_holders,
    seat_lock,
)
from .forms import format_answer, validate_answers
from .models import Question, Registration, RegistrationSettings, ReservedSeats
from .states import (
    ACTIVE,
    HOLDS_SEAT,
    LIFE_CYCLE,
    IllegalTransition,
    Status,
    check_transition,
)
from .tasks import expire_offer

ACTIVE_STATES = ACTIVE


class RegistrationError(Exception):
    """A rule stops this action; the message says why, for the person who tried."""


class AlreadyRegistered(RegistrationError):
    """The person already has an active registration for this event."""


# The states a submission can lead to.
NEW_STATES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)


# Which e-mail each new state sends.
EMAIL_FOR = {
    Status.PENDING: "pending", Status.CONFIRMED: "confirmed", Status.WAITLISTED: "waitlisted",
    Status.OFFERED: "offered", Status.EXPIRED: "expired", Status.CANCELLED: "cancelled",
    Status.REJECTED: "rejected",
}


def _move(registration: Registration, target: str, *, by=None, note: str = "",
          notify: bool = True, now: dt.datetime | None = None,
          email: emails.Prepared | None = None, waitlist_position: int | None = None,
          **fields) -> Registration:
    """The one place a registration changes state (through its life cycle, which checks,
    writes, logs and announces the move), with its seat fields and the participant's e-mail.

    ``email`` (from ``emails.prepare``) and ``waitlist_position`` are what the caller already
    knows of the e-mail; without them the e-mail's parts are read here.
    """
    now = now or clock.now()
    changes = {}
    if target not in HOLDS_SEAT:
        changes["seat_pool"] = ""
    if target == Status.WAITLISTED:
        changes["waitlisted_at"] = registration.waitlisted_at or now
    if target != Status.OFFERED:
        changes["offer_expires_at"] = None
    changes.update(fields)
    LIFE_CYCLE.move(registration, target, actor=by, note=note, at=now, changes=changes)
    if notify:
        emails.notify(registration, EMAIL_FOR[target], prepared=email,
                      waitlist_position=waitlist_position)
    return registration


def _require_organiser(user, event) -> None:
    if not user.has_perm("registration.manage_registrations", event):
        raise PermissionDenied(_("Only the event's organisers can do this."))


def registration_settings(event) -> RegistrationSettings:
    try:
        return event.registration_settings
    except RegistrationSettings.DoesNotExist as exc:
        raise RegistrationClosed(_("Registration is not set up for this event.")) from exc


def active_registration(event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (Registration.objects.filter(event=event, user=user, status__in=ACTIVE)
            .select_related("organisation").first())


def _check_open(reg_settings: RegistrationSettings, now: dt.datetime) -> None:
    if not reg_settings.is_open_at(now):
        raise RegistrationClosed(
            _("Registration is not open.") if now < reg_settings.opens_at
            else _("Registration has closed.")
        )


def submit(event, user, *, organisation, answers: dict, consent_public_list: bool,
           priority: int = 0) -> Registration:
    """A person registers. Requires a verified e-mail address and an open registration.

    Everything that needs no seat count (the checks, the answers, the e-mail's template and
    its fixed parts) happens before the seat lock; under it, one statement counts the seats
    (and the waiting list ahead), then the registration, its log and its e-mail are written.
    A person already registered is caught by the partial unique index (AlreadyRegistered).
    """
    reg_settings = registration_settings(event)
    now = clock.now()
    _check_open(reg_settings, now)
    if user.email_verified_at is None:
        raise RegistrationError(_("Please confirm your e-mail address before registering."))
    if user.organisation_id != organisation.pk:
        raise RegistrationError(
            _("You can only register for the organisation you belong to."))

    registration = Registration(
        event=event, user=user, organisation=organisation, submitted_at=now,
        answers=validate_answers(event, answers), consent_public_list=consent_public_list,
        priority=priority,
    )
    email = emails.prepare(registration, [EMAIL_FOR[s] for s in NEW_STATES])
    try:
        with seat_lock(event) as locked:
            now = clock.now()
            _check_open(locked, now)  # the locked row is the latest word on the window
            if locked.requires_approval:
                return _move(registration, Status.PENDING, by=user, now=now, email=email)
            seats = seat_counts(locked, organisation, newcomer=(priority, now))
            pool = seats.pool_for(organisation.kind, locked.delegates_per_organisation)
            if pool:
                return _move(registration, Status.CONFIRMED, by=user, now=now, email=email,
                             seat_pool=pool)
            return _move(registration, Status.WAITLISTED, by=user, now=now, email=email,
                         waitlist_position=seats.waitlist_ahead + 1)
    except IntegrityError as exc:
        # The partial unique index: this person already has an active registration (maybe a
        # double submission racing this one).
        raise AlreadyRegistered(_("You are already registered for this event.")) from exc


def approve(registration: Registration, *, by) -> Registration:
    """Organiser approves: a seat if one is free for this person, else the waiting list."""
    _require_organiser(by, registration.event)
    with seat_lock(registration.event) as locked:
        registration = _reload(registration)
        if registration.status != Status.PENDING:
            check_transition(registration.status, Status.CONFIRMED)
        if registration.user.email_verified_at is None:
            raise RegistrationError(
                _("%(email)s has not confirmed their e-mail address yet.")
                % {"email": registration.user.email})
        pool = find_seat(locked, registration.organisation)
        if pool:
            return _move(registration, Status.CONFIRMED, by=by, seat_pool=pool)
        return _move(registration, Status.WAITLISTED, by=by,
                     note="Approved; no seat free for this organisation")


def reject(registration: Registration, *, by, note: str = "") -> Registration:
    _require_organiser(by, registration.event)
    with seat_lock(registration.event):
        registration = _reload(registration)
        return _move(registration, Status.REJECTED, by=by, note=note)


def cancel(registration: Registration, *, by, note: str = "",
           notify: bool = True) -> Registration:
    """The participant (or an organiser) cancels; a freed seat goes to the waiting list."""
    if registration.user_id != getattr(by, "pk", None):
        _require_organiser(by, registration.event)
    with seat_lock(registration.event) as locked:
        registration = _reload(registration)
        held = registration.status in HOLDS_SEAT
        _move(registration, Status.CANCELLED, by=by, note=note, notify=notify)
        if held:
            fill_from_waiting_list(locked, by=by)
        return registration


def accept_offer(registration: Registration, *, by) -> Registration:
    if registration.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the person it was offered to can accept a seat."))
    with seat_lock(registration.event) as locked:
        registration = _reload(registration)
        if registration.status != Status.OFFERED:
            # Only an offer can be accepted (pending or waiting people have no deadline).
            raise IllegalTransition(registration.status, Status.CONFIRMED)
        if clock.now() < registration.offer_expires_at:
            return _move(registration, Status.CONFIRMED, by=by)
        # Too late: the expiry is kept (committed) and the seat passes on.
        _move(registration, Status.EXPIRED, note="Accepted after the deadline")
        fill_from_waiting_list(locked)
    raise RegistrationError(_("The offer expired before you accepted it."))


def promote(registration: Registration, *, by) -> Registration:
    """Organiser confirms someone from the waiting list by hand, if a seat is free for them."""
    _require_organiser(by, registration.event)
    with seat_lock(registration.event) as locked:
        registration = _reload(registration)
        if registration.status != Status.WAITLISTED:
            # Pending people are approved (which checks their e-mail), not promoted.
            raise RegistrationError(_("Only people on the waiting list can be promoted."))
        pool = find_seat(locked, registration.organisation)
        if pool is None:
            raise RegistrationError(
                _("No seat is free for this person (event full or their organisation's cap "
                  "reached). Free a seat or raise the capacity first."))
        return _move(registration, Status.CONFIRMED, by=by, seat_pool=pool,
                     note="Promoted by an organiser")


def fill_from_waiting_list(locked: RegistrationSettings, *, by=None) -> list[Registration]:
    """Offer every free seat to the first eligible people on the waiting list.

    Call under ``seat_lock``, after seats were freed. First the holders are re-seated
    (``reseat_freed``): a seat freed in a reserved pool goes to someone of its kind who sat in
    the general pool, so their general seat is free for anyone. Then, in waiting-list order:
    eligible is whoever finds a free seat in a pool they may use (their kind's reserved seats
    first, then the general pool) while their organisation is below its cap; an offer holds
    that seat at once. Someone not eligible keeps their place.
    """
    reseat_freed(locked, by=by)
    offered = []
    deadline = clock.now() + dt.timedelta(hours=locked.offer_hold_hours)
    for candidate in waiting_list(locked.event).select_related("organisation", "user"):
        pool = find_seat(locked, candidate.organisation)
        if pool is None:
            if not any_seat_free(locked):
                break
            continue
        offered.append(_move(candidate, Status.OFFERED, by=by, seat_pool=pool,
                             offer_expires_at=deadline))
        _schedule_expiry(candidate.pk, deadline)
    return offered


def expire_offers(event=None) -> int:
    """Expire every offer past its deadline and pass the seats on. Returns how many expired."""
    now = clock.now()
    due = Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
    if event is not None:
        due = due.filter(event=event)
    count = 0
    for event_id in sorted(set(due.values_list("event_id", flat=True))):
        with seat_lock(Event.objects.get(pk=event_id)) as locked:
            for registration in due.filter(event_id=event_id).select_related("user"):
                _move(registration, Status.EXPIRED, note="Offer deadline passed")
                count += 1
            fill_from_waiting_list(locked)
    return count


def _schedule_expiry(registration_id: int, deadline: dt.datetime) -> None:
    def enqueue():
        backend = expire_offer.get_backend()
        if backend.supports_defer:
            expire_offer.using(run_after=deadline).enqueue(registration_id)
        # Backends that cannot defer rely on the `expire_offers` command (run it from cron).

    transaction.on_commit(enqueue)


def waiting_list(event):
    """The waiting list in order: priority first, then who waited longest. Positions are
    derived from this order, so the list has no gaps."""
    return (Registration.objects.filter(event=event, status=Status.WAITLISTED)
            .order_by("-priority", "waitlisted_at", "id"))


def waitlist_position(registration: Registration) -> int | None:
    """1 + how many are ahead in ``waiting_list`` order (one COUNT, however long the list)."""
    if registration.status != Status.WAITLISTED:
        return None
    p, t, pk = registration.priority, registration.waitlisted_at, registration.pk
    ahead = waiting_list(registration.event).filter(
        Q(priority__gt=p) | Q(priority=p, waitlisted_at__lt=t)
        | Q(priority=p, waitlisted_at=t, id__lt=pk)
    ).count()
    return ahead + 1


def public_participants(event) -> dict:
    """The public participant list: confirmed people who agreed to appear, by organisation,
    with the answers organisers marked as shown on the list (formatted like everywhere else)."""
    shown_questions = list(event.questions.filter(
        visibility=Question.Visibility.PARTICIPANT_LIST))
    groups: dict = {}
    for registration in (Registration.objects
                         .filter(event=event, status=Status.CONFIRMED, consent_public_list=True,
                                 user__anonymised_at__isnull=True)
                         .select_related("user", "organisation")
                         .order_by("organisation__name", "user__full_name")):
        extra = [(q.label, format_answer(registration.answers.get(str(q.pk))))
                 for q in shown_questions
                 if registration.answers.get(str(q.pk)) not in (None, "", [])]
        groups.setdefault(registration.organisation, []).append(
            {"name": registration.user.full_name or _("(name withheld)"), "extra": extra})
    return groups


def set_priority(registration: Registration, priority: int, *, by) -> Registration:
    _require_organiser(by, registration.event)
    Registration.objects.filter(pk=registration.pk).update(priority=priority)
    registration.priority = priority
    return registration


def _reload(registration: Registration) -> Registration:
    return (Registration.objects.select_related("event", "user", "organisation")
            .get(pk=registration.pk))


def seat_change_error(event, capacity: int, reserved: dict[str, int]) -> str | None:
    """Why the event cannot have ``capacity`` seats with ``reserved`` seats per organisation
    kind, or None. The people who hold a seat must all keep one (``capacity.assign_pools``):
    a change never oversells a pool. Read under ``seat_lock`` for an answer that holds."""
    if capacity < 0 or any(n < 0 for n in reserved.values()):
        return _("Seat numbers cannot be negative.")
    unknown = sorted(set(reserved) - set(Organisation.Kind.values))
    if unknown:
        return _("Unknown organisation kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}
    total_reserved = sum(reserved.values())
    if total_reserved > capacity:
        return ngettext(
            "%(reserved)s seats are reserved but the event would have only %(capacity)s.",
            "%(reserved)s seats are reserved but the event would have only %(capacity)s.",
            capacity,
        ) % {"reserved": total_reserved, "capacity": capacity}
    holders = seat_holders(event)
    sizes = _pool_sizes(capacity, reserved)
    if assign_pools(sizes, holders) is None:
        in_reserved = sum(min(sizes.get(kind, 0), sum(1 for h in holders if h[1] == kind))
                          for kind in reserved)
        needed = len(holders) - in_reserved
        return ngettext(
            "%(holders)s people hold a seat and %(needed)s of them need a seat of the general "
            "pool, which would have only %(general)s. Keep at least %(least)s seats in all (or "
            "fewer reserved ones), or free seats first.",
            "%(holders)s people hold a seat and %(needed)s of them need a seat of the general "
            "pool, which would have only %(general)s. Keep at least %(least)s seats in all (or "
            "fewer reserved ones), or free seats first.",
            len(holders),
        ) % {"holders": len(holders), "needed": needed, "general": sizes[GENERAL],
             "least": total_reserved + needed}
    return None


def _pool_sizes(capacity: int, reserved: dict[str, int]) -> dict[str, int]:
    return {**{k: n for k, n in reserved.items() if n}, GENERAL: capacity - sum(reserved.values())}


def pool_sizes(reg_settings: RegistrationSettings) -> dict[str, int]:
    """Seats per pool of the event as set now: each reserved kind's, and the general pool."""
    return _pool_sizes(reg_settings.capacity,
                       {r.organisation_kind: r.seats for r in reg_settings.reserved.all()})


def _pool_moves(locked: RegistrationSettings) -> list[tuple[int, str, str]] | None:
    """(registration id, from pool, to pool) for every holder ``assign_pools`` puts elsewhere
    than where they sit, or None when the holders do not all fit. Under ``seat_lock``."""
    holders = seat_holders(locked.event)
    pools = assign_pools(pool_sizes(locked), holders)
    if pools is None:
        return None
    return [(pk, current, pools[pk]) for pk, _kind, current in holders if pools[pk] != current]


def _apply_moves(moves: list[tuple[int, str, str]]) -> None:
    for pk, _old, new in moves:
        Registration.objects.filter(pk=pk).update(seat_pool=new)


def reseat(locked: RegistrationSettings) -> int:
    """After a change of the pools, or of the seat holders' organisation kinds (a merge of
    organisations): put every seat holder in the pool ``assign_pools`` gives them (a person of
    a reserved kind moves into its reserved seats, or back to the general pool). Call under
    ``seat_lock``; returns how many moved. Raises RegistrationError, writing nothing, when
    the holders do not all fit."""
    moves = _pool_moves(locked)
    if moves is None:
        reserved = {r.organisation_kind: r.seats for r in locked.reserved.all()}
        raise RegistrationError(seat_change_error(locked.event, locked.capacity, reserved))
    _apply_moves(moves)
    return len(moves)


def reseat_freed(locked: RegistrationSettings, *, by=None) -> int:
    """After seats were freed (a cancellation, an offer expired or declined), before the
    waiting list is consulted: re-seat the holders (``assign_pools``), so that a person of a
    reserved kind who sat in the general pool takes a reserved seat freed for their kind and
    their general seat becomes free for anyone. Under ``seat_lock``; moves are written to the
    audit log like those of a change of the seats. Returns how many moved.

    Freeing seats never makes the holders stop fitting; should they not fit (rows written
    behind the services' back), nobody is moved and the desk shows the oversold pool."""
    moves = _pool_moves(locked)
    if not moves:
        return 0
    _apply_moves(moves)

    audit.record("registration.reseated", locked, actor=by,
                 summary=f"{len(moves)} seat(s) moved pool after seats were freed",
                 moves=[{"registration": pk, "from": old, "to": new}
                        for pk, old, new in moves])
    return len(moves)


def change_seats(event, *, capacity: int, reserved: dict[str, int], by) -> RegistrationSettings:
    """Organiser sets the number of seats and the seats reserved per organisation kind.

    Under the seat lock: refused with a readable reason (nothing changed) when it would leave
    someone who holds a seat without one; otherwise written, every holder re-seated and the
    change logged. New seats are not offered by themselves: the waiting list page shows who
    could take them, and promoting decides under the lock again.
    """
    _require_organiser(by, event)

    reserved = {kind: int(n) for kind, n in reserved.items()}
    with seat_lock(event) as locked:
        error = seat_change_error(event, capacity, reserved)
        if error:
            raise RegistrationError(error)
        before = (locked.capacity, {r.organisation_kind: r.seats for r in locked.reserved.all()})
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        locked.reserved.exclude(organisation_kind__in=[k for k, n in reserved.items() if n]) \
            .delete()
        for kind, seats in reserved.items():
            if seats:
                ReservedSeats.objects.update_or_create(
                    settings=locked, organisation_kind=kind, defaults={"seats": seats})
        moved = reseat(locked)
        audit.record("registration.seats_changed", locked, actor=by,
                     summary=f"Seats {before[0]} -> {capacity}",
                     before={"capacity": before[0], "reserved": before[1]},
                     after={"capacity": capacity,
                            "reserved": {k: n for k, n in reserved.items() if n}},
                     reseated=moved)
        return locked


def validate_capacity_settings(reg_settings: RegistrationSettings) -> None:
    reserved = {r.organisation_kind: r.seats for r in reg_settings.reserved.all()}
    error = seat_change_error(reg_settings.event, reg_settings.capacity, reserved)
    if error:
        raise ValidationError(error)


__all__ = [
    "ACTIVE_STATES", "GENERAL", "AlreadyRegistered", "IllegalTransition", "RegistrationClosed",
    "RegistrationError",
    "accept_offer", "approve", "cancel", "change_seats", "expire_offers",
    "fill_from_waiting_list", "promote",
    "reject", "submit", "waiting_list", "waitlist_position",
]
