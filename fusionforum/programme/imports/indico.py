"""Indico's HTTP API exports, read leniently: the event export and the timetable export.

**Event export** (``/export/event/N.json?detail=contributions`` or ``detail=sessions``):
``{"results": [{"title", "timezone", "contributions": [...], "sessions": [SLOT]}]}``. With
``detail=sessions`` the contributions of a session come inside its slots (``_type``
"SessionSlot": ``startDate``, ``endDate``, ``room``, ``slotTitle``, ``conveners``, ``session``
{``title``, ``sessionConveners``}, ``contributions``) and the top-level ``contributions`` are
those without a session. A contribution: ``title``, ``startDate``/``endDate`` as ``{date,
time, tz}`` (``null`` when Indico has not scheduled it: kept as "to place"), ``duration``
(minutes), ``room``, ``session``, ``track``, ``type``, ``description``, ``speakers``,
``primaryauthors``, ``coauthors`` (persons: ``first_name``, ``last_name``, ``fullName``
"Last, First", ``affiliation``, ``title``, ``person_id``).

**Timetable export** (``/export/timetable/N.json``): ``{"results": {"N": {"YYYYMMDD": {ENTRY
id: ENTRY}}}}``, a day without entries being ``{}``. Entries are typed by ``_type`` (or
``entryType``): ``LinkedTimeSchEntry`` / "Session" (a session slot: ``title`` the session's,
``slotTitle``, ``conveners``, ``room``, nested ``entries``), ``ContribSchEntry`` /
"Contribution" (``presenters``: ``firstName``, ``familyName``, ``affiliation``, ``name``;
``contributionId``, ``friendlyId``, ``code``) and ``BreakTimeSchEntry`` / "Break". A slot that
runs past midnight is listed under both days (Indico 3.3): it is read once.

Both: times are given in ``tz`` and converted to the Indico event's zone (the event export's
``timezone``; in a timetable, the zone of its first entry), so a 09:00 talk in Warsaw stays at
09:00. Names are Indico's ("SURNAME, First", "Dr. MAYORAL, Marie-Line") made readable by
``base.person_name``, with the title kept apart. A session slot with contributions is an
entry of its own (``container``: its title, room, times and conveners as chairs) and the
``group`` of its contributions, which the import places inside it; a slot without
contributions is a plain entry.
Speakers are a contribution's speakers (or presenters); one without any falls back to its
primary authors (warned, grouped). Indico events often have no rooms: the session's name stands
for the room then, so parallel sessions do not collide (warned, grouped). Source ids are
Indico's database ids (the same in both exports), so re-importing either export matches.
"""

from __future__ import annotations

import collections
import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import (
    Collector,
    FileRejected,
    clean_line,
    parse_date,
    parse_hhmm,
    person_from_text,
    person_name,
    whole_file,
    zone_or_none,
)

_SLOT_TYPES = {"LinkedTimeSchEntry", "Session", "SessionSlot"}
_CONTRIBUTION_TYPES = {"ContribSchEntry", "Contribution"}
_BREAK_TYPES = {"BreakTimeSchEntry", "Break"}


def is_timetable(document) -> bool:
    """True for a timetable export: ``results`` maps event ids to days (``YYYYMMDD``)."""
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict) or not results:
        return False
    if {"contributions", "title", "_type", "sessions"} & results.keys():
        return False  # a single event, as some Indico versions return it
    return all(isinstance(days, dict) and all(re.fullmatch(r"\d{8}", str(k)) for k in days)
               for days in results.values())


# People ------------------------------------------------------------------------------------


def _text(value) -> str:
    """Indico 2.x wrote some names as one-element lists (a stray comma in its serializer)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return clean_line(value)


def person(raw, *, role: str = "speaker") -> dict | None:
    """A PERSON from an Indico person (event export or timetable shape)."""
    if not isinstance(raw, dict):  # a name written as text: "Jane Doe (CERN)"
        return person_from_text(_text(raw), role=role)
    # Stray commas are real ("last_name": "Ganapathi,"): they would break "Last, First".
    first = _text(raw.get("first_name") or raw.get("firstName")).strip(" ,;")
    last = _text(raw.get("last_name") or raw.get("familyName")).strip(" ,;")
    full = _text(raw.get("fullName") or raw.get("name"))
    _name, found_title = person_name(full)
    title = _text(raw.get("title")) or found_title
    name = f"{last}, {first}" if first and last else (full or last or first)
    source = raw.get("person_id") or raw.get("db_id") or raw.get("id") or ""
    return Collector.person(name, title=title, affiliation=_text(raw.get("affiliation")),
                            source_id=str(source), role=role)


def _persons(raws, role: str) -> list[dict]:
    found = [person(raw, role=role) for raw in raws or []]
    return [p for p in found if p]


# Times -------------------------------------------------------------------------------------


def _moment(value, zone) -> dt.datetime | None:
    """An Indico ``{date, time, tz}`` as an aware datetime in ``zone`` (or in its own zone when
    ``zone`` is None)."""
    if not isinstance(value, dict):
        return None
    date = parse_date(value.get("date"))
    time = parse_hhmm(value.get("time"))
    if date is None or time is None:
        return None
    source_zone = zone_or_none(value.get("tz")) or zone or dt.UTC
    moment = dt.datetime.combine(date, time, tzinfo=source_zone)
    return moment.astimezone(zone) if zone else moment


def _minutes(start, end, duration) -> int | None:
    if start and end:
        return int((end - start).total_seconds() // 60)
    try:
        return int(float(duration)) if duration not in (None, "") else None
    except (TypeError, ValueError):
        return None


class _Reader:
    """What the two exports share: warnings counted, entries added."""

    def __init__(self, collector: Collector, zone):
        self.collector = collector
        self.zone = zone
        self.contributions: set[str] = set()

    def first_time(self, source: str, where: str) -> bool:
        """False for a contribution already read (some Indico versions list a session's
        contributions both in its slots and at the top level)."""
        if not source:
            return True
        if source in self.contributions:
            self.collector.warn(where, _("This contribution appears twice in the export; it "
                                         "was read once."), kind="indico_twice",
                                summary=lambda n: ngettext(
                                    "%(count)s contribution appears twice in the export; read "
                                    "once.",
                                    "%(count)s contributions appear twice in the export; read "
                                    "once.", n) % {"count": n})
            return False
        self.contributions.add(source)
        return True

    def warn_authors(self, where: str) -> None:
        self.collector.warn(where, _("This contribution names no speaker; its primary authors "
                                     "were taken as speakers."), kind="indico_authors",
                            summary=lambda n: ngettext(
                                "%(count)s contribution names no speaker; its primary authors "
                                "were taken as speakers.",
                                "%(count)s contributions name no speaker; their primary "
                                "authors were taken as speakers.", n) % {"count": n})

    def warn_session_room(self, where: str) -> None:
        self.collector.warn(where, _("This entry has no room; its Indico session's name was "
                                     "used as the room."), kind="indico_session_room",
                            summary=lambda n: ngettext(
                                "%(count)s contribution has no room; its Indico session's name "
                                "was used as the room.",
                                "%(count)s contributions have no room; their Indico session's "
                                "name was used as the room.", n) % {"count": n})

    def room(self, raw: dict, fallback: str, session: str, where: str) -> str:
        room = _text(raw.get("room") or raw.get("roomFullname")) or fallback
        if not room and session:
            self.warn_session_room(where)
            return session
        return room

    def add(self, *, title, start, end, duration, **fields) -> None:
        local = start.replace(tzinfo=None) if start else None
        self.collector.add(title=title, moment=(local.date(), local.time()) if local else None,
                           minutes=_minutes(start, end, duration), **fields)


# Event export ------------------------------------------------------------------------------


def parse(document: dict) -> dict:
    results = document.get("results") if isinstance(document, dict) else None
    if isinstance(results, dict):  # a single event, as some Indico versions return
        results = [results]
    if not isinstance(results, list) or not results or not isinstance(results[0], dict):
        raise FileRejected(_("This Indico export has no event in its “results”."))
    event = results[0]
    contributions = event.get("contributions")
    sessions = event.get("sessions")
    if not isinstance(contributions, list) and not isinstance(sessions, list):
        raise FileRejected(_("This Indico export has no contributions: export it with "
                             "“detail=contributions” or “detail=sessions” (…/export/event/N."
                             "json?detail=contributions), or export the timetable "
                             "(…/export/timetable/N.json)."))
    collector = Collector("indico", _("Indico event export"), source_system="indico")
    collector.result["title"] = clean_line(event.get("title"))
    if len(results) > 1:
        collector.warn(whole_file(), _("The export holds %(count)s events; only the first, "
                                       "“%(title)s”, is imported.")
                       % {"count": len(results), "title": collector.result["title"]})
    zone = zone_or_none(event.get("timezone"))
    if zone is None:
        collector.warn(whole_file(), _("The Indico event has no known time zone; times are "
                                       "taken as they are written."))
    else:
        collector.set_timezone(event.get("timezone"))
    reader = _Reader(collector, zone)
    for number, slot in enumerate(sessions if isinstance(sessions, list) else [], start=1):
        if isinstance(slot, dict):
            _event_slot(reader, slot, number)
    for number, contribution in enumerate(contributions or [], start=1):
        if isinstance(contribution, dict):
            _event_contribution(reader, contribution, number, group=None, chairs=[],
                                slot_room="")
    return collector.result


def _session_title(slot: dict) -> str:
    session = slot.get("session") if isinstance(slot.get("session"), dict) else {}
    return _text(session.get("title") or slot.get("title"))


def _slot_group(slot: dict, session_title: str, source: str) -> dict:
    slot_title = _text(slot.get("slotTitle"))
    title = session_title
    if slot_title and slot_title.casefold() != session_title.casefold():
        title = f"{session_title}: {slot_title}" if session_title else slot_title
    return {"source_id": source, "title": title}


def _event_slot(reader: _Reader, slot: dict, number: int) -> None:
    session = slot.get("session") if isinstance(slot.get("session"), dict) else {}
    session_title = _session_title(slot)
    reference = slot.get("id") or number
    where = _("session “%(title)s”, slot %(reference)s") % {"title": session_title,
                                                             "reference": reference}
    group = _slot_group(slot, session_title, f"slot-{reference}")
    chairs = _persons(slot.get("conveners") or session.get("sessionConveners"), "chair")
    contributions = [c for c in slot.get("contributions") or [] if isinstance(c, dict)]
    start = _moment(slot.get("startDate"), reader.zone)
    end = _moment(slot.get("endDate"), reader.zone)
    # The slot is a session of its own (its room, times and conveners); its contributions
    # are placed inside it. Without contributions it is a plain programme entry.
    slot_room = reader.room(slot, "", session_title, where) if start else ""
    if start is not None or not contributions:
        reader.add(title=group["title"] or session_title, start=start, end=end,
                   duration=None, room=slot_room, persons=chairs,
                   abstract=str(session.get("description") or ""), track=session_title,
                   type_=str(session.get("type") or ""), where=where,
                   source_id=f"slot-{reference}", code=_text(slot.get("code")),
                   container=bool(contributions))
    for index, contribution in enumerate(contributions, start=1):
        _event_contribution(reader, contribution, index, group=group, chairs=[],
                            slot_room=slot_room, session_title=session_title)


def _event_contribution(reader: _Reader, contribution: dict, number: int, *, group, chairs,
                        slot_room: str, session_title: str = "") -> None:
    reference = contribution.get("friendly_id") or contribution.get("id") or number
    where = _("contribution %(reference)s") % {"reference": reference}
    session = session_title or _text(contribution.get("session"))
    speakers = _persons(contribution.get("speakers"), "speaker")
    if not speakers and contribution.get("primaryauthors"):
        speakers = _persons(contribution.get("primaryauthors"), "speaker")
        if speakers:
            reader.warn_authors(where)
    start = _moment(contribution.get("startDate"), reader.zone)
    end = _moment(contribution.get("endDate"), reader.zone)
    if group is None and session:
        group = {"source_id": "", "title": session}
    source = str(contribution.get("db_id") or contribution.get("id") or "")
    if not reader.first_time(source, where):
        return
    reader.add(title=contribution.get("title"), start=start, end=end,
               duration=contribution.get("duration"),
               room=reader.room(contribution, slot_room, session, where) if start else
               _text(contribution.get("room") or contribution.get("roomFullname")),
               persons=speakers + chairs, abstract=str(contribution.get("description") or ""),
               track=_text(contribution.get("track")) or session,
               type_=_text(contribution.get("type")), where=where, source_id=source,
               code=_text(contribution.get("code")), group=group)


# Timetable export --------------------------------------------------------------------------


def parse_timetable(document: dict, *, zone_hint: str = "") -> dict:
    results = document["results"]
    event_id, days = next(iter(results.items()))
    collector = Collector("indico-timetable", _("Indico timetable export"),
                          source_system="indico")
    if len(results) > 1:
        collector.warn(whole_file(), _("The export holds the timetables of %(count)s events; "
                                       "only the first (event %(event)s) is imported.")
                       % {"count": len(results), "event": event_id})
    entries = [(day, key, entry) for day, content in sorted(days.items())
               if isinstance(content, dict) for key, entry in content.items()]
    if not entries:
        raise FileRejected(_("This Indico timetable export has no entries: every day of event "
                             "%(event)s is empty. Is the timetable published?")
                           % {"event": event_id})
    # The zone most entries are written in (Indico writes them in the event's zone unless
    # the exporting user chose to see another); UTC only when nothing else is named.
    zones = collections.Counter(
        str(e["startDate"].get("tz")) for _d, _k, e in entries
        if isinstance(e, dict) and isinstance(e.get("startDate"), dict)
        and zone_or_none(e["startDate"].get("tz")))
    named = [name for name, _count in zones.most_common() if name not in ("UTC", "Etc/UTC")]
    zone_name = named[0] if named else (next(iter(zones)) if zones else "")
    if not named and zones and zone_or_none(zone_hint):
        # Every entry in UTC: the exporting user's display zone, not the event's. The times
        # are absolute, so they are shown in the zone of the event they are imported into.
        collector.warn(whole_file(), _("The timetable gives every time in UTC (the display "
                                       "zone of whoever exported it); they were converted to "
                                       "%(zone)s.") % {"zone": zone_hint})
        zone_name = zone_hint
    zone = zone_or_none(zone_name)
    if zone is None:
        collector.warn(whole_file(), _("The timetable names no known time zone; times are "
                                       "taken as they are written."))
    else:
        collector.set_timezone(zone_name)
    for day in sorted(days):
        try:
            collector.add_day(dt.date(int(day[:4]), int(day[4:6]), int(day[6:8])))
        except ValueError:
            collector.warn(whole_file(), _("“%(day)s” is not a date; its entries were read "
                                           "with their own dates.") % {"day": day[:20]})
    reader = _Reader(collector, zone)
    seen: set[str] = set()
    for day, key, entry in entries:
        _timetable_entry(reader, entry, key, day, seen, group=None, chairs=[], slot_room="",
                         session_title="")
    return collector.result


def _entry_type(entry: dict) -> str:
    kind = str(entry.get("_type") or "")
    if kind in _SLOT_TYPES | _CONTRIBUTION_TYPES | _BREAK_TYPES:
        return kind
    return str(entry.get("entryType") or "")


def _timetable_entry(reader: _Reader, entry, key: str, day: str, seen: set[str], *, group,
                     chairs, slot_room: str, session_title: str) -> None:
    if not isinstance(entry, dict):
        return
    identifier = str(entry.get("id") or key)
    if identifier in seen:  # a slot past midnight is listed under both of its days
        return
    seen.add(identifier)
    kind = _entry_type(entry)
    where = _("%(day)s, entry %(entry)s") % {"day": day, "entry": identifier}
    start = _moment(entry.get("startDate"), reader.zone)
    end = _moment(entry.get("endDate"), reader.zone)
    if kind in _SLOT_TYPES:
        session = _text(entry.get("title") or entry.get("sessionTitle"))
        slot_id = entry.get("sessionSlotId") or identifier
        slot_group = _slot_group(entry, session, f"slot-{slot_id}")
        slot_chairs = _persons(entry.get("conveners") or entry.get("personLinks"), "chair")
        children = entry.get("entries") if isinstance(entry.get("entries"), dict) else {}
        # The slot is a session of its own (its room, times and conveners); its
        # contributions and breaks are placed inside it, in its room.
        room = reader.room(entry, "", session, where)
        reader.add(title=slot_group["title"] or session, start=start, end=end,
                   duration=entry.get("duration"), room=room, persons=slot_chairs,
                   abstract=str(entry.get("description") or ""), track=session, type_="",
                   where=where, source_id=f"slot-{slot_id}", code=_text(entry.get("code")),
                   container=bool(children))
        for child_key, child in children.items():
            _timetable_entry(reader, child, child_key, day, seen, group=slot_group,
                             chairs=[], slot_room=room, session_title=session)
        return
    if kind in _BREAK_TYPES:
        reader.add(title=entry.get("title"), start=start, end=end,
                   duration=entry.get("duration"),
                   room=_text(entry.get("room")) or slot_room, persons=[],
                   abstract=str(entry.get("description") or ""), track="", type_="break",
                   where=where, source_id=f"break-{identifier.lstrip('b')}", group=group)
        return
    if kind not in _CONTRIBUTION_TYPES:
        reader.collector.warn(where, _("This entry has an unknown type (“%(type)s”); it was "
                                       "read as a contribution.") % {"type": kind[:40]},
                              kind="indico_unknown_type", summary=lambda n: ngettext(
                                  "%(count)s entry has an unknown type; read as a "
                                  "contribution.",
                                  "%(count)s entries have an unknown type; read as "
                                  "contributions.", n) % {"count": n})
    speakers = _persons(entry.get("presenters") or [
        p for p in entry.get("personLinks") or []
        if isinstance(p, dict) and "speaker" in (p.get("roles") or ["speaker"])], "speaker")
    if not speakers and entry.get("authors"):
        speakers = _persons(entry.get("authors"), "speaker")
        if speakers:
            reader.warn_authors(where)
    source = str(entry.get("contributionId") or entry.get("objId") or identifier.lstrip("c"))
    if not reader.first_time(source, where):
        return
    reader.add(title=entry.get("title"), start=start, end=end, duration=entry.get("duration"),
               room=reader.room(entry, slot_room, session_title, where),
               persons=speakers + chairs, abstract=str(entry.get("description") or ""),
               track=session_title, type_="", where=where, source_id=source,
               code=_text(entry.get("code")), group=group)
