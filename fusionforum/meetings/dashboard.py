"""The meetings day's part of the event's dashboard (``events.dashboard``), for its organisers
(``meetings.manage_meetings``): meetings requested against placed, experts, and the to-do of
requests still without a meeting once requests have closed."""

from __future__ import annotations

import datetime as dt

import rules
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.events import dashboard

from .models import Expert, MeetingRequest, MeetingSettings
from .states import RequestStatus


def _may(user, event) -> bool:
    return event.uses_meetings and rules.has_perm("meetings.manage_meetings", user, event)


def counts(event) -> dict[str, int]:
    """Active requests, and how many of them have a meeting in the working schedule."""
    return MeetingRequest.objects.filter(event=event, status=RequestStatus.ACTIVE).aggregate(
        requested=Count("id"), placed=Count("id", filter=Q(meeting__isnull=False)))


def figures(event, user, now: dt.datetime) -> dashboard.Panel | None:
    if not _may(user, event):
        return None
    numbers = counts(event)
    overview = reverse("meetings_manage:overview", kwargs={"slug": event.slug})
    return dashboard.Panel(key="meetings", title=_("Expert meetings"), order=40, url=overview,
                           figures=[
        dashboard.Figure(_("Meetings requested"), numbers["requested"],
                         url=reverse("meetings_manage:requests", kwargs={"slug": event.slug})),
        dashboard.Figure(_("Meetings placed"), numbers["placed"], out_of=numbers["requested"],
                         url=reverse("meetings_manage:schedule", kwargs={"slug": event.slug})),
        dashboard.Figure(_("Experts"), Expert.objects.filter(event=event,
                                                             is_active=True).count(),
                         url=reverse("meetings_manage:experts", kwargs={"slug": event.slug})),
    ])


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    if not _may(user, event):
        return []
    meeting_settings = MeetingSettings.objects.filter(event=event).first()
    if meeting_settings is None or now < meeting_settings.requests_close_at:
        return []
    numbers = counts(event)
    unplaced = numbers["requested"] - numbers["placed"]
    if not unplaced:
        return []
    return [dashboard.Todo(
        ngettext("%(count)s meeting request has no meeting yet.",
                 "%(count)s meeting requests have no meeting yet.", unplaced)
        % {"count": unplaced},
        reverse("meetings_manage:schedule", kwargs={"slug": event.slug}), urgency=1,
        count=unplaced, key="meetings-unplaced")]
