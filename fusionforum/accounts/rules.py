"""Who may see what of accounts. Organisations are not secret among organisers (they plan
seats and meetings by them); changing them is for platform administrators."""

import rules

from . import roles


@rules.predicate
def organises_any_event(user):
    # Ignores the object: an organisation belongs to no event. Events sit above accounts, so
    # their organisers are known through the roles registry.
    return roles.organises_any_event(user)


rules.add_perm("accounts.view_organisation", rules.is_superuser | organises_any_event)
