"""frab ``schedule.xml`` of a release, valid against the c3voc schema.xsd (the strict one: the
tests validate every document).

Mapping: one <day> per programme day (start and end: its first session's start and last
session's end), every room in every day, one <event> per talk, plus one per session that has
no talks and is not a break (a keynote, a panel without placed talks). The track of a talk is
its session's title, or for an imported entry the session slot, session or track the system it
came from filed it under (an Indico slot's title). A session slot holding contributions is no
<event> itself (frab has no nesting): its contributions are, with the slot as their track.
Talk ``code`` is the submission's public code, ``guid`` its guid; the legacy numeric ``id``
is derived from the guid (common.uuid_number), so all three stay the same across releases.
<description> holds the public answers only (the snapshot has no others).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import translation
from lxml import etree

from . import common

VERSION_PREFIX = "v"
FRAB_CODE = re.compile(r"[0-9A-Z]{6}")  # the XSD's pretalx-random-code


def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, tag, {k: common.xml_safe(str(v))
                                            for k, v in attributes.items()})
    if text is not None:
        element.text = common.xml_safe(text)
    return element


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def tracks(index: common.Index) -> list[dict]:
    """Distinct session titles in programme order, with a slug each."""
    seen: dict[str, dict] = {}
    for session in index.snapshot["sessions"]:
        name = _track(session)
        if session["kind"] == "break" or session.get("children") or name in seen:
            continue
        seen[name] = {
            "name": name,
            "slug": common.track_slug(name, f"session-{session['id']}"),
        }
    return list(seen.values())


def _track(session: dict) -> str:
    """A session's track: the slot, session or track an imported entry was filed under in
    the system it came from, else the session's title."""
    return session.get("track") or session["title"]


def _own_chairs(talk: dict, session: dict) -> list[str]:
    """The chairs of an imported talk that is its session (an Indico contribution's
    conveners): frab has persons, not roles, so they are listed after the speakers."""
    return session.get("chairs", []) if session.get("talk") == talk["code"] else []


def _talk_type(talk: dict, session: dict) -> str:
    if session.get("kind") == "panel":
        return "Panel"
    if session.get("talk") == talk["code"] and session.get("kind") == "plenary":
        return "Plenary"
    return "Talk"


def entries_by_day(index: common.Index) -> dict[str, list[dict]]:
    """Everything listed as an event, as plain dicts shared by the XML and JSON exporters,
    grouped by programme day: the day its session starts on in the event's zone, so a talk
    after midnight in a late session stays on that evening's day (whose end then lies on the
    next date, as frab days past midnight do)."""
    snapshot = index.snapshot
    event_acronym = common.acronym(snapshot["event"]["slug"])
    entries: list[dict] = []
    for talk in snapshot["talks"]:
        session = index.sessions.get(talk["session"], {})
        start = common.moment(talk["start"], index.tz)
        day = common.moment(session["start"], index.tz).date() if session else start.date()
        entries.append({
            "day": day.isoformat(),
            "code": talk["code"],
            "guid": talk["guid"],
            "id": common.uuid_number(talk["guid"]),
            "start": start,
            "duration": talk["duration_minutes"],
            "room_id": talk["room"],
            "title": talk["title"],
            "type": _talk_type(talk, session),
            # The authors' language; "en" when they did not say (the workshop's usual one).
            "language": talk.get("language") or "en",
            "abstract": talk["abstract"],
            "description": common.public_answers_text(talk),
            "track": _track(session) if session else "",
            "slug": common.talk_slug(event_acronym, talk),
            "persons": [index.speakers[c] for c in dict.fromkeys(
                [*talk["speakers"], *_own_chairs(talk, session)]) if c in index.speakers],
            "url": common.talk_url(snapshot["_site_url"], snapshot["event"]["slug"],
                                   talk["code"]),
        })
    for session in index.standalone_sessions():
        # An imported session keeps the guid (and code) it had in the system it came from.
        guid = session.get("guid") or common.stable_uuid(
            snapshot["_site_url"], "programme-session",
            f"{snapshot['event']['slug']}/{session['id']}")
        start = common.moment(session["start"], index.tz)
        end = common.moment(session["end"], index.tz)
        title_slug = common.track_slug(session["title"], "session")
        entries.append({
            "day": start.date().isoformat(),
            "code": session.get("code"),
            "guid": guid,
            "id": common.uuid_number(guid),
            "start": start,
            "duration": int((end - start).total_seconds() // 60),
            "room_id": session["room"],
            "title": session["title"],
            "type": session["kind"].capitalize(),
            "language": translation.get_language() or "en",  # the organisers' texts
            "abstract": session.get("description", ""),
            "description": "",
            "track": _track(session),
            "slug": f"{event_acronym}-session-{session['id']}-{title_slug}"[:90].rstrip("-_"),
            "persons": [index.speakers[c] for c in dict.fromkeys(
                [*session.get("speakers", []), *session.get("chairs", [])])
                if c in index.speakers],
            "url": common.programme_url(snapshot["_site_url"], snapshot["event"]["slug"])
            + f"#session-{session['id']}",
        })
    entries.sort(key=lambda e: (e["start"], e["room_id"] or 0, e["guid"]))
    common.unique_numbers(entries)
    grouped: dict[str, list[dict]] = {day["date"]: [] for day in snapshot["days"]}
    for entry in entries:
        grouped.setdefault(entry["day"], []).append(entry)
    return dict(sorted(grouped.items()))


def day_bounds(index: common.Index, date: str) -> tuple[dt.datetime, dt.datetime]:
    starts, ends = [], []
    for session in index.snapshot["sessions"]:
        start = common.moment(session["start"], index.tz)
        if start.date().isoformat() == date:
            starts.append(start)
            ends.append(common.moment(session["end"], index.tz))
    if not starts:
        day = dt.date.fromisoformat(date)
        return (dt.datetime.combine(day, dt.time(0, 0), index.tz),
                dt.datetime.combine(day, dt.time(23, 59), index.tz))
    return min(starts), max(ends)


def build(snapshot: dict, *, version: int, site_url: str, url: str) -> bytes:
    snapshot = dict(snapshot, _site_url=site_url.rstrip("/"))
    index = common.Index(snapshot)
    event = snapshot["event"]
    root = etree.Element("schedule")
    _sub(root, "generator", name=common.GENERATOR, system=common.site_host(site_url),
         version="1")
    _sub(root, "url", url)
    _sub(root, "version", f"{VERSION_PREFIX}{version}")
    conference = _sub(root, "conference")
    _sub(conference, "title", event["title"])
    _sub(conference, "acronym", common.acronym(event["slug"]))
    _sub(conference, "start", event["start_date"])
    _sub(conference, "end", event["end_date"])
    days = entries_by_day(index)
    _sub(conference, "days", str(len(days)))
    _sub(conference, "timeslot_duration", "00:05")
    _sub(conference, "base_url", f"{snapshot['_site_url']}/{event['slug']}/")
    _sub(conference, "url", common.programme_url(snapshot["_site_url"], event["slug"]))
    _sub(conference, "time_zone_name", event["time_zone"])
    for track in tracks(index):
        _sub(conference, "track", name=track["name"], slug=track["slug"])

    rooms = sorted(snapshot["rooms"], key=lambda r: (r["position"], r["name"], r["id"]))
    for number, (date, entries) in enumerate(days.items(), start=1):
        start, end = day_bounds(index, date)
        day = _sub(root, "day", index=str(number), date=date, start=start.isoformat(),
                   end=end.isoformat())
        for room in rooms:
            room_element = _sub(day, "room", name=room["name"],
                                guid=common.stable_uuid(snapshot["_site_url"], "room",
                                                        room["id"]))
            for entry in entries:
                if entry["room_id"] != room["id"]:
                    continue
                attributes = {"id": str(entry["id"]), "guid": entry["guid"]}
                if entry["code"] and FRAB_CODE.fullmatch(entry["code"]):
                    attributes["code"] = entry["code"]
                element = _sub(room_element, "event", **attributes)
                _sub(element, "room", room["name"])
                _sub(element, "title", entry["title"])
                _sub(element, "subtitle", "")
                _sub(element, "type", entry["type"])
                _sub(element, "date", entry["start"].isoformat())
                _sub(element, "start", entry["start"].strftime("%H:%M"))
                _sub(element, "duration", _hhmm(entry["duration"]))
                _sub(element, "abstract", entry["abstract"])
                _sub(element, "slug", entry["slug"])
                _sub(element, "track", entry["track"])
                persons = _sub(element, "persons")
                for person in entry["persons"]:
                    _sub(persons, "person", person["name"],
                         id=str(common.person_number(person["code"])),
                         guid=common.stable_uuid(snapshot["_site_url"], "speaker",
                                                 person["code"]))
                _sub(element, "language", entry["language"])
                _sub(element, "description", entry["description"])
                _sub(element, "links")
                _sub(element, "attachments")
                _sub(element, "url", entry["url"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
