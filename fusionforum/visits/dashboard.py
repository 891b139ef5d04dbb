"""The site visits' part of the event's dashboard (``events.dashboard``), for its organisers
(``visits.manage_visits``): tour seats held against the seats of every run, the waiting lists,
seats per run, and the to-do of an allocation to run once sign-up has closed."""

from __future__ import annotations

import datetime as dt

import rules
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from fusionforum.events import dashboard

from .models import TourRun, VisitSettings
from .states import SeatStatus


def _may(user, event) -> bool:
    return event.uses_visits and rules.has_perm("visits.manage_visits", user, event)


def figures(event, user, now: dt.datetime) -> dashboard.Panel | None:
    if not _may(user, event):
        return None
    runs = list(TourRun.objects.filter(tour__event=event).select_related("tour")
                .annotate(held=Count("seats", filter=Q(seats__status=SeatStatus.HELD)),
                          waiting=Count("seats", filter=Q(seats__status=SeatStatus.WAITLISTED)))
                .order_by("start", "tour__position", "id"))
    overview = reverse("visits_manage:overview", kwargs={"slug": event.slug})
    panel = dashboard.Panel(key="visits", title=_("Site visits"), order=50, url=overview)
    panel.figures.append(dashboard.Figure(
        _("Tour seats held"), sum(run.held for run in runs),
        out_of=sum(run.capacity for run in runs), url=overview))
    panel.figures.append(dashboard.Figure(
        _("On tour waiting lists"), sum(run.waiting for run in runs), url=overview))
    if runs:
        panel.breakdowns.append(dashboard.Breakdown(
            _("Seats held per tour run"), [(str(run), run.held) for run in runs]))
    return panel


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    if not _may(user, event):
        return []
    visit_settings = VisitSettings.objects.filter(event=event).first()
    if visit_settings is None or visit_settings.phase(now) != "closed":
        return []
    return [dashboard.Todo(
        _("Sign-up for the tours has closed: run the allocation."),
        reverse("visits_manage:allocation", kwargs={"slug": event.slug}), urgency=0,
        key="visits-allocation")]
