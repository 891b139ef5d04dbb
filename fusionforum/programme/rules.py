"""Who may do what with the programme."""

import rules

from fusionforum.events.rules import can_manage_event

rules.add_perm("programme.manage_programme", can_manage_event)  # object: the Event
for model in ("room", "programmesession", "talkslot", "release"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"programme.{action}_{model}", can_manage_event)
# The personal agenda kept on the server: anyone signed in (object: the Event).
rules.add_perm("programme.keep_agenda", rules.is_authenticated)
# Claiming an imported speaker profile: anyone signed in who holds the e-mailed link (the
# single-use token decides; object: the Event).
rules.add_perm("programme.claim_profile", rules.is_authenticated)
