"""What every parser produces, and the small helpers they share.

A parsed file is a plain, JSON-serialisable dict (it is stored between the preview and the
confirmation)::

    {"format": "frab-xml" | "frab-json" | "schedule2" | "indico",
     "format_label": str, "title": str,
     "items": [{"title", "date": "YYYY-MM-DD", "start": "HH:MM", "minutes": int,
                "room": str, "speakers": [str], "abstract": str, "track": str,
                "kind": "talks" | "panel" | "break" | "plenary", "where": str}],
     "problems": [{"level": "warning" | "error", "where": str, "message": str}]}

``date``/``start`` are the wall-clock day and time of the entry where it took place (its own
zone), which is what the preview maps onto the event's days.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from fusionforum.core.text import strip_refused

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 2000

_BREAK_WORDS = re.compile(r"\b(break|coffee|lunch|dinner|pause|kaffee|mittag|mittagspause|"
                          r"kaffeepause|déjeuner|café)\b", re.IGNORECASE)
_PANEL_WORDS = re.compile(r"\b(panel|podium|podiumsdiskussion)\b", re.IGNORECASE)
_PLENARY_WORDS = re.compile(r"\b(welcome|opening|closing|keynote|begrüßung|eröffnung|"
                            r"abschluss)\b", re.IGNORECASE)


def whole_file() -> str:
    """Where a problem of the file as a whole is located (shown to the organiser)."""
    return _("whole file")


class FileRejected(Exception):
    """The file cannot be imported at all; the message says why, for the organiser."""


class Collector:
    """Builds a parsed document."""

    def __init__(self, fmt: str, label: str):
        self.result = {"format": fmt, "format_label": label, "title": "", "items": [],
                       "problems": []}

    def warn(self, where: str, message: str) -> None:
        self.result["problems"].append({"level": "warning", "where": where, "message": message})

    def error(self, where: str, message: str) -> None:
        self.result["problems"].append({"level": "error", "where": where, "message": message})

    def add(self, *, title: str, moment: tuple[dt.date, dt.time] | None, minutes: int | None,
            room: str, speakers: list[str], abstract: str, track: str, type_: str,
            where: str) -> None:
        title = clean_line(title)
        if not title:
            self.warn(where, _("This entry has no title; it was left out."))
            return
        if moment is None:
            self.warn(where, _("“%(title)s” has no usable start time; it was left out.")
                      % {"title": title})
            return
        if minutes is None or minutes <= 0:
            self.warn(where, _("“%(title)s” has no usable duration; 30 minutes were assumed.")
                      % {"title": title})
            minutes = 30
        if minutes > 24 * 60:
            self.warn(where, _("“%(title)s” lasts more than a day; it was left out.")
                      % {"title": title})
            return
        if len(self.result["items"]) >= MAX_ITEMS:
            self.error(where, _("The file has more than %(count)s entries; split it.")
                       % {"count": MAX_ITEMS})
            return
        room = clean_line(room)[:120]
        if not room:
            room = _("Main room")
            self.warn(where, _("“%(title)s” has no room; it was put in “%(room)s”.")
                      % {"title": title, "room": room})
        date, start = moment
        self.result["items"].append({
            "title": title,
            "date": date.isoformat(),
            "start": start.strftime("%H:%M"),
            "minutes": int(minutes),
            "room": room,
            "speakers": [s for s in (clean_line(p) for p in speakers) if s],
            "abstract": clean_text(abstract),
            "track": clean_line(track),
            "kind": guess_kind(title, type_, track),
            "where": where,
        })


def clean_line(value) -> str:
    if value is None:
        return ""
    value = html.unescape(strip_tags(str(value)))
    return " ".join(strip_refused(value).split())


def clean_text(value) -> str:
    if value is None:
        return ""
    value = re.sub(r"<br\s*/?>|</p>", "\n", str(value), flags=re.IGNORECASE)
    value = strip_refused(html.unescape(strip_tags(value)), multiline=True)
    return re.sub(r"\n{3,}", "\n\n", value).strip()


def guess_kind(title: str, type_: str, track: str) -> str:
    label = f"{type_ or ''} {track or ''}"
    if _BREAK_WORDS.search(type_ or "") or _BREAK_WORDS.search(track or "") or (
        _BREAK_WORDS.search(title) and len(title) < 60
    ):
        return "break"
    if _PANEL_WORDS.search(label) or _PANEL_WORDS.search(title):
        return "panel"
    if _PLENARY_WORDS.search(title) and len(title) < 60:
        return "plenary"
    return "talks"


def parse_duration(value) -> int | None:
    """Minutes of ``HH:MM``, ``HH:MM:SS``, ISO 8601 ``PT1H30M`` or a number of minutes."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d{1,3}:\d{2}(:\d{2})?", text):
        hours, minutes = text.split(":")[:2]
        return int(hours) * 60 + int(minutes)
    iso = re.fullmatch(r"PT?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if iso and any(iso.groups()):
        hours, minutes, _ = (int(g or 0) for g in iso.groups())
        return hours * 60 + minutes
    return None


def parse_hhmm(value) -> dt.time | None:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*", str(value or ""))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_moment(value) -> dt.datetime | None:
    """An ISO 8601 date-time (with or without offset) or None."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def zone_or_none(name) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(str(name)) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def split_names(text: str) -> list[str]:
    """Names in one string ("A, B and C" or "A; B")."""
    text = clean_line(text)
    if not text:
        return []
    parts = re.split(r"\s*(?:;|,|\band\b|\bund\b|&)\s*", text)
    return [p for p in (part.strip() for part in parts) if p]
