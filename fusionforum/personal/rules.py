"""Who may do what with "My workshop"."""

import rules

# A person's own page and calendar address for an event: anyone signed in (object: the
# Event). The page shows only what is theirs; an empty page for someone who has nothing.
rules.add_perm("personal.see_own_schedule", rules.is_authenticated)
