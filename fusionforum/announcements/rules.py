"""Who may send announcements and set up reminders: the event's organisers (and the platform
administrators), the predicate every organiser page uses."""

import rules

from fusionforum.events.rules import can_manage_event

rules.add_perm("announcements.send_announcements", can_manage_event)
# Anyone signed in chooses their own optional reminders of an event they can see.
rules.add_perm("announcements.choose_reminders", rules.is_authenticated)
