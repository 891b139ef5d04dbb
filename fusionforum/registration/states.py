"""The life cycle of a registration: every allowed transition, in one place.

    (new) ──submit──► pending ──approve──► confirmed ──cancel──► cancelled
      │                  │  └──approve (full)──► waitlisted
      │                  └──reject──► rejected
      └──submit (no approval needed)──► confirmed | waitlisted

    waitlisted ──offer──► offered ──accept──► confirmed
        │                    ├──deadline──► expired
        │                    └──decline──► cancelled
        └──promote (organiser)──► confirmed
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    PENDING = "pending", "Pending approval"
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waiting list"
    OFFERED = "offered", "Seat offered"
    CANCELLED = "cancelled", "Cancelled"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Offer expired"


NEW = ""  # before the first transition

TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({Status.PENDING, Status.CONFIRMED, Status.WAITLISTED}),
    Status.PENDING: frozenset(
        {Status.CONFIRMED, Status.WAITLISTED, Status.REJECTED, Status.CANCELLED}
    ),
    Status.CONFIRMED: frozenset({Status.CANCELLED}),
    Status.WAITLISTED: frozenset(
        {Status.OFFERED, Status.CONFIRMED, Status.CANCELLED, Status.REJECTED}
    ),
    Status.OFFERED: frozenset({Status.CONFIRMED, Status.EXPIRED, Status.CANCELLED}),
    Status.CANCELLED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.EXPIRED: frozenset(),
}

# Registrations in these states hold a seat (an offer holds it until its deadline).
HOLDS_SEAT = frozenset({Status.CONFIRMED, Status.OFFERED})
# A person may have one registration per event in these states; after the others they may
# register again.
ACTIVE = frozenset({Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str):
        current_label = Status(current).label if current else "new"
        super().__init__(
            f"A registration that is “{current_label.lower()}” cannot become "
            f"“{Status(target).label.lower()}”."
        )
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, target)
