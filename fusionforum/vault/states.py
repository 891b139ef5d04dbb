"""The life cycle of a site-access clearance: every allowed transition, in one place.

    (record stored, by default) submitted ──approve──► approved
                                    └──refuse (with a reason)──► refused

The person may correct their values while it is submitted; the security office's decision is
final. A record is born submitted (the model's default), so its first state is no move.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.core.lifecycle import Machine


class ClearanceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting the security office")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


S = ClearanceStatus

# state -> {next state: the action that moves it there}. No log model: the access log
# (AccessLogEntry) and the audit log record the decision.
LIFE_CYCLE = Machine("clearance", ClearanceStatus, {
    S.SUBMITTED: {S.APPROVED: "approve", S.REFUSED: "refuse"},
    S.APPROVED: {},
    S.REFUSED: {},
}, field="status", initial=S.SUBMITTED)
IllegalTransition = LIFE_CYCLE.IllegalTransition
