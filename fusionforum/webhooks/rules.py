"""Who may manage an event's webhooks: its organisers (and the platform administrators), the
same predicate as every other organiser page."""

import rules

from fusionforum.events.rules import can_manage_event

rules.add_perm("webhooks.manage_webhooks", can_manage_event)
