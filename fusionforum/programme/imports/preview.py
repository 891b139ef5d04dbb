"""From an uploaded file to a preview an organiser can check, kept server-side until they
confirm.

``read_upload(data)`` recognises the format and parses it (frab.py, indico.py, ical.py) or
raises FileRejected with a message for the organiser. ``prepare(event, parsed)`` maps the
entries onto the event:

- Wall-clock times stay as they were where the programme took place (a 09:00 talk stays at
  09:00 in the event's zone); when the file names another zone than the event's, one warning
  says which wall-clock times were kept.
- Days: the file's days when the event has them; else the file's first day becomes the
  event's first day and so on (a warning says so). A file with more days than the event
  offers to extend the event's dates (``extend``: the new first and last day); the organiser
  confirms it with the import (apply_preview(..., extend_dates=True)).
- Re-import: an entry whose source id (or, for files without ids, title, start and room)
  matches a session imported before updates that session (``update``: its id) instead of
  overlapping it; only overlaps with other sessions block the import.
- Persons: every speaker and chair becomes a speaker profile (matched by source id, then by
  name, among the event's profiles); ``persons`` lists them with ``exists``.
- Session slots (``container`` entries: an Indico slot with its contributions) become
  sessions holding sessions: each contribution names its slot (``parent``, the slot's
  ``ref``), sits in the slot's room (a different room in the file is warned and replaced;
  a break elsewhere, coffee in the foyer, stays a break of its own in its room) and should
  sit inside its time (warned otherwise: the editor shows the conflict).
- Entries without a time go to ``unplaced`` ("to place" in the programme editor).
- Warnings of one kind are grouped into one line (base.Problems).

The preview is stored in Django's cache for 30 minutes under a random token, bound to the
person and the event: ``store`` / ``load`` / ``discard``. ``summary(preview)`` is the part the
``import_programme`` command prints as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django.core.cache import cache
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fusionforum.cfp.models import SpeakerProfile

from ..models import ItemToPlace, ProgrammeSession
from . import frab, ical, indico
from .base import MAX_UPLOAD_BYTES, FileRejected, Problems, whole_file

PREVIEW_SECONDS = 30 * 60
TITLE_MAX = 200
DESCRIPTION_MAX = 3000
MAX_EXTENDED_DAYS = 31  # an import never makes an event longer than a month
SUPPORTED = gettext_lazy("a frab or pretalx schedule.xml, a frab or pretalx schedule.json, an "
                         "Indico event export (…/export/event/N.json?detail=contributions or "
                         "detail=sessions), an Indico timetable export (…/export/timetable/"
                         "N.json), or an iCalendar file (.ics)")


def read_upload(data: bytes, *, zone: str = "") -> dict:
    """The parsed document of an uploaded file (see base.py), or FileRejected. ``zone`` is the
    event's time zone: an iCalendar file that gives its times in UTC only is shown in it."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRejected(_("The file is larger than %(size)s MB; a programme export is far "
                             "smaller. Check that it is the right file.")
                           % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)})
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(_("The file is in UTF-16; save it as UTF-8 and upload it again."))
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    head = stripped[:1]
    if stripped[:6].upper() == b"BEGIN:":
        return ical.parse(data, zone_hint=zone)
    if head == b"<":
        return frab.parse_xml(data)
    if head in (b"{", b"["):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FileRejected(_("The file is not UTF-8 text (byte %(byte)s cannot be read); "
                                 "JSON files must be UTF-8.") % {"byte": error.start + 1}) from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise FileRejected(_("The file is not valid JSON (line %(line)s, column %(column)s: "
                                 "%(message)s); it may be cut short.")
                               % {"line": error.lineno, "column": error.colno,
                                  "message": error.msg}) from None
        except RecursionError:
            raise FileRejected(_("The JSON file is nested too deeply to be a schedule.")) from None
        if isinstance(document, dict) and "schedule" in document:
            return frab.parse_json(document)
        if indico.is_timetable(document):
            return indico.parse_timetable(document, zone_hint=zone)
        if isinstance(document, dict) and "results" in document:
            return indico.parse(document)
        raise FileRejected(_("This JSON file is not a format we can import; we read %(formats)s.")
                           % {"formats": SUPPORTED})
    raise FileRejected(_("This file is not a format we can import; we read %(formats)s.")
                       % {"formats": SUPPORTED})


def _event_dates(event) -> list[dt.date]:
    days = (event.end_date - event.start_date).days + 1
    return [event.start_date + dt.timedelta(days=n) for n in range(max(days, 1))]


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _description(event, item: dict, warnings: Problems) -> str:
    """The session's description: the abstract and the track, in the event's default
    language (content of the programme). The speakers are not text in it: they are the
    session's persons, so shortening the abstract to fit can never lose them."""
    with translation.override(event.default_language):
        track = ""
        if item["track"] and item["track"] not in (item["room"], item["title"]):
            track = _("Track: %(track)s") % {"track": item["track"]}
        group = item.get("group") or {}
        if group.get("title") and not item.get("_inside") \
                and group["title"] not in (item["title"], item["track"]):
            track = "\n".join(filter(None, [
                _("Session: %(session)s") % {"session": group["title"]}, track]))
    abstract = item["abstract"]
    room_left = DESCRIPTION_MAX - (len(track) + 2 if track else 0)
    if len(abstract) > room_left:
        warnings.add("warning", item["where"], _(
            "The description of “%(title)s” was shortened to %(count)s characters; its "
            "speakers are kept.") % {"title": item["title"], "count": DESCRIPTION_MAX},
            kind="shortened", summary=lambda n: ngettext(
                "%(count)s description was shortened to %(max)s characters; the speakers "
                "are kept.",
                "%(count)s descriptions were shortened to %(max)s characters; the speakers "
                "are kept.", n) % {"count": n, "max": DESCRIPTION_MAX})
        abstract = abstract[:room_left - 1].rstrip() + "…"
    return "\n\n".join(part for part in (abstract, track) if part)


def _match_key(title: str, start: str, room: str) -> tuple[str, str, str]:
    return (title.casefold(), start, room.casefold())


def _existing(event) -> tuple[list, dict, dict]:
    sessions = list(ProgrammeSession.objects.filter(event=event).select_related("room"))
    by_source = {s.source_id: s for s in sessions if s.source_id}
    by_content = {_match_key(s.title, s.start.astimezone(event.tz).isoformat(),
                             s.room.name if s.room else ""): s
                  for s in sessions if not s.source_id}
    return sessions, by_source, by_content


def match_sessions(event, sessions: list[dict]) -> None:
    """Set ``update`` (the id of the session imported before, or None) on each entry."""
    _all, by_source, by_content = _existing(event)
    taken: set[int] = set()
    for new in sessions:
        found = by_source.get(new["source_id"]) if new["source_id"] else None
        if found is None and not new["source_id"]:
            found = by_content.get(_match_key(new["title"], new["start"], new["room"]))
        if found is not None and found.pk in taken:
            found = None
        new["update"] = found.pk if found is not None else None
        if found is not None:
            taken.add(found.pk)


def existing_overlaps(event, sessions: list[dict]) -> list[dict]:
    """Imported sessions that would overlap a session already in the event's programme in a
    room of the same name (breaks without a room count for every room); sessions the import
    updates are not in the way."""
    problems = []
    updated = {new.get("update") for new in sessions if new.get("update")}
    existing = [s for s in ProgrammeSession.objects.filter(event=event).select_related("room")
                if s.pk not in updated]
    for new in sessions:
        start = dt.datetime.fromisoformat(new["start"])
        end = dt.datetime.fromisoformat(new["end"])
        for old in existing:
            same_room = old.room is None or old.room.name.casefold() == new["room"].casefold()
            if same_room and old.start < end and start < old.end:
                local = old.start.astimezone(event.tz)
                where = old.room.name if old.room else _("all rooms")
                problems.append({"where": new["where"], "message": _(
                    "“%(title)s” would overlap “%(other)s” (%(when)s), which is already in the "
                    "programme in room “%(room)s”. Import into an empty programme, or remove "
                    "that session first.") % {
                        "title": new["title"], "other": old.title,
                        "when": date_format(local, "j M H:i"), "room": where}})
                break
    return problems


def _person_key(person: dict) -> str:
    return f"id:{person['source_id']}" if person["source_id"] else \
        f"name:{person['name'].casefold()}"


def match_profiles(event, persons: list[dict]) -> dict[str, SpeakerProfile]:
    """``{person key: existing profile}``: by source id, then by name (the imported name or
    the account's), among the event's speaker profiles."""
    profiles = list(SpeakerProfile.objects.filter(event=event).select_related("user"))
    by_source = {p.source_id: p for p in profiles if p.source_id}
    by_name: dict[str, SpeakerProfile] = {}
    for profile in profiles:
        for name in (profile.name, profile.user.full_name if profile.user_id else ""):
            if name:
                by_name.setdefault(name.casefold(), profile)
    found = {}
    for person in persons:
        profile = by_source.get(person["source_id"]) if person["source_id"] else None
        if profile is None:
            profile = by_name.get(person["name"].casefold())
        if profile is not None:
            found[_person_key(person)] = profile
    return found


def _collect_persons(entries: list[dict]) -> list[dict]:
    persons: dict[str, dict] = {}
    for entry in entries:
        for person in entry["persons"]:
            key = _person_key(person)
            known = persons.get(key)
            if known is None:
                persons[key] = dict(person, key=key)
            else:  # the most complete record wins, field by field
                for field in ("title", "affiliation", "bio"):
                    if not known[field] and person[field]:
                        known[field] = person[field]
    return sorted(persons.values(), key=lambda p: (p["name"].casefold(), p["key"]))


def _day_plan(event, items: list[dict], problems: Problems, errors: list) -> tuple[dict, dict]:
    """``(mapping of the file's dates onto the event's, extension or None)``."""
    source_dates = sorted({dt.date.fromisoformat(item["date"]) for item in items})
    event_dates = _event_dates(event)
    if not source_dates or all(date in event_dates for date in source_dates):
        return {date: date for date in source_dates}, None
    if len(source_dates) <= len(event_dates):
        mapping = dict(zip(source_dates, event_dates, strict=False))
        moved = ", ".join(f"{date_format(src, 'j M Y')} → {date_format(dst, 'j M Y')}"
                          for src, dst in mapping.items())
        problems.add("warning", whole_file(), _(
            "The file's days are not the event's days; they were moved onto the event's days "
            "in order, keeping the times of day: %(moves)s.") % {"moves": moved})
        return mapping, None
    first, last = source_dates[0], source_dates[-1]
    if (last - first).days > MAX_EXTENDED_DAYS:
        errors.append({"where": whole_file(), "message": _(
            "The file's programme spans %(days)s days (%(first)s to %(last)s); an event of "
            "more than %(max)s days cannot be made from it. Check that it is the right file.")
            % {"days": (last - first).days + 1, "first": date_format(first, "j M Y"),
               "last": date_format(last, "j M Y"), "max": MAX_EXTENDED_DAYS}})
        return {}, None
    if first <= event.end_date and last >= event.start_date:
        # The file's days overlap the event's: keep them, widen the event.
        mapping = {date: date for date in source_dates}
        new_start, new_end = min(first, event.start_date), max(last, event.end_date)
    else:
        # Elsewhere in time (last year's edition): the first day on the event's first day,
        # the gaps between days kept.
        offset = event.start_date - first
        mapping = {date: date + offset for date in source_dates}
        new_start, new_end = event.start_date, max(event.end_date, last + offset)
    added = [d for d in _span(new_start, new_end) if d not in event_dates]
    extend = {"start_date": new_start.isoformat(), "end_date": new_end.isoformat(),
              "added": [d.isoformat() for d in added],
              "label": _("%(start)s to %(end)s") % {"start": date_format(new_start, "j F Y"),
                                                     "end": date_format(new_end, "j F Y")}}
    problems.add("warning", whole_file(), ngettext(
        "The file has %(file_days)s days of programme but the event has only %(event_days)s; "
        "importing it extends the event's dates to %(dates)s (%(count)s day added). Confirm "
        "the extension with the import, or change the event's dates first.",
        "The file has %(file_days)s days of programme but the event has only %(event_days)s; "
        "importing it extends the event's dates to %(dates)s (%(count)s days added). Confirm "
        "the extension with the import, or change the event's dates first.", len(added))
        % {"file_days": len(source_dates), "event_days": len(event_dates),
           "dates": extend["label"], "count": len(added)}, kind="extend")
    return mapping, extend


def _check_containers(sessions: list[dict], problems: Problems) -> None:
    """A contribution outside its slot's time is imported, but warned: the editor and the
    release show the conflict until it is moved. A slot whose contributions all fell out
    (no title, too long) is a plain session."""
    by_ref = {s["ref"]: s for s in sessions}
    holding = {s["parent"] for s in sessions if s["parent"]}
    for session in sessions:
        if session["container"] and session["ref"] not in holding:
            session["container"] = False
        parent = by_ref.get(session["parent"]) if session["parent"] else None
        if parent is None:
            continue
        session["parent_title"] = parent["title"]
        if session["start"] < parent["start"] or session["end"] > parent["end"]:
            problems.add("warning", session["where"], _(
                "“%(title)s” (%(time)s) is outside the time of its session “%(session)s” "
                "(%(session_time)s); the programme editor shows the conflict until it is "
                "moved.") % {"title": session["title"], "time": session["time"],
                              "session": parent["title"], "session_time": parent["time"]},
                kind="outside_session", summary=lambda n: ngettext(
                    "%(count)s contribution is outside the time of its session; the "
                    "programme editor shows the conflict until it is moved.",
                    "%(count)s contributions are outside the time of their session; the "
                    "programme editor shows the conflicts until they are moved.", n)
                % {"count": n})


def _zone_warning(event, parsed: dict, problems: Problems, items: list[dict]) -> None:
    name = parsed.get("timezone") or ""
    if not name or name == event.time_zone:
        return
    example = next((i for i in items if i["kind"] != "break"), items[0] if items else None)
    if example is None:
        return
    problems.add("warning", whole_file(), _(
        "The file's times are in %(file_zone)s, the event's in %(event_zone)s. The wall-clock "
        "times of the file were kept: “%(title)s” at %(time)s in the file is at %(time)s "
        "%(event_zone)s.") % {"file_zone": name, "event_zone": event.time_zone,
                              "title": example["title"], "time": example["start"]},
        kind="time_zone")


def _entry_base(event, item: dict, problems: Problems) -> dict:
    title = item["title"]
    if len(title) > TITLE_MAX:
        problems.add("warning", item["where"], _(
            "The title “%(title)s…” was shortened to %(count)s characters.")
            % {"title": title[:60], "count": TITLE_MAX}, kind="title_shortened",
            summary=lambda n: ngettext("%(count)s title was shortened to %(max)s characters.",
                                       "%(count)s titles were shortened to %(max)s "
                                       "characters.", n) % {"count": n, "max": TITLE_MAX})
        title = title[:TITLE_MAX - 1].rstrip() + "…"
    return {
        "title": title,
        "kind": item["kind"],
        "kind_label": str(ProgrammeSession.Kind(item["kind"]).label),
        "description": _description(event, item, problems),
        "speakers": [p["name"] for p in item["persons"] if p["role"] == "speaker"],
        "chairs": [p["name"] for p in item["persons"] if p["role"] == "chair"],
        "persons": [_person_key(p) for p in item["persons"]],
        "person_roles": [p["role"] for p in item["persons"]],
        "source_id": item.get("source_id", ""),
        "code": item.get("code", ""),
        "container": bool(item.get("container")),
        "parent": None,  # the ``ref`` of the container it sits in (set by prepare)
        # The session slot (or session, or track) the source filed it under.
        "track": ((item.get("group") or {}).get("title") or item.get("track") or "")[:200],
        "where": item["where"],
    }


def prepare(event, parsed: dict, *, filename: str = "") -> dict:
    tz = event.tz
    problems = Problems()
    problems.extend([p for p in parsed["problems"] if p["level"] == "warning"])
    errors = [{"where": p["where"], "message": p["message"]}
              for p in parsed["problems"] if p["level"] == "error"]
    items = parsed["items"]
    unplaced_items = parsed.get("unplaced", [])
    if not items and not unplaced_items and not errors:
        errors.append({"where": whole_file(),
                       "message": _("The file holds no entry with a title.")})
    _zone_warning(event, parsed, problems, items)
    mapping, extend = _day_plan(event, items, problems, errors)
    day_labels = {d.date: d.label for d in event.days.all()}

    existing_rooms = {room.name.casefold(): room.name for room in event.rooms.all()}
    room_names: dict[str, str] = {}
    sessions = []
    containers = {item["source_id"]: item for item in items
                  if item.get("container") and item.get("source_id")}
    container_refs = {id(item): f"e{number}" for number, item in enumerate(items)
                      if item.get("container")}
    for number, item in enumerate(items):
        if not mapping:
            break
        parent = containers.get((item.get("group") or {}).get("source_id") or "") \
            if not item.get("container") else None
        if parent is not None and item["kind"] == "break" \
                and item["room"].casefold() != parent["room"].casefold():
            parent = None  # a slot's coffee break in the foyer: a break of its own there
        if parent is not None:
            item = dict(item, _inside=True)
            if item["room"].casefold() != parent["room"].casefold():
                problems.add("warning", item["where"], _(
                    "“%(title)s” is in room “%(room)s” but its session “%(session)s” is in "
                    "“%(parent_room)s”; it was put in “%(parent_room)s” with its session.")
                    % {"title": item["title"], "room": item["room"],
                       "session": parent["title"], "parent_room": parent["room"]},
                    kind="room_of_session", summary=lambda n: ngettext(
                        "%(count)s contribution is in another room than its session; it was "
                        "put in its session's room.",
                        "%(count)s contributions are in another room than their session; "
                        "they were put in their session's room.", n) % {"count": n})
                item["room"] = parent["room"]
        date = mapping[dt.date.fromisoformat(item["date"])]
        hour, minute = (int(part) for part in item["start"].split(":"))
        start = dt.datetime.combine(date, dt.time(hour, minute), tzinfo=tz)
        # Wall-clock arithmetic in the zone, then normalised (a DST change inside an entry).
        end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=item["minutes"])).astimezone(tz)
        room_key = item["room"].casefold()
        room = room_names.setdefault(room_key, existing_rooms.get(room_key, item["room"]))
        entry = _entry_base(event, dict(item, room=room), problems)
        entry.update(room=room, start=start.isoformat(), end=end.isoformat(),
                     time=f"{start:%H:%M}–{end:%H:%M}", ref=f"e{number}",
                     parent=container_refs[id(parent)] if parent is not None else None)
        sessions.append(entry)
    # A slot before its contributions (apply creates it first).
    sessions.sort(key=lambda s: (s["start"], s["room"].casefold(), not s["container"],
                                 s["title"]))
    _check_containers(sessions, problems)
    unplaced = []
    for item in unplaced_items:
        entry = _entry_base(event, item, problems)
        entry.update(minutes=max(5, min(int(item["minutes"]), 24 * 60)), room=item["room"])
        unplaced.append(entry)
    seen_ids: set[str] = set()
    for entry in sessions + unplaced:
        if not entry["source_id"]:
            continue
        if entry["source_id"] in seen_ids:
            problems.add("warning", entry["where"], _(
                "“%(title)s” has the same id as another entry (%(id)s); it is imported as a "
                "new entry each time, not matched on a re-import.")
                % {"title": entry["title"], "id": entry["source_id"]}, kind="duplicate_id",
                summary=lambda n: ngettext(
                    "%(count)s entry repeats another entry's id; it is imported, but cannot "
                    "be matched on a re-import.",
                    "%(count)s entries repeat another entry's id; they are imported, but "
                    "cannot be matched on a re-import.", n) % {"count": n})
            entry["source_id"] = ""
        seen_ids.add(entry["source_id"])

    # Overlaps inside the file, per room (a slot's contributions among themselves, apart
    # from the slot they sit in): imported (the editor shows them), but said here.
    by_room: dict[tuple[str, str], list[dict]] = {}
    for session in sessions:
        by_room.setdefault((session["room"].casefold(), session["parent"] or ""),
                           []).append(session)
    for room_sessions in by_room.values():
        for before, after in zip(room_sessions, room_sessions[1:], strict=False):
            if after["start"] < before["end"]:
                problems.add("warning", after["where"], _(
                    "“%(title)s” overlaps “%(other)s” in room “%(room)s”; both are imported, "
                    "and the programme editor will show the conflict until one is moved.")
                    % {"title": after["title"], "other": before["title"],
                       "room": after["room"]}, kind="overlap_in_file",
                    summary=lambda n: ngettext(
                        "%(count)s item overlaps another in the same room; all are imported, "
                        "and the programme editor shows the conflicts until they are moved.",
                        "%(count)s items overlap another in the same room; all are imported, "
                        "and the programme editor shows the conflicts until they are moved.",
                        n) % {"count": n})
    match_sessions(event, sessions)
    errors.extend(existing_overlaps(event, sessions))
    updates = sum(1 for s in sessions if s["update"])
    if updates:
        problems.add("warning", whole_file(), ngettext(
            "%(count)s entry was imported before (same id in the file): it is updated, not "
            "added again.",
            "%(count)s entries were imported before (same ids in the file): they are updated, "
            "not added again.", updates) % {"count": updates}, kind="reimport")
    file_ids = {e["source_id"] for e in sessions + unplaced if e["source_id"]}
    if file_ids:
        left = (ProgrammeSession.objects.filter(event=event).exclude(source_id="")
                .exclude(source_id__in=file_ids).count())
        if left:
            problems.add("warning", whole_file(), ngettext(
                "%(count)s session imported before is not in this file; it is kept. Remove it "
                "in the programme editor if it was cancelled.",
                "%(count)s sessions imported before are not in this file; they are kept. "
                "Remove them in the programme editor if they were cancelled.", left)
                % {"count": left}, kind="not_in_file")
    known_to_place = set(ItemToPlace.objects.filter(
        event=event, source_id__in=[u["source_id"] for u in unplaced if u["source_id"]])
        .values_list("source_id", flat=True))
    placed_before = set(ProgrammeSession.objects.filter(
        event=event, source_id__in=[u["source_id"] for u in unplaced if u["source_id"]])
        .values_list("source_id", flat=True))
    for entry in unplaced:
        entry["update"] = entry["source_id"] in known_to_place
        entry["placed"] = entry["source_id"] in placed_before

    persons = _collect_persons(items + unplaced_items)
    matched = match_profiles(event, persons)
    for person in persons:
        profile = matched.get(person["key"])
        person["exists"] = profile is not None
        person["code"] = profile.code if profile is not None else ""

    days = []
    for date in sorted({dt.date.fromisoformat(s["start"][:10]) for s in sessions}):
        days.append({
            "date": date.isoformat(),
            "label": day_labels.get(date) or date_format(date, "l j F Y"),
            "sessions": [s for s in sessions if s["start"][:10] == date.isoformat()],
        })
    rooms = [{"name": name, "exists": key in existing_rooms}
             for key, name in sorted(room_names.items())]
    warnings = [{key: value for key, value in p.items() if key != "level"}
                for p in problems.as_list()]
    return {
        "source": {"format": parsed["format"], "format_label": parsed["format_label"],
                   "title": parsed["title"], "filename": filename[:200],
                   "source_system": parsed.get("source_system", ""),
                   "timezone": parsed.get("timezone", ""),
                   "days": parsed.get("days", [])},
        "time_zone": event.time_zone,
        "rooms": rooms,
        "sessions": sessions,
        "unplaced": unplaced,
        "persons": persons,
        "days": days,
        "extend": extend,
        "warnings": warnings,
        "errors": errors,
        "counts": {
            "sessions": len(sessions),
            "talks": sum(1 for s in sessions if s["kind"] != "break" and not s["container"]),
            "containers": sum(1 for s in sessions if s["container"]),
            "breaks": sum(1 for s in sessions if s["kind"] == "break"),
            "speakers": sum(1 for p in persons if any(
                p["key"] == key and role == "speaker"
                for e in sessions + unplaced
                for key, role in zip(e["persons"], e["person_roles"], strict=True))),
            "persons": len(persons),
            "persons_new": sum(1 for p in persons if not p["exists"]),
            "rooms": len(rooms),
            "rooms_new": sum(1 for r in rooms if not r["exists"]),
            "rooms_existing": sum(1 for r in rooms if r["exists"]),
            "groups": len({(i.get("group") or {}).get("source_id")
                           or (i.get("group") or {}).get("title")
                           for i in items + unplaced_items if i.get("group")}),
            "to_place": len(unplaced),
            "updated": updates,
            "new": len(sessions) - updates,
        },
    }


def summary(preview: dict) -> dict:
    """What the import command prints: counts, the file, warnings (grouped) and errors."""
    return {
        "file": preview["source"]["filename"],
        "format": preview["source"]["format"],
        "source_system": preview["source"]["source_system"],
        "title": preview["source"]["title"],
        "file_time_zone": preview["source"]["timezone"],
        "event_time_zone": preview["time_zone"],
        "days": [d["date"] for d in preview["days"]],
        "extend_event": preview["extend"],
        "counts": preview["counts"],
        "warnings": [{"where": w["where"], "message": w["message"],
                      **({"count": w["count"]} if w.get("count") else {})}
                     for w in preview["warnings"]],
        "errors": preview["errors"],
    }


def _key(token: str) -> str:
    return f"programme-import:{token}"


def store(preview: dict, *, user, event) -> str:
    token = secrets.token_urlsafe(18)
    cache.set(_key(token), {"user": user.pk, "event": event.pk, "preview": preview},
              PREVIEW_SECONDS)
    return token


def load(token: str, *, user, event) -> dict | None:
    if not token or len(token) > 64:
        return None
    entry = cache.get(_key(token))
    if not entry or entry["user"] != user.pk or entry["event"] != event.pk:
        return None
    return entry["preview"]


def discard(token: str) -> None:
    cache.delete(_key(token))
