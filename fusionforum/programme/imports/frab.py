"""frab / pretalx schedules: ``schedule.xml``, ``schedule.json`` (version 1) and the hub's
"schedule2" JSON, read leniently.

XML goes through defusedxml with DTDs forbidden: no external entity (XXE), no entity expansion
(billion laughs), no network access; a file that needs any of them is refused as a whole.
Tolerated, with a warning (c3voc's notes list them as common in real files): an empty or
missing acronym, a date-only day start, events without guid, speakers in a flat
``<person>`` text instead of ``<persons>``, a ``<code>`` element, nested ``<link>`` elements,
string ids, extra properties such as ``answers``.
"""

from __future__ import annotations

import datetime as dt
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import (
    Collector,
    FileRejected,
    clean_line,
    parse_date,
    parse_duration,
    parse_hhmm,
    parse_moment,
    split_names,
    whole_file,
)

_PRETALX_CODE = re.compile(r"/talk/([A-Z0-9]{4,12})/?$")


def _code(event_code, url) -> str:
    """The entry's short code: its own ``code``, else the one in a pretalx talk address."""
    if event_code:
        return str(event_code)
    match = _PRETALX_CODE.search(str(url or ""))
    return match.group(1) if match else ""


def _source_id(guid, code, number_id) -> str:
    """Stable id of an entry in its system: guid, else code, else the numeric id."""
    for value in (guid, code):
        if value:
            return str(value)
    return f"id:{number_id}" if number_id not in (None, "") else ""


def _system(generator, urls) -> str:
    if generator:
        return clean_line(generator)[:60]
    if any(_PRETALX_CODE.search(str(url or "")) for url in urls):
        return "pretalx"
    return ""


def _day(index) -> str:
    return _("day %(day)s") % {"day": index}


def _tag(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _tag(child) == name:
            return child
    return None


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _tag(child) == name]


def _text(element: Element, name: str) -> str:
    child = _child(element, name)
    return "".join(child.itertext()).strip() if child is not None else ""


def _moment(date_text: str, start_text: str, fallback_date: dt.date | None, where: str,
            title: str, collector: Collector) -> tuple[dt.date, dt.time] | None:
    """The entry's wall-clock day and time: the local part of ``date``; ``start`` wins when
    the two disagree (files that write local times with a wrong "Z" exist)."""
    moment = parse_moment(date_text)
    start = parse_hhmm(start_text)
    if moment is not None:
        local = moment.replace(tzinfo=None)
        if start is not None and local.time().replace(second=0) != start:
            collector.warn(where, _("“%(title)s”: date %(date)s and start %(start)s "
                                    "disagree; the start time was used.")
                           % {"title": title, "date": date_text, "start": start_text})
            return local.date(), start
        return local.date(), local.time().replace(second=0, microsecond=0)
    if date_text and parse_date(date_text) and start is not None:
        return parse_date(date_text), start
    if fallback_date is not None and start is not None:
        return fallback_date, start
    return None


class _Counts:
    def __init__(self):
        self.values: dict[str, int] = {}

    def add(self, key: str) -> None:
        self.values[key] = self.values.get(key, 0) + 1


def _count_message(key: str, n: int) -> str:
    messages = {
        "no_guid": ngettext(
            "%(n)s event has no guid (the schema requires one); not needed for the import.",
            "%(n)s events have no guid (the schema requires one); not needed for the import.", n),
        "flat_person": ngettext(
            "%(n)s event lists speakers in a flat <person> text instead of <persons>; the "
            "names were split at commas.",
            "%(n)s events list speakers in a flat <person> text instead of <persons>; the "
            "names were split at commas.", n),
        "code_element": ngettext(
            "%(n)s event carries a <code> element (the schema allows code only as an "
            "attribute); ignored.",
            "%(n)s events carry a <code> element (the schema allows code only as an "
            "attribute); ignored.", n),
        "nested_links": ngettext(
            "%(n)s event has nested <link> elements; links are not imported.",
            "%(n)s events have nested <link> elements; links are not imported.", n),
        "string_id": ngettext(
            "%(n)s event has a text id where the schema asks for a number; ignored.",
            "%(n)s events have a text id where the schema asks for a number; ignored.", n),
        "answers": ngettext(
            "%(n)s event or person carries “answers”, which schedule.json version 1 does not "
            "allow; ignored.",
            "%(n)s events or persons carry “answers”, which schedule.json version 1 does not "
            "allow; ignored.", n),
    }
    return messages[key] % {"n": n}


def _report_counts(counts: _Counts, collector: Collector) -> None:
    for key, n in counts.values.items():
        collector.warn(whole_file(), _count_message(key, n))


def parse_xml(data: bytes) -> dict:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FileRejected(_(
            "The file declares a DTD or entities. They are refused for safety (they can read "
            "files or expand without end); a schedule.xml needs none. Remove the <!DOCTYPE> "
            "and try again.")) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise FileRejected(_(
            "The file is not well-formed XML (line %(line)s, column %(column)s): it may be cut "
            "short, or not in the encoding its first line declares.")
            % {"line": line, "column": column}) from None
    except (ValueError, UnicodeError):
        raise FileRejected(_("The file is not readable XML text.")) from None
    if _tag(root) != "schedule":
        raise FileRejected(_("This XML file is not a frab schedule: its root element is "
                             "<%(root)s>, not <schedule>.") % {"root": _tag(root)[:40]})
    collector = Collector("frab-xml", _("frab / pretalx schedule.xml"))
    counts = _Counts()
    conference = _child(root, "conference")
    if conference is None:
        collector.warn("<conference>", _("The file has no <conference> element."))
    else:
        collector.result["title"] = clean_line(_text(conference, "title"))
        if not _text(conference, "acronym"):
            collector.warn("<conference>", _("The conference acronym is empty; not needed "
                                             "for the import."))
    urls: list[str] = []
    if conference is not None:
        collector.set_timezone(_text(conference, "time_zone_name"))
    days = _children(root, "day")
    if not days:
        collector.error(whole_file(), _("The file has no <day> element, so no programme."))
    for position, day in enumerate(days, start=1):
        index = day.get("index") or str(position)
        day_date = parse_date(day.get("date") or day.get("start"))
        collector.add_day(day_date)
        if day.get("start") and parse_moment(day.get("start")) and "T" not in day.get("start"):
            collector.warn(_day(index), _("The day's start “%(start)s” is a date without a "
                                          "time; the events' own times were used.")
                           % {"start": day.get("start")})
        for room in _children(day, "room"):
            room_name = room.get("name") or ""
            for number, event in enumerate(_children(room, "event"), start=1):
                event_id = event.get("id") or event.get("guid") or f"#{number}"
                where = _("day %(day)s, room “%(room)s”, event %(event)s") % {
                    "day": index, "room": clean_line(room_name) or "?", "event": event_id}
                title = clean_line(_text(event, "title"))
                if not event.get("guid"):
                    counts.add("no_guid")
                if _child(event, "code") is not None:
                    counts.add("code_element")
                links = _child(event, "links")
                if links is not None and any(len(link) for link in _children(links, "link")):
                    counts.add("nested_links")
                persons_element = _child(event, "persons")
                if persons_element is not None:
                    persons = [Collector.person(
                        "".join(p.itertext()),
                        source_id=p.get("guid") or p.get("code")
                        or (f"id:{p.get('id')}" if p.get("id") else ""))
                        for p in _children(persons_element, "person")]
                else:
                    flat = _children(event, "person")
                    persons = [Collector.person(name) for p in flat
                               for name in split_names("".join(p.itertext()))]
                    if flat:
                        counts.add("flat_person")
                urls.append(_text(event, "url"))
                code = _code(event.get("code") or "", _text(event, "url"))
                abstract = _text(event, "abstract") or _text(event, "description")
                collector.add(
                    title=title,
                    moment=_moment(_text(event, "date"), _text(event, "start"), day_date, where,
                                   title, collector),
                    minutes=parse_duration(_text(event, "duration")),
                    room=_text(event, "room") or room_name,
                    persons=[p for p in persons if p],
                    abstract=abstract,
                    track=_text(event, "track"),
                    type_=_text(event, "type"),
                    where=where,
                    source_id=_source_id(event.get("guid"), code, event.get("id")),
                    code=code,
                )
    collector._document["source_system"] = _system(
        _text(conference, "generator") if conference is not None else "", urls)
    _report_counts(counts, collector)
    return collector.result


def _persons(persons, counts: _Counts) -> list[dict]:
    """frab / pretalx persons: name, biography, and their guid, code or id."""
    found = []
    for person in persons or []:
        if isinstance(person, dict):
            if "answers" in person:
                counts.add("answers")
            name = (person.get("public_name") or person.get("name")
                    or person.get("full_name") or "")
            built = Collector.person(
                name, bio=str(person.get("biography") or person.get("bio") or ""),
                affiliation=str(person.get("affiliation") or person.get("organisation") or ""),
                source_id=_source_id(person.get("guid"), person.get("code"), person.get("id")),
                role="chair" if str(person.get("role", "")).upper() in ("HOST", "MODERATOR")
                else "speaker")
        elif isinstance(person, str):
            built = Collector.person(person)
        else:
            built = None
        if built:
            found.append(built)
    return found


def parse_json(document: dict) -> dict:
    schedule = document.get("schedule") if isinstance(document, dict) else None
    if not isinstance(schedule, dict):
        raise FileRejected(_("This JSON file has no “schedule” object: it is not a frab or "
                             "pretalx schedule.json."))
    if isinstance(schedule.get("events"), list):
        return _parse_schedule2(schedule)
    conference = schedule.get("conference")
    if not isinstance(conference, dict) or not isinstance(conference.get("days"), list):
        raise FileRejected(_("This schedule.json has no conference days, so no programme."))
    collector = Collector("frab-json", _("frab / pretalx schedule.json"))
    counts = _Counts()
    urls: list[str] = []
    collector.result["title"] = clean_line(conference.get("title"))
    collector.set_timezone(conference.get("time_zone_name"))
    if not conference.get("days"):
        collector.error(whole_file(), _("The schedule has no days."))
    for position, day in enumerate(conference["days"], start=1):
        if not isinstance(day, dict):
            collector.warn(_day(position), _("This day is not an object; skipped."))
            continue
        index = day.get("index", position)
        day_date = parse_date(day.get("date"))
        collector.add_day(day_date)
        rooms = day.get("rooms") or {}
        if not isinstance(rooms, dict):
            collector.warn(_day(index),
                           _("“rooms” is not an object of room names; skipped."))
            continue
        for room_name, events in rooms.items():
            if not isinstance(events, list):
                collector.warn(_("day %(day)s, room “%(room)s”")
                               % {"day": index, "room": clean_line(room_name)},
                               _("The room's events are not a list; skipped."))
                continue
            for number, event in enumerate(events, start=1):
                if not isinstance(event, dict):
                    continue
                event_id = event.get("id") or event.get("guid") or f"#{number}"
                where = _("day %(day)s, room “%(room)s”, event %(event)s") % {
                    "day": index, "room": clean_line(room_name) or "?", "event": event_id}
                if "answers" in event:
                    counts.add("answers")
                if isinstance(event.get("id"), str):
                    counts.add("string_id")
                if not event.get("guid"):
                    counts.add("no_guid")
                title = clean_line(event.get("title"))
                urls.append(str(event.get("url") or ""))
                code = _code(event.get("code"), event.get("url"))
                collector.add(
                    title=title,
                    moment=_moment(str(event.get("date") or ""), str(event.get("start") or ""),
                                   day_date, where, title, collector),
                    minutes=parse_duration(event.get("duration")),
                    room=str(event.get("room") or room_name),
                    persons=_persons(event.get("persons"), counts),
                    abstract=str(event.get("abstract") or event.get("description") or ""),
                    track=str(event.get("track") or ""),
                    type_=str(event.get("type") or ""),
                    where=where,
                    source_id=_source_id(event.get("guid"), code, event.get("id")),
                    code=code,
                )
    collector._document["source_system"] = _system(schedule.get("generator", {}).get("name")
                                                   if isinstance(schedule.get("generator"),
                                                                 dict) else "", urls)
    _report_counts(counts, collector)
    return collector.result


def _parse_schedule2(schedule: dict) -> dict:
    collector = Collector("schedule2", "schedule2 (hub) JSON", source_system="hub")
    collector.warn(whole_file(), _("This is a “schedule2” file (the hub's newer format); it "
                                   "is read leniently: times, rooms, titles, abstracts and "
                                   "speakers."))
    conference = schedule.get("conference") if isinstance(schedule.get("conference"),
                                                           dict) else {}
    collector.result["title"] = clean_line(conference.get("title"))
    collector.set_timezone(conference.get("time_zone_name"))
    tracks = {t.get("slug"): t.get("name") for t in conference.get("tracks", [])
              if isinstance(t, dict)}
    for number, event in enumerate(schedule["events"], start=1):
        if not isinstance(event, dict):
            continue
        where = _("event %(event)s") % {
            "event": event.get("code") or event.get("guid") or f"#{number}"}
        title = clean_line(event.get("title"))
        start = parse_moment(event.get("start"))
        end = parse_moment(event.get("end"))
        minutes = None
        if start and end and (start.tzinfo is None) == (end.tzinfo is None):
            minutes = int((end - start).total_seconds() // 60)
        elif event.get("duration"):
            minutes = parse_duration(event.get("duration"))
        room = event.get("room")
        room_name = room.get("name") if isinstance(room, dict) else room
        track = event.get("track")
        track_name = (track.get("name") or tracks.get(track.get("slug")) or ""
                      if isinstance(track, dict) else track)
        persons = [Collector.person(
            p.get("name", ""), source_id=str(p.get("guid") or p.get("code") or ""),
            role="chair" if p.get("role") in ("HOST", "MODERATOR") else "speaker")
            for p in event.get("participants") or []
            if isinstance(p, dict) and p.get("role", "SPEAKER") in ("SPEAKER", "HOST",
                                                                     "MODERATOR")]
        if start is not None:
            collector.add_day(start.date())
        local = start.replace(tzinfo=None) if start else None
        collector.add(
            title=title,
            moment=(local.date(), local.time().replace(second=0, microsecond=0))
            if local else None,
            minutes=minutes, room=str(room_name or ""), persons=[p for p in persons if p],
            abstract=str(event.get("abstract") or event.get("description") or ""),
            track=str(track_name or ""), type_=str(event.get("type") or ""), where=where,
            source_id=_source_id(event.get("guid"), event.get("code"), event.get("id")),
            code=_code(event.get("code"), event.get("url")),
        )
    return collector.result
