"""The "My workshop" calendar feed: every item of a person's schedule in one iCalendar document.

Like the site's other feeds (programme exports, the meetings feed, ``event.ics``): a VTIMEZONE
of the event's zone (``core.ical_zones``), times in that zone with a TZID, stable UIDs, a
DTSTAMP, and a SEQUENCE that grows whenever what an entry shows changes, kept by
``events.services.calendar_sequences`` (``CalendarRevision``: per event, entry and language,
from a digest of the entry without its DTSTAMP), so calendar apps replace their copy of a
moved meeting instead of keeping a stale one. The UIDs carry the owner's id (``mine-<user>-...``):
each person's entries (their clashes, their changes) are their own. Deadlines are moments that
take no time (TRANSP:TRANSPARENT). Same-day changes are written into the entry they concern
("Changed today: ...") and, for what was taken away, as one all-day note of today.

Meeting topics never appear (a calendar service keeps whatever it is sent); only public
programme texts and the person's own places and times do.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEntry

from fusionforum.core import clock
from fusionforum.core.ical_zones import vtimezone
from fusionforum.events import services as event_services

from .schedule import DEADLINE, SURVEY, Schedule

PRODID = "-//Fusion Forum//my workshop//EN"


def _host(site_url: str) -> str:
    return site_url.split("://", 1)[-1].split("/", 1)[0] or "fusionforum.invalid"


def build(schedule: Schedule, *, site_url: str, language: str) -> bytes:
    event, user = schedule.event, schedule.user
    site_url = site_url.rstrip("/")
    host = _host(site_url)
    tz = event.tz
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("%(event)s: my workshop") % {"event": event.title})
    cal.add("x-wr-timezone", event.time_zone)
    years = {event.start_date.year, event.end_date.year}
    years |= {timezone.localtime(i.start, tz).year for i in schedule.items}
    cal.add_component(vtimezone(event.time_zone, years))
    entries: list[tuple[str, CalendarEntry]] = []
    for item in schedule.items:
        entry = CalendarEntry()
        uid = f"mine-{user.pk}-{item.key}-{event.slug}@{host}"
        entry.add("uid", uid)
        moment = item.kind in (DEADLINE, SURVEY)
        summary = item.title if not moment else _("Deadline: %(what)s") % {"what": item.title}
        if item.changes:
            summary = _("Changed: %(summary)s") % {"summary": summary}
        entry.add("summary", summary)
        entry.add("dtstart", timezone.localtime(item.start, tz))
        entry.add("dtend", timezone.localtime(
            item.end if item.end > item.start else item.start + dt.timedelta(minutes=15), tz))
        if moment:
            entry.add("transp", "TRANSPARENT")
        if item.where:
            entry.add("location", item.where)
        lines = [str(item.kind_label)]
        lines += [_("Changed today: %(change)s") % {"change": c} for c in item.changes]
        if item.note:
            lines.append(item.note)
        if item.clashes:
            lines.append(_("Clashes with: %(others)s") % {
                "others": "; ".join(other.title for other in item.clashes)})
        url = site_url + item.url if item.url else ""
        if url:
            lines.append(url)
            entry.add("url", url)
        entry.add("description", "\n\n".join(lines))
        entries.append((uid, entry))
    loose = [text for item, text in schedule.changes if item is None]
    if loose:
        today = timezone.localtime(clock.now(), tz).date()
        entry = CalendarEntry()
        uid = f"mine-{user.pk}-changes-{today.isoformat()}-{event.slug}@{host}"
        entry.add("uid", uid)
        entry.add("summary", _("Changes today"))
        entry.add("dtstart", today)
        entry.add("dtend", today + dt.timedelta(days=1))
        entry.add("transp", "TRANSPARENT")
        entry.add("description", "\n\n".join(loose))
        entries.append((uid, entry))
    digests = {uid: hashlib.sha256(entry.to_ical()).hexdigest() for uid, entry in entries}
    sequences = event_services.calendar_sequences(event, language, digests) if digests else {}
    stamp = clock.now().astimezone(dt.UTC).replace(microsecond=0)
    for uid, entry in entries:
        entry.add("dtstamp", stamp)
        entry.add("sequence", sequences[uid])
        cal.add_component(entry)
    return cal.to_ical()
