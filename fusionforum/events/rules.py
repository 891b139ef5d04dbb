"""Who may do what with an event. Views, templates and the admin ask by permission name."""

import rules

from .models import Event, EventCreator, TeamMembership


def _has_role(user, role: str, event=None) -> bool:
    """``user`` holds ``role`` on ``event`` (an Event or anything with an ``event_id``);
    without an event, on any event (for list pages and landing pages)."""
    if not user.is_authenticated or not user.is_active:
        return False
    memberships = TeamMembership.objects.filter(user=user, role=role)
    if event is None:
        return memberships.exists()
    event_id = event.pk if isinstance(event, Event) else getattr(event, "event_id", None)
    return memberships.filter(event_id=event_id).exists()


@rules.predicate
def is_organiser(user, event=None):
    return _has_role(user, TeamMembership.Role.ORGANISER, event)


@rules.predicate
def is_reviewer(user, event=None):
    return _has_role(user, TeamMembership.Role.REVIEWER, event)


@rules.predicate
def is_security_officer(user, event=None):
    """Security officer: the only role that sees site-access data."""
    return _has_role(user, TeamMembership.Role.SECURITY_OFFICER, event)


@rules.predicate
def is_team_member(user, event=None):
    """Any role on ``event``'s team (organiser, reviewer, security officer)."""
    if not user.is_authenticated or not user.is_active or event is None:
        return False
    return TeamMembership.objects.filter(user=user, event=event).exists()


@rules.predicate
def is_event_creator(user):
    """Named by a platform administrator to start events (a platform role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return EventCreator.objects.filter(user=user).exists()


def has_staff_role(user) -> bool:
    """Any role on any event's team, or the right to start events; every such role requires
    a second factor."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (TeamMembership.objects.filter(user=user).exists()
            or EventCreator.objects.filter(user=user).exists())


def is_any_organiser(user) -> bool:
    return bool(is_organiser(user))


is_platform_admin = rules.is_superuser

can_manage_event = is_platform_admin | is_organiser

# Organisers edit their own events and everything hanging off them; creating and deleting
# whole events is for platform administrators.
rules.add_perm("events.view_event", can_manage_event)
rules.add_perm("events.change_event", can_manage_event)
rules.add_perm("events.add_event", is_platform_admin)
rules.add_perm("events.delete_event", is_platform_admin)
for model in ("day", "streamlink", "contactmessage"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"events.{action}_{model}", can_manage_event)
rules.add_perm("events.view_teammembership", can_manage_event)
for action in ("add", "change", "delete"):
    rules.add_perm(f"events.{action}_teammembership", is_platform_admin)

# Anyone may see a published event (and an archived one that was published); a draft is seen
# by its team only (and the platform administrators).
rules.add_perm(
    "events.view_public_event",
    rules.predicate(lambda user, event: event is not None and event.is_published)
    | is_team_member | is_platform_admin,
)

# Starting events: the event creators the platform administrators name.
rules.add_perm("events.create_event", is_platform_admin | is_event_creator)
rules.add_perm("events.manage_creators", is_platform_admin)
rules.add_perm("events.view_eventcreator", is_platform_admin)
for action in ("add", "change", "delete"):
    rules.add_perm(f"events.{action}_eventcreator", is_platform_admin)
# The event's own settings page: status, modules, dates.
rules.add_perm("events.change_event_status", can_manage_event)
rules.add_perm("events.change_event_dates", can_manage_event)

# /manage/: anyone with a role on some event's team, and the platform administrators.
rules.add_perm("events.see_staff_home", rules.predicate(has_staff_role) | is_platform_admin)

# An event's dashboard (/manage/<event>/): anyone on its team and the platform administrators;
# each figure and to-do on it asks its own app's permission.
rules.add_perm("events.see_dashboard", is_platform_admin | is_team_member)
# The notices linked from every page's footer: the platform operator's part (privacy, legal,
# accessibility) by platform administrators, an event's part by its organisers.
rules.add_perm("events.edit_platform_notices", is_platform_admin)
rules.add_perm("events.edit_event_notices", can_manage_event)
rules.add_perm("events.view_notice", is_platform_admin)
