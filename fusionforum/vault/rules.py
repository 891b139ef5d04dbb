"""Who may use the vault's pages (object: the Event)."""

import rules

from fusionforum.events.rules import is_security_officer

# Only the event's security officers, not its organisers nor the platform administrators.
rules.add_perm("vault.use_security_office", is_security_officer)
# A person's own site-access page: anyone signed in; it says whether data is asked of them.
rules.add_perm("vault.give_own_data", rules.is_authenticated)
