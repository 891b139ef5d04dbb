"""iCalendar (RFC 5545) exports of a released programme.

``build_calendar(snapshot, talks, *, name, site_url)`` is the one builder: the whole programme,
a room, a person and the personal agenda's feed all call it with the entries they want. Every
entry has a UID that stays the same across releases (the talk's guid, or a session's id, at the
site's host), a SEQUENCE that grows with each release that changed the item (the snapshot's
``sequence``, see snapshot.with_sequences), a DTSTAMP (the release's moment),
DTSTART/DTEND in the event's zone with a TZID and a VTIMEZONE that carries that zone's
daylight-saving rules (core.ical_zones); icalendar writes CRLF line endings and folds lines
at 75 octets. Breaks are entries too, TRANSP:TRANSPARENT (the time shows as free), in the
programme's and the rooms' calendars.

A session slot holding contributions (an Indico slot) is not an entry of the programme's and
rooms' calendars: each contribution is, with the slot as its CATEGORIES and "Session:" line
(and the slot's chairs). Calendar clients show overlapping entries side by side, so a
90-minute slot beside its four talks would halve every column and double the reminders for
the same hour; subscribers attend talks. A person who chairs the slot gets the slot itself in
their calendar: that is the time they are busy. Texts come from the snapshot only, so a non-public
answer cannot appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar
from icalendar import Event as CalendarEntry

from fusionforum.core import clock
from fusionforum.core.ical_zones import vtimezone

from . import common

PRODID = "-//Fusion Forum//programme//EN"

__all__ = ["build_calendar", "person_calendar", "programme_calendar", "room_calendar",
           "vtimezone"]


# Entries --------------------------------------------------------------------------------------


def _talk_entry(talk: dict, index: common.Index, *, host: str, site_url: str,
                dtstamp: dt.datetime) -> CalendarEntry:
    slug = index.snapshot["event"]["slug"]
    url = common.talk_url(site_url, slug, talk["code"])
    entry = CalendarEntry()
    entry.add("uid", f"{talk['guid']}@{host}")
    entry.add("dtstamp", dtstamp)
    entry.add("sequence", talk.get("sequence", 0))
    entry.add("dtstart", common.moment(talk["start"], index.tz))
    entry.add("dtend", common.moment(talk["end"], index.tz))
    entry.add("summary", talk["title"])
    room = index.room_name(talk["room"])
    if room:
        entry.add("location", room)
    description = [talk["abstract"].strip()]
    description.append(index.speakers_line(talk["speakers"]))
    session = index.sessions.get(talk["session"])
    own_session = bool(session) and session.get("talk") == talk["code"]
    slot = index.parent(session)
    if own_session:  # an imported talk is its session: its chairs, no session line
        description.append(_chairs_line(session))
    if slot is not None:  # a contribution of a session slot: the slot is its session
        description.append(_("Session: %(title)s") % {"title": slot["title"]})
        description.append(_chairs_line(slot))
    elif session and not own_session:
        description.append(_("Session: %(title)s") % {"title": session["title"]})
    description.append(url)
    entry.add("description", "\n\n".join(part for part in description if part))
    entry.add("url", url)
    if slot is not None:
        entry.add("categories", [slot["title"]])
    elif session and not own_session:
        entry.add("categories", [session["title"]])
    return entry


def _chairs_line(session: dict) -> str:
    if not session.get("chair_names"):
        return ""
    return (ngettext("Chair: %(names)s", "Chairs: %(names)s", len(session["chair_names"]))
            % {"names": ", ".join(session["chair_names"])})


def _session_entry(session: dict, index: common.Index, *, host: str, site_url: str,
                   dtstamp: dt.datetime) -> CalendarEntry:
    slug = index.snapshot["event"]["slug"]
    url = common.programme_url(site_url, slug) + f"#session-{session['id']}"
    entry = CalendarEntry()
    # An imported session keeps the guid it had in the system it came from.
    entry.add("uid", f"{session['guid']}@{host}" if session.get("guid")
              else f"session-{session['id']}-{slug}@{host}")
    entry.add("dtstamp", dtstamp)
    entry.add("sequence", session.get("sequence", 0))
    entry.add("dtstart", common.moment(session["start"], index.tz))
    entry.add("dtend", common.moment(session["end"], index.tz))
    entry.add("summary", session["title"])
    room = index.room_name(session["room"])
    if room:
        entry.add("location", room)
    elif session["kind"] == "break":
        entry.add("location", _("All rooms"))
    if session["kind"] == "break":
        # A coffee or lunch break: shown in the calendar, but the time stays free.
        entry.add("transp", "TRANSPARENT")
        entry.add("categories", [_("Break")])
    description = [session.get("description", "").strip()]
    description.append(index.speakers_line(session.get("speakers", [])))
    description.append(_chairs_line(session))
    titles = [index.talks[c]["title"] for c in session["talks"] if c in index.talks]
    titles += [index.sessions[c]["title"] for c in session.get("children", [])
               if c in index.sessions]
    if titles:
        description.append(_("Talks:") + "\n" + "\n".join(f"- {t}" for t in titles))
    description.append(url)
    entry.add("description", "\n\n".join(part for part in description if part))
    entry.add("url", url)
    return entry


def build_calendar(snapshot: dict, talks: Iterable[dict | str], *, name: str, site_url: str,
                   sessions: Iterable[dict | int] = (),
                   dtstamp: dt.datetime | None = None) -> bytes:
    """An iCalendar document of ``talks`` (talk dicts of ``snapshot`` or their codes) and
    ``sessions`` (session dicts or ids, e.g. the sessions a person chairs).

    ``name`` becomes X-WR-CALNAME; ``site_url`` (settings.SITE_URL) gives the UIDs' host and
    the talk addresses; ``dtstamp`` defaults to now (exports pass the release's moment, so the
    document of one release never changes).
    """
    index = common.Index(snapshot)
    site_url = site_url.rstrip("/")
    host = common.site_host(site_url)
    dtstamp = (dtstamp or clock.now()).astimezone(dt.UTC)
    chosen_talks = [index.talks[t] if isinstance(t, str) else t for t in talks]
    chosen_talks = [t for t in chosen_talks if t is not None]
    chosen_sessions = [index.sessions.get(s) if isinstance(s, int) else s for s in sessions]
    chosen_sessions = [s for s in chosen_sessions if s is not None]

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", snapshot["event"]["time_zone"])
    years = {int(snapshot["event"]["start_date"][:4]), int(snapshot["event"]["end_date"][:4])}
    years |= {int(item["start"][:4]) for item in [*chosen_talks, *chosen_sessions]}
    cal.add_component(vtimezone(snapshot["event"]["time_zone"], years))
    entries = []
    for talk in chosen_talks:
        entries.append((talk["start"], talk["code"],
                        _talk_entry(talk, index, host=host, site_url=site_url,
                                    dtstamp=dtstamp)))
    for session in chosen_sessions:
        entries.append((session["start"], f"~{session['id']:012d}",
                        _session_entry(session, index, host=host, site_url=site_url,
                                       dtstamp=dtstamp)))
    for _start, _key, entry in sorted(entries, key=lambda e: (common.moment(e[0], dt.UTC), e[1])):
        cal.add_component(entry)
    return cal.to_ical()


# The three public calendars --------------------------------------------------------------------


def programme_calendar(snapshot: dict, *, site_url: str, dtstamp: dt.datetime) -> bytes:
    """Every talk, every session without talks and every break (TRANSP:TRANSPARENT)."""
    index = common.Index(snapshot)
    return build_calendar(snapshot, snapshot["talks"], name=snapshot["event"]["title"],
                          site_url=site_url,
                          sessions=[*index.standalone_sessions(), *index.breaks()],
                          dtstamp=dtstamp)


def room_calendar(snapshot: dict, room_id: int, *, site_url: str,
                  dtstamp: dt.datetime) -> bytes | None:
    index = common.Index(snapshot)
    room = index.rooms.get(room_id)
    if room is None:
        return None
    talks = [t for t in snapshot["talks"] if t["room"] == room_id]
    sessions = [s for s in index.standalone_sessions() if s["room"] == room_id]
    sessions += [s for s in index.breaks() if s["room"] in (room_id, None)]
    return build_calendar(snapshot, talks, name=f"{snapshot['event']['title']}: {room['name']}",
                          site_url=site_url, sessions=sessions, dtstamp=dtstamp)


def person_calendar(snapshot: dict, code: str, *, site_url: str,
                    dtstamp: dt.datetime) -> bytes | None:
    """A speaker's talks and the sessions they chair or present; None if they have
    neither."""
    index = common.Index(snapshot)
    speaker = index.speakers.get(code)
    involved = [s for s in snapshot["sessions"]
                if code in s.get("chairs", []) or code in s.get("speakers", [])]
    # An imported talk is its session: one entry, the talk, for its speakers and chairs.
    own_talks = {s["talk"] for s in involved if s.get("talk")}
    talks = [t for t in snapshot["talks"] if code in t["speakers"] or t["code"] in own_talks]
    chaired = [s for s in involved if not s.get("talk")]
    if not talks and not chaired:
        return None
    if speaker is None and not involved:
        return None
    name = speaker["name"] if speaker else involved[0]["chair_names"][
        involved[0]["chairs"].index(code)]
    return build_calendar(snapshot, talks, name=f"{snapshot['event']['title']}: {name}",
                          site_url=site_url, sessions=chaired, dtstamp=dtstamp)
