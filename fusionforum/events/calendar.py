"""iCalendar feed of an event: one entry per day and per livestream window.

Stream addresses go into the feed only through ``PublicStream.url``, which is empty before
go-live, so a subscribed calendar cannot learn an address early.

Stream windows are written in the event's zone with a TZID, and the feed carries that zone's
VTIMEZONE (RFC 5545 3.2.19, core.ical_zones). Every entry (each day, each stream window)
carries a SEQUENCE that grows by one whenever what it shows changes: a day's label, date or
summary, the event's title or venue, a stream's label, window or address, and a stream's
state (its address appears at go-live, the replay at its end), so a subscribed calendar
replaces its copy instead of keeping a stale one (``services.calendar_sequences`` keeps the
numbers, from a digest of each entry without its DTSTAMP).

The fixed texts are written in ``language`` (the caller chooses: ``?lang=`` or the event's
default language), whatever the language of the request.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEntry

from fusionforum.core.ical_zones import vtimezone

from . import services


def _digest(entry: CalendarEntry, *also: str) -> str:
    return hashlib.sha256(b"\n".join([entry.to_ical(), *(a.encode() for a in also)])
                          ).hexdigest()


def event_calendar(event, streams, *, now: dt.datetime, base_url: str,
                   language: str | None = None) -> bytes:
    language = language or event.default_language
    with translation.override(language):
        return _event_calendar(event, streams, now=now, base_url=base_url, language=language)


def _event_calendar(event, streams, *, now: dt.datetime, base_url: str,
                    language: str) -> bytes:
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
    entries: list[tuple[str, CalendarEntry, str]] = []  # uid, entry, its digest
    for day in event.days.all():
        entry = CalendarEntry()
        uid = f"day-{day.pk}@{host}"
        entry.add("uid", uid)
        entry.add("summary", _("%(event)s: %(day)s") % {"event": event.title, "day": day.label})
        entry.add("dtstart", day.date)
        entry.add("dtend", day.date + dt.timedelta(days=1))
        entry.add("location", location)
        if day.summary:
            entry.add("description", day.summary)
        entry.add("url", page)
        entries.append((uid, entry, _digest(entry)))
    for stream in streams:
        entry = CalendarEntry()
        uid = f"stream-{stream.id}@{host}"
        entry.add("uid", uid)
        entry.add("summary", _("Livestream: %(label)s") % {"label": stream.label})
        entry.add("dtstart", stream.visible_from.astimezone(tz))
        entry.add("dtend", (stream.visible_until or stream.visible_from + dt.timedelta(hours=1))
                  .astimezone(tz))
        livestream_page = base_url.rstrip("/") + f"/{event.slug}/livestream/"
        entry.add("url", stream.url or livestream_page)
        watch_at = stream.url or livestream_page
        entry.add("description", _("Watch at %(address)s") % {"address": watch_at})
        # The state too: going live or ending is a change even when the address is not.
        entries.append((uid, entry, _digest(entry, str(stream.state))))
    sequences = services.calendar_sequences(event, language,
                                            {uid: digest for uid, _e, digest in entries})
    for uid, entry, _digest_value in entries:
        entry.add("dtstamp", now)
        entry.add("sequence", sequences[uid])
        cal.add_component(entry)
    return cal.to_ical()
