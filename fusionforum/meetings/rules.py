"""Who may use the meetings day's pages (object: the Event)."""

import rules

from fusionforum.events.rules import can_manage_event

from . import services


@rules.predicate
def is_delegate(user, event):
    """A confirmed participant: they meet experts for their organisation."""
    return event is not None and services.delegation_of(event, user) is not None


@rules.predicate
def is_expert(user, event):
    """An expert of the event whose login is linked to the expert."""
    return event is not None and services.expert_of(event, user) is not None


rules.add_perm("meetings.manage_meetings", can_manage_event)
rules.add_perm("meetings.take_part", is_delegate | is_expert | can_manage_event)
rules.add_perm("meetings.see_expert_agenda", is_expert)
