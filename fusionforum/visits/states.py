"""The life cycle of a tour seat: every allowed transition, in one place.

    (new) ──allocation / free seat / organiser──► held ──cancel──► cancelled
      │                                            └──clearance refused──► refused_clearance
      └──run full──► waitlisted ──seat freed, clearance still possible──► held (promoted)
                        ├──cancel──► cancelled
                        ├──clearance refused──► refused_clearance
                        └──run started / allocation replaced──► expired
"""

from __future__ import annotations

from django.db import models


class SeatStatus(models.TextChoices):
    HELD = "held", "Seat held"
    WAITLISTED = "waitlisted", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"
    REFUSED_CLEARANCE = "refused_clearance", "Clearance refused"
    EXPIRED = "expired", "Expired"


NEW = ""

TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({SeatStatus.HELD, SeatStatus.WAITLISTED}),
    SeatStatus.HELD: frozenset({SeatStatus.CANCELLED, SeatStatus.REFUSED_CLEARANCE}),
    SeatStatus.WAITLISTED: frozenset({SeatStatus.HELD, SeatStatus.CANCELLED,
                                      SeatStatus.REFUSED_CLEARANCE, SeatStatus.EXPIRED}),
    SeatStatus.CANCELLED: frozenset(),
    SeatStatus.REFUSED_CLEARANCE: frozenset(),
    SeatStatus.EXPIRED: frozenset(),
}

ACTIVE = frozenset({SeatStatus.HELD, SeatStatus.WAITLISTED})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str):
        super().__init__(f"A seat cannot go from “{current or 'new'}” to “{target}”.")
        self.current, self.target = current, target


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, target)
