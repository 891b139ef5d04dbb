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
from django.utils.translation import gettext_lazy as _

from fusionforum.core.lifecycle import Machine


class Status(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Offer expired")


NEW = ""  # before the first transition

S = Status

# state -> {next state: the action that moves it there}
LIFE_CYCLE = Machine("registration", Status, {
    NEW: {S.PENDING: "submit", S.CONFIRMED: "submit", S.WAITLISTED: "submit"},
    S.PENDING: {S.CONFIRMED: "approve", S.WAITLISTED: "approve", S.REJECTED: "reject",
                S.CANCELLED: "cancel"},
    S.CONFIRMED: {S.CANCELLED: "cancel"},
    S.WAITLISTED: {S.OFFERED: "offer", S.CONFIRMED: "promote", S.CANCELLED: "cancel",
                   S.REJECTED: "reject"},
    S.OFFERED: {S.CONFIRMED: "accept", S.EXPIRED: "deadline", S.CANCELLED: "decline"},
    S.CANCELLED: {},
    S.REJECTED: {},
    S.EXPIRED: {},
}, field="status", initial=NEW, log="registration.RegistrationTransition")
TRANSITIONS: dict[str, frozenset[str]] = LIFE_CYCLE.table
IllegalTransition = LIFE_CYCLE.IllegalTransition
check_transition = LIFE_CYCLE.check

# Registrations in these states hold a seat (an offer holds it until its deadline).
HOLDS_SEAT = frozenset({Status.CONFIRMED, Status.OFFERED})
# A person may have one registration per event in these states; after the others they may
# register again.
ACTIVE = frozenset({Status.PENDING, Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED})
