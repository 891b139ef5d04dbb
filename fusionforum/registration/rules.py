"""Who may do what with registrations."""

import rules

from fusionforum.events.rules import can_manage_event

rules.add_perm("registration.manage_registrations", can_manage_event)
for model in ("registration", "registrationsettings", "question", "emailtemplate",
              "reservedseats", "registrationtransition"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"registration.{action}_{model}", can_manage_event)
