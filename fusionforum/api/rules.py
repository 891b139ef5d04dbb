"""Who may do what with API tokens: each person their own."""

import rules

rules.add_perm("api.manage_own_tokens", rules.is_authenticated & rules.is_active)
