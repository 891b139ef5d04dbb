"""Who may see what of accounts. Organisations are not secret among organisers (they plan
seats and meetings by them); changing them is for platform administrators."""

import rules


@rules.predicate
def organises_any_event(user):
    # Ignores the object: an organisation belongs to no event. Imported here because events
    # sits above accounts.
    from fusionforum.events.rules import is_organiser

    return bool(is_organiser(user))


rules.add_perm("accounts.view_organisation", rules.is_superuser | organises_any_event)
