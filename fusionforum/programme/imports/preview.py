"""From an uploaded file to a preview an organiser can check, kept server-side until they
confirm.

``read_upload(data)`` recognises the format and parses it (frab.py, indico.py) or raises
FileRejected with a message for the organiser. ``prepare(event, parsed)`` maps the entries
onto the event: the wall-clock times stay as they were where the programme took place (a 09:00
talk stays at 09:00 in the event's zone); when the file's days are not the event's days, the
file's first day becomes the event's first day and so on (a warning says so; more days in the
file than in the event is an error). It lists the rooms to create or reuse, one session per
entry, warnings (overlaps inside the file, shortened texts) and errors that block the import
(nothing to import, an overlap with a session already in the event's programme, which is also
what makes importing the same file twice harmless).

The preview is stored in Django's cache for 30 minutes under a random token, bound to the
person and the event: ``store`` / ``load`` / ``discard``.
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

from ..models import ProgrammeSession
from . import frab, ical, indico
from .base import MAX_UPLOAD_BYTES, FileRejected, whole_file

PREVIEW_SECONDS = 30 * 60
TITLE_MAX = 200
DESCRIPTION_MAX = 3000
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
            return indico.parse_timetable(document)
        if isinstance(document, dict) and "results" in document:
            return indico.parse(document)
        raise FileRejected(_("This JSON file is not a format we can import; we read %(formats)s.")
                           % {"formats": SUPPORTED})
    raise FileRejected(_("This file is not a format we can import; we read %(formats)s.")
                       % {"formats": SUPPORTED})


def _event_dates(event) -> list[dt.date]:
    days = (event.end_date - event.start_date).days + 1
    return [event.start_date + dt.timedelta(days=n) for n in range(max(days, 1))]


def _description(event, item: dict, warnings: list, where: str) -> str:
    """The session's description: content of the programme, so written in the event's
    default language whatever the organiser's."""
    parts = []
    with translation.override(event.default_language):
        if item["abstract"]:
            parts.append(item["abstract"])
        if item["speakers"]:
            parts.append(ngettext("Speaker: %(names)s", "Speakers: %(names)s",
                                  len(item["speakers"])) % {"names": ", ".join(item["speakers"])})
        if item["track"] and item["track"] not in (item["room"], item["title"]):
            parts.append(_("Track: %(track)s") % {"track": item["track"]})
    text = "\n\n".join(parts)
    if len(text) > DESCRIPTION_MAX:
        warnings.append({"where": where, "message": _(
            "The description of “%(title)s” was shortened to %(count)s characters.")
            % {"title": item["title"], "count": DESCRIPTION_MAX}})
        text = text[:DESCRIPTION_MAX - 1].rstrip() + "…"
    return text


def existing_overlaps(event, sessions: list[dict]) -> list[dict]:
    """Imported sessions that would overlap a session already in the event's programme in a
    room of the same name (breaks without a room count for every room)."""
    problems = []
    existing = list(ProgrammeSession.objects.filter(event=event).select_related("room"))
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


def prepare(event, parsed: dict, *, filename: str = "") -> dict:
    tz = event.tz
    warnings = [{"where": p["where"], "message": p["message"]}
                for p in parsed["problems"] if p["level"] == "warning"]
    errors = [{"where": p["where"], "message": p["message"]}
              for p in parsed["problems"] if p["level"] == "error"]
    items = parsed["items"]
    if not items and not errors:
        errors.append({"where": whole_file(),
                       "message": _("The file holds no entry with a title and a time.")})

    source_dates = sorted({dt.date.fromisoformat(item["date"]) for item in items})
    event_dates = _event_dates(event)
    day_labels = {d.date: d.label for d in event.days.all()}
    if all(date in event_dates for date in source_dates):
        mapping = {date: date for date in source_dates}
    elif len(source_dates) <= len(event_dates):
        mapping = dict(zip(source_dates, event_dates, strict=False))
        moved = ", ".join(f"{date_format(src, 'j M Y')} → {date_format(dst, 'j M Y')}"
                          for src, dst in mapping.items())
        warnings.append({"where": whole_file(), "message": _(
            "The file's days are not the event's days; they were moved onto the event's days "
            "in order, keeping the times of day: %(moves)s.") % {"moves": moved}})
    else:
        mapping = {}
        errors.append({"where": whole_file(), "message": _(
            "The file has %(file_days)s days of programme but the event has only "
            "%(event_days)s; change the event's dates first.")
            % {"file_days": len(source_dates), "event_days": len(event_dates)}})

    existing_rooms = {room.name.casefold(): room.name for room in event.rooms.all()}
    room_names: dict[str, str] = {}
    sessions = []
    for item in items:
        if not mapping:
            break
        date = mapping[dt.date.fromisoformat(item["date"])]
        hour, minute = (int(part) for part in item["start"].split(":"))
        start = dt.datetime.combine(date, dt.time(hour, minute), tzinfo=tz)
        # Wall-clock arithmetic in the zone, then normalised (a DST change inside an entry).
        end = (start.astimezone(dt.UTC) + dt.timedelta(minutes=item["minutes"])).astimezone(tz)
        room_key = item["room"].casefold()
        room = room_names.setdefault(room_key, existing_rooms.get(room_key, item["room"]))
        title = item["title"]
        if len(title) > TITLE_MAX:
            warnings.append({"where": item["where"],
                             "message": _("The title “%(title)s…” was shortened to %(count)s "
                                          "characters.") % {"title": title[:60],
                                                            "count": TITLE_MAX}})
            title = title[:TITLE_MAX - 1].rstrip() + "…"
        sessions.append({
            "title": title,
            "kind": item["kind"],
            "kind_label": str(ProgrammeSession.Kind(item["kind"]).label),
            "room": room,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "time": f"{start:%H:%M}–{end:%H:%M}",
            "description": _description(event, item, warnings, item["where"]),
            "speakers": item["speakers"],
            "where": item["where"],
        })
    sessions.sort(key=lambda s: (s["start"], s["room"].casefold(), s["title"]))

    # Overlaps inside the file, per room: imported (the editor shows them), but said here.
    by_room: dict[str, list[dict]] = {}
    for session in sessions:
        by_room.setdefault(session["room"].casefold(), []).append(session)
    for room_sessions in by_room.values():
        for before, after in zip(room_sessions, room_sessions[1:], strict=False):
            if after["start"] < before["end"]:
                warnings.append({"where": after["where"], "message": _(
                    "“%(title)s” overlaps “%(other)s” in room “%(room)s”; both are imported, "
                    "and the programme editor will show the conflict until one is moved.")
                    % {"title": after["title"], "other": before["title"],
                       "room": after["room"]}})
    errors.extend(existing_overlaps(event, sessions))

    days = []
    for date in sorted({dt.date.fromisoformat(s["start"][:10]) for s in sessions}):
        days.append({
            "date": date.isoformat(),
            "label": day_labels.get(date) or date_format(date, "l j F Y"),
            "sessions": [s for s in sessions if s["start"][:10] == date.isoformat()],
        })
    rooms = [{"name": name, "exists": key in existing_rooms}
             for key, name in sorted(room_names.items())]
    return {
        "source": {"format": parsed["format"], "format_label": parsed["format_label"],
                   "title": parsed["title"], "filename": filename[:200]},
        "time_zone": event.time_zone,
        "rooms": rooms,
        "sessions": sessions,
        "days": days,
        "warnings": warnings,
        "errors": errors,
        "counts": {
            "rooms_new": sum(1 for r in rooms if not r["exists"]),
            "rooms_existing": sum(1 for r in rooms if r["exists"]),
            "sessions": len(sessions),
            "breaks": sum(1 for s in sessions if s["kind"] == "break"),
            "speakers": len({name for s in sessions for name in s["speakers"]}),
        },
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
