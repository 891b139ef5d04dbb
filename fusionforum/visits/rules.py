"""Who may use the site visits' pages (object: the Event)."""

import rules

from fusionforum.events.rules import can_manage_event

rules.add_perm("visits.manage_visits", can_manage_event)
# The tours page is for anyone signed in: it says where the person stands (registered or not)
# and offers sign-up only to confirmed participants (the service decides).
rules.add_perm("visits.see_tours", rules.is_authenticated)
