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
from django.utils.translation import gettext_lazy as _

from fusionforum.core.lifecycle import Machine


class SeatStatus(models.TextChoices):
    HELD = "held", _("Seat held")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    REFUSED_CLEARANCE = "refused_clearance", _("Clearance refused")
    EXPIRED = "expired", _("Expired")


NEW = ""
S = SeatStatus

# state -> {next state: the action that moves it there}
LIFE_CYCLE = Machine("seat", SeatStatus, {
    NEW: {S.HELD: "take", S.WAITLISTED: "queue"},
    S.HELD: {S.CANCELLED: "cancel", S.REFUSED_CLEARANCE: "refuse clearance"},
    S.WAITLISTED: {S.HELD: "promote", S.CANCELLED: "cancel",
                   S.REFUSED_CLEARANCE: "refuse clearance", S.EXPIRED: "expire"},
    S.CANCELLED: {},
    S.REFUSED_CLEARANCE: {},
    S.EXPIRED: {},
}, field="status", initial=NEW, log="visits.SeatTransition")
TRANSITIONS: dict[str, frozenset[str]] = LIFE_CYCLE.table
IllegalTransition = LIFE_CYCLE.IllegalTransition
check = LIFE_CYCLE.check

ACTIVE = frozenset({SeatStatus.HELD, SeatStatus.WAITLISTED})
