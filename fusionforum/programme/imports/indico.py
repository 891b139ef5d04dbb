"""Indico event export JSON (``/export/event/N.json?detail=contributions``), read leniently.

The shape: ``{"results": [{"title", "timezone", "contributions": [{"title", "startDate":
{"date", "time", "tz"}, "endDate": {...}, "duration", "room", "session", "track",
"description", "speakers": [...], "primaryauthors": [...]}]}]}``. Times are given in ``tz``
(often UTC) and converted to the Indico event's own zone, so a 09:00 talk in Warsaw stays at
09:00. Speakers are the contribution's ``speakers``; an entry without any falls back to its
primary authors (with a warning). Indico events often have no rooms: the Indico session's
name stands for the room then, so parallel sessions do not collide (warned once).
Contributions without a time (not scheduled in Indico) are left out with a warning.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import (
    Collector,
    FileRejected,
    clean_line,
    parse_date,
    parse_hhmm,
    whole_file,
    zone_or_none,
)


def _person_name(person) -> str:
    if not isinstance(person, dict):
        return str(person or "")
    first, last = person.get("first_name") or "", person.get("last_name") or ""
    if first or last:
        return f"{first} {last}".strip()
    full = str(person.get("fullName") or person.get("name") or "")
    if ", " in full:  # Indico writes "Last, First"
        last, first = full.split(", ", 1)
        return f"{first} {last}"
    return full


def _moment(value, event_zone) -> dt.datetime | None:
    if not isinstance(value, dict):
        return None
    date = parse_date(value.get("date"))
    time = parse_hhmm(value.get("time"))
    if date is None or time is None:
        return None
    source_zone = zone_or_none(value.get("tz")) or event_zone or dt.UTC
    moment = dt.datetime.combine(date, time, tzinfo=source_zone)
    return moment.astimezone(event_zone) if event_zone else moment


def parse(document: dict) -> dict:
    results = document.get("results") if isinstance(document, dict) else None
    if isinstance(results, dict):  # a single event, as some Indico versions return
        results = [results]
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise FileRejected(_("This Indico export has no event in its “results”."))
    event = results[0]
    if not isinstance(event.get("contributions"), list):
        raise FileRejected(_("This Indico export has no contributions: export it with "
                             "“detail=contributions” (…/export/event/N.json?detail="
                             "contributions)."))
    collector = Collector("indico", _("Indico event export"))
    collector.result["title"] = clean_line(event.get("title"))
    if len(results) > 1:
        collector.warn(whole_file(), _("The export holds %(count)s events; only the first, "
                                       "“%(title)s”, is imported.")
                       % {"count": len(results), "title": collector.result["title"]})
    event_zone = zone_or_none(event.get("timezone"))
    if event_zone is None:
        collector.warn(whole_file(), _("The Indico event has no known time zone; times are "
                                       "taken as they are written."))
    rooms_from_sessions = 0
    authors_as_speakers = 0
    for number, contribution in enumerate(event["contributions"], start=1):
        if not isinstance(contribution, dict):
            continue
        reference = contribution.get("friendly_id") or contribution.get("id") or number
        where = _("contribution %(reference)s") % {"reference": reference}
        title = clean_line(contribution.get("title"))
        start = _moment(contribution.get("startDate"), event_zone)
        end = _moment(contribution.get("endDate"), event_zone)
        minutes = None
        if start and end:
            minutes = int((end - start).total_seconds() // 60)
        elif contribution.get("duration"):
            minutes = int(contribution["duration"])
        speakers = [_person_name(p) for p in contribution.get("speakers") or []]
        if not speakers and contribution.get("primaryauthors"):
            speakers = [_person_name(p) for p in contribution["primaryauthors"]]
            authors_as_speakers += 1
        room = clean_line(contribution.get("room") or contribution.get("roomFullname")
                          or contribution.get("location"))
        session = clean_line(contribution.get("session"))
        if not room and session:
            room = session
            rooms_from_sessions += 1
        local = start.replace(tzinfo=None) if start else None
        collector.add(
            title=title,
            moment=(local.date(), local.time()) if local else None,
            minutes=minutes, room=room, speakers=speakers,
            abstract=str(contribution.get("description") or ""),
            track=str(contribution.get("track") or session or ""),
            type_=str(contribution.get("type") or ""), where=where,
        )
    if authors_as_speakers:
        collector.warn(whole_file(), ngettext(
            "%(count)s contribution names no speaker; its primary authors were taken as "
            "speakers.",
            "%(count)s contributions name no speaker; their primary authors were taken as "
            "speakers.", authors_as_speakers) % {"count": authors_as_speakers})
    if rooms_from_sessions:
        collector.warn(whole_file(), ngettext(
            "%(count)s contribution has no room; its Indico session's name was used as the "
            "room.",
            "%(count)s contributions have no room; their Indico session's name was used as the "
            "room.", rooms_from_sessions) % {"count": rooms_from_sessions})
    return collector.result
