"""iCalendar feed of an event: one entry per day and per livestream window.

Stream addresses go into the feed only through ``PublicStream.url``, which is empty before
go-live, so a subscribed calendar cannot learn an address early.

Stream windows are written in the event's zone with a TZID, and the feed carries that zone's
VTIMEZONE (RFC 5545 3.2.19, core.ical_zones). A stream's entry changes by itself at go-live
(its address appears) and at its end: its SEQUENCE is the stream's state (0 before go-live,
1 live, 2 ended), so a subscribed calendar replaces its copy.

The fixed texts are written in ``language`` (the caller chooses: ``?lang=`` or the event's
default language), whatever the language of the request.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEntry

from fusionforum.core.ical_zones import vtimezone

from .models import StreamState

_STATE_SEQUENCE = {StreamState.UPCOMING: 0, StreamState.LIVE: 1, StreamState.ENDED: 2}


def event_calendar(event, streams, *, now: dt.datetime, base_url: str,
                   language: str | None = None) -> bytes:
    with translation.override(language or event.default_language):
        return _event_calendar(event, streams, now=now, base_url=base_url)


def _event_calendar(event, streams, *, now: dt.datetime, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Fusion Forum//fusionforum//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", event.title)
    cal.add("x-wr-timezone", event.time_zone)
    tz = event.tz
    years = {event.start_date.year, event.end_date.year}
    years |= {stream.visible_from.astimezone(tz).year for stream in streams}
    cal.add_component(vtimezone(event.time_zone, years))
    host = base_url.split("//", 1)[-1].strip("/") or "fusionforum"
    address = event.venue_address.replace("\n", ", ")
    location = ", ".join(part for part in (event.venue_name, address) if part)
    page = base_url.rstrip("/") + event.get_absolute_url()
    for day in event.days.all():
        entry = CalendarEntry()
        entry.add("uid", f"day-{day.pk}@{host}")
        entry.add("dtstamp", now)
        entry.add("sequence", 0)
        entry.add("summary", _("%(event)s: %(day)s") % {"event": event.title, "day": day.label})
        entry.add("dtstart", day.date)
        entry.add("dtend", day.date + dt.timedelta(days=1))
        entry.add("location", location)
        if day.summary:
            entry.add("description", day.summary)
        entry.add("url", page)
        cal.add_component(entry)
    for stream in streams:
        entry = CalendarEntry()
        entry.add("uid", f"stream-{stream.id}@{host}")
        entry.add("dtstamp", now)
        entry.add("sequence", _STATE_SEQUENCE.get(stream.state, 0))
        entry.add("summary", _("Livestream: %(label)s") % {"label": stream.label})
        entry.add("dtstart", stream.visible_from.astimezone(tz))
        entry.add("dtend", (stream.visible_until or stream.visible_from + dt.timedelta(hours=1))
                  .astimezone(tz))
        livestream_page = base_url.rstrip("/") + f"/{event.slug}/livestream/"
        entry.add("url", stream.url or livestream_page)
        watch_at = stream.url or livestream_page
        entry.add("description", _("Watch at %(address)s") % {"address": watch_at})
        cal.add_component(entry)
    return cal.to_ical()
