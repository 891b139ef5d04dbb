"""The life cycle of an organisation's meeting request: every allowed transition, in one place.

    (created) active ──withdraw (the organisation, or its last attendee leaving)──► withdrawn

A request is born active (the model's default), so its first state is no move. A withdrawn
request stays for the record; the organisation may ask again with a new one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fusionforum.core.lifecycle import Machine


class RequestStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RequestStatus

# state -> {next state: the action that moves it there}. No log model: the audit log records
# who withdrew it.
LIFE_CYCLE = Machine("meeting request", RequestStatus, {
    S.ACTIVE: {S.WITHDRAWN: "withdraw"},
    S.WITHDRAWN: {},
}, field="status", initial=S.ACTIVE)
IllegalTransition = LIFE_CYCLE.IllegalTransition
