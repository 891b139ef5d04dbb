"""The security office's part of the event's dashboard (``events.dashboard``): the only part
about site-access data, shown only to the event's security officers
(``vault.use_security_office``; organisers see none of it). Clearances by status, the seat
holders whose data is still missing by their deadline, and the to-dos: data awaiting a
decision, data missing with a deadline near or passed. Counts only, never values."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import rules
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.events import dashboard

from . import registry, services
from .states import ClearanceStatus

# Missing data becomes a to-do this long before its deadline.
DEADLINE_WARNING = dt.timedelta(days=3)


def _may(user, event) -> bool:
    return event.uses_visits and rules.has_perm("vault.use_security_office", user, event)


def _missing_deadlines(event) -> list[dt.datetime]:
    """The clearance deadline of every seat holder whose data is missing, soonest first."""
    holders = registry.seat_holders(event)
    statuses = services.statuses(event)
    return sorted(holder.clearance_due for user_id, holder in holders.items()
                  if statuses.get(user_id) == services.MISSING)


def figures(event, user, now: dt.datetime) -> dashboard.Panel | None:
    if not _may(user, event):
        return None
    overview = reverse("vault_security:overview", kwargs={"slug": event.slug})
    counts = Counter(services.statuses(event).values())
    missing = _missing_deadlines(event)
    by_day = Counter(dashboard.local_day(event, due) for due in missing)
    panel = dashboard.Panel(key="security", title=_("Site-access data"), order=60, url=overview)
    panel.figures.append(dashboard.Figure(_("Missing"), len(missing), url=overview))
    panel.figures.append(dashboard.Figure(
        _("Awaiting a decision"), counts.get(ClearanceStatus.SUBMITTED, 0), url=overview))
    panel.figures.append(dashboard.Figure(
        _("Approved"), counts.get(ClearanceStatus.APPROVED, 0), url=overview))
    if by_day:
        panel.breakdowns.append(dashboard.Breakdown(
            _("Data missing, by deadline"),
            [(formats.date_format(day, "j F Y"), n) for day, n in sorted(by_day.items())]))
    return panel


def todos(event, user, now: dt.datetime) -> list[dashboard.Todo]:
    if not _may(user, event):
        return []
    overview = reverse("vault_security:overview", kwargs={"slug": event.slug})
    items = []
    waiting = Counter(services.statuses(event).values()).get(ClearanceStatus.SUBMITTED, 0)
    if waiting:
        items.append(dashboard.Todo(
            ngettext("%(count)s person’s site-access data awaits your decision.",
                     "%(count)s people’s site-access data await your decision.", waiting)
            % {"count": waiting}, overview, urgency=1, count=waiting, key="security-decide"))
    soon = [due for due in _missing_deadlines(event) if due <= now + DEADLINE_WARNING]
    if soon:
        items.append(dashboard.Todo(
            ngettext("%(count)s tour seat holder has not given site-access data; the first "
                     "deadline is %(when)s.",
                     "%(count)s tour seat holders have not given site-access data; the "
                     "first deadline is %(when)s.", len(soon))
            % {"count": len(soon), "when": dashboard.deadline_text(event, soon[0])},
            overview, urgency=0, count=len(soon), key="security-missing"))
    return items
