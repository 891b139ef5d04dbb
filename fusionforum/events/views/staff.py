"""The staff home at /manage/: every event a person has a role on, with the tools of each role.
Every staff role lands here after logging in (see ``landing_for_staff``)."""

from __future__ import annotations

import rules
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fusionforum.accounts.roles import may_enter_back_office
from fusionforum.core import clock

from ..access import gate
from ..dashboard import current_first
from ..models import TeamMembership
from ..rules import has_staff_role


@never_cache
@require_safe
@gate("events.see_staff_home", load=None, second_factor=True, private=False)
def staff_home(request):
    user = request.user
    memberships = (TeamMembership.objects.filter(user=user).select_related("event")
                   .order_by("-event__start_date", "event__title", "role"))
    roles_by_event: dict = {}
    for membership in memberships:
        roles_by_event.setdefault(membership.event, set()).add(membership.role)
    role_order = [TeamMembership.Role.ORGANISER, TeamMembership.Role.REVIEWER,
                  TeamMembership.Role.SECURITY_OFFICER]
    today = clock.now().date()
    events = [{"event": event, "organiser": TeamMembership.Role.ORGANISER in roles,
               "reviewer": TeamMembership.Role.REVIEWER in roles,
               "security": TeamMembership.Role.SECURITY_OFFICER in roles,
               # Lower case in the middle of a line: "5 December 2026 · organiser, reviewer".
               "roles": [str(role.label).lower() for role in role_order if role in roles]}
              for event, roles in roles_by_event.items()]
    # The current edition first (running, then the next to come), then the past ones.
    order = {event.pk: n for n, event in enumerate(current_first(roles_by_event, today))}
    events.sort(key=lambda item: order[item["event"].pk])
    return render(request, "events/staff_home.html",
                  {"events": events, "back_office": may_enter_back_office(user),
                   "may_create": rules.has_perm("events.create_event", user),
                   "manages_creators": rules.has_perm("events.manage_creators", user),
                   "back_office_url": reverse("admin:index")})


def landing_for_staff(user) -> str | None:
    """After logging in, every staff role and the platform administrators start at /manage/
    (the second factor comes first; see accounts.landing)."""
    if has_staff_role(user) or may_enter_back_office(user):
        return reverse("staff_home")
    return None
