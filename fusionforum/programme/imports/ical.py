"""iCalendar (RFC 5545) files from other systems, read leniently.

Our own tokenizer (not the icalendar library's parser) so that every fault real feeds have
can be tolerated and located by its line number: unfolding (a line that begins with a space or
a tab continues the one before), content lines ``NAME;PARAM=a,"b:c":value`` with quoted
parameter values, TEXT unescaping (``\\n``, ``\\,``, ``\\;``, ``\\\\``), BEGIN/END nesting.

Tolerated, each with a located warning (grouped when it repeats):

- lines longer than the 75 octets RFC 5545 allows (not folded) are read as they are; a line
  break inside a text value without the leading space of a fold (the exporter wrote a raw
  newline) continues the value;
- stray lines: properties outside any event, blank lines, HTML or PHP notices, ``END`` without
  ``BEGIN``, a file cut short before ``END:VCALENDAR``;
- a ``TZID`` with no ``VTIMEZONE``: the IANA zone of that name is used; Outlook's Windows zone
  names ("W. Europe Standard Time"), their display names ("(UTC+01:00) Amsterdam, Berlin…")
  and path-prefixed names ("/mozilla.org/…/Europe/Berlin") are mapped to IANA zones; a
  ``VTIMEZONE`` under a name nobody else knows is used for its own offsets;
- a ``VTIMEZONE`` whose offsets disagree with the IANA zone it names (a real feed truncated
  Adelaide's +09:30 to +09:00): the IANA definition wins, and the warning gives both offsets;
- duplicate UIDs: the same entry twice (same title and start) is kept once, the highest
  SEQUENCE winning; different entries that share a UID are all kept;
- ``DTSTAMP`` with a ``TZID`` (RFC 5545 wants UTC): read anyway;
- vCalendar 1.0 (``VERSION:1.0``): ``ENCODING=QUOTED-PRINTABLE`` (also the bare
  ``;QUOTED-PRINTABLE``) with soft line breaks, ``CHARSET=``, ``ENCODING=BASE64``;
- a file that is not UTF-8 is read as Windows-1252.

Mapping onto a programme: SUMMARY → title, LOCATION (its first line) → room (else a room
ATTENDEE, else Apple's structured location), CATEGORIES → track, DESCRIPTION → abstract,
TRANSP:TRANSPARENT / Outlook's busy status FREE / a break-like title → break. Persons: a
"Speaker(s): A (Affiliation), B" line of the description (Indico, our own export and many
others write one; it is taken out of the abstract), pretalx's "Title - Speakers" summaries,
and, when the description names nobody, ATTENDEEs with a name (CN) if an entry has at most
four (ROLE=CHAIR → chair; a longer list is the invitation list of a meeting, not its
speakers; a ROOM/RESOURCE attendee is the room); an ORGANIZER shared by most
entries is the calendar's owner and is not a speaker. RRULE/RDATE/EXDATE are expanded (with
RECURRENCE-ID overrides), bounded by COUNT/UNTIL, else up to the file's last day; all-day
entries have no time of day and are kept as "to place"; cancelled and private entries are left
out with a warning.

Times: the file's zone is X-WR-TIMEZONE, else the zone most of its entries name, else (times
in UTC only) the zone the caller passes (the event's), else none (floating times are kept
as written). Every timed entry is given as wall-clock time in that zone.
"""

from __future__ import annotations

import base64
import binascii
import collections
import datetime as dt
import hashlib
import io
import quopri
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

from dateutil import rrule as dateutil_rrule
from dateutil import tz as dateutil_tz
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import (
    Collector,
    FileRejected,
    clean_line,
    person_from_text,
    persons_from_text,
    whole_file,
    zone_or_none,
)

FOLD_LIMIT = 75
MAX_OCCURRENCES = 200
UNBOUNDED_DAYS = 62
MAX_ATTENDEES_AS_SPEAKERS = 4
TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CATEGORIES", "CONTACT",
                   "RESOURCES", "X-ALT-DESC", "X-WR-CALNAME", "X-WR-CALDESC"}
EVENT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "LOCATION", "DTSTART", "DTEND", "DURATION",
                    "UID", "ATTENDEE", "ORGANIZER", "RRULE", "CATEGORIES", "TRANSP", "STATUS",
                    "URL"}
# vCalendar 1.0 / RFC 2445 category names that describe the kind of appointment, not a track.
GENERIC_CATEGORIES = {"APPOINTMENT", "BUSINESS", "EDUCATION", "HOLIDAY", "MEETING",
                      "MISCELLANEOUS", "NON-WORKING HOURS", "NOT IN OFFICE", "PERSONAL",
                      "PHONE CALL", "SICK DAY", "SPECIAL OCCASION", "TRAVEL", "VACATION"}

# Windows zone names (CLDR windowsZones.xml, territory "001") for the zones Outlook and
# Exchange write in TZID.
WINDOWS_ZONES = {
    "Dateline Standard Time": "Etc/GMT+12", "UTC-11": "Etc/GMT+11",
    "Hawaiian Standard Time": "Pacific/Honolulu", "Alaskan Standard Time": "America/Anchorage",
    "Pacific Standard Time": "America/Los_Angeles", "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time": "America/Denver", "Central America Standard Time":
    "America/Guatemala", "Central Standard Time": "America/Chicago",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina", "SA Pacific Standard Time":
    "America/Bogota", "Eastern Standard Time": "America/New_York",
    "US Eastern Standard Time": "America/Indianapolis", "Venezuela Standard Time":
    "America/Caracas", "Atlantic Standard Time": "America/Halifax",
    "SA Western Standard Time": "America/La_Paz", "Pacific SA Standard Time": "America/Santiago",
    "Newfoundland Standard Time": "America/St_Johns", "E. South America Standard Time":
    "America/Sao_Paulo", "Argentina Standard Time": "America/Buenos_Aires",
    "SA Eastern Standard Time": "America/Cayenne", "Greenland Standard Time": "America/Godthab",
    "Montevideo Standard Time": "America/Montevideo", "UTC-02": "Etc/GMT+2",
    "Azores Standard Time": "Atlantic/Azores", "Cape Verde Standard Time":
    "Atlantic/Cape_Verde", "UTC": "Etc/UTC", "Coordinated Universal Time": "Etc/UTC",
    "GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin", "Central Europe Standard Time":
    "Europe/Budapest", "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw", "W. Central Africa Standard Time":
    "Africa/Lagos", "Morocco Standard Time": "Africa/Casablanca", "Jordan Standard Time":
    "Asia/Amman", "GTB Standard Time": "Europe/Bucharest", "Middle East Standard Time":
    "Asia/Beirut", "Egypt Standard Time": "Africa/Cairo", "E. Europe Standard Time":
    "Europe/Chisinau", "Syria Standard Time": "Asia/Damascus", "South Africa Standard Time":
    "Africa/Johannesburg", "FLE Standard Time": "Europe/Kiev", "Israel Standard Time":
    "Asia/Jerusalem", "Kaliningrad Standard Time": "Europe/Kaliningrad",
    "Arabic Standard Time": "Asia/Baghdad", "Turkey Standard Time": "Europe/Istanbul",
    "Arab Standard Time": "Asia/Riyadh", "Belarus Standard Time": "Europe/Minsk",
    "Russian Standard Time": "Europe/Moscow", "E. Africa Standard Time": "Africa/Nairobi",
    "Iran Standard Time": "Asia/Tehran", "Arabian Standard Time": "Asia/Dubai",
    "Azerbaijan Standard Time": "Asia/Baku", "Georgian Standard Time": "Asia/Tbilisi",
    "Caucasus Standard Time": "Asia/Yerevan", "Afghanistan Standard Time": "Asia/Kabul",
    "West Asia Standard Time": "Asia/Tashkent", "Ekaterinburg Standard Time":
    "Asia/Yekaterinburg", "Pakistan Standard Time": "Asia/Karachi", "India Standard Time":
    "Asia/Calcutta", "Sri Lanka Standard Time": "Asia/Colombo", "Nepal Standard Time":
    "Asia/Katmandu", "Central Asia Standard Time": "Asia/Almaty", "Bangladesh Standard Time":
    "Asia/Dhaka", "Myanmar Standard Time": "Asia/Rangoon", "SE Asia Standard Time":
    "Asia/Bangkok", "N. Central Asia Standard Time": "Asia/Novosibirsk",
    "North Asia Standard Time": "Asia/Krasnoyarsk", "China Standard Time": "Asia/Shanghai",
    "North Asia East Standard Time": "Asia/Irkutsk", "Singapore Standard Time":
    "Asia/Singapore", "W. Australia Standard Time": "Australia/Perth", "Taipei Standard Time":
    "Asia/Taipei", "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar", "Tokyo Standard Time":
    "Asia/Tokyo", "Korea Standard Time": "Asia/Seoul", "Yakutsk Standard Time": "Asia/Yakutsk",
    "Cen. Australia Standard Time": "Australia/Adelaide", "AUS Central Standard Time":
    "Australia/Darwin", "E. Australia Standard Time": "Australia/Brisbane",
    "AUS Eastern Standard Time": "Australia/Sydney", "West Pacific Standard Time":
    "Pacific/Port_Moresby", "Tasmania Standard Time": "Australia/Hobart",
    "Vladivostok Standard Time": "Asia/Vladivostok", "Central Pacific Standard Time":
    "Pacific/Guadalcanal", "New Zealand Standard Time": "Pacific/Auckland",
    "Fiji Standard Time": "Pacific/Fiji", "Tonga Standard Time": "Pacific/Tongatapu",
    "Samoa Standard Time": "Pacific/Apia",
}

_NAME = re.compile(r"[A-Za-z0-9-]+")
_SPEAKERS_LINE = re.compile(
    r"(?:^|(?<=[.!?]) )\s*(?:speakers?|presenters?|presented by|referent(?:in|en|innen)?|"
    r"sprecher(?:in)?|intervenants?|intervenantes?|orateurs?|ponentes?|relatori?)\s*:\s*(?P<names>.+?)\s*$",
    re.IGNORECASE | re.MULTILINE)
_CHAIRS_LINE = re.compile(r"^\s*(?:chairs?|chaired by|moderat(?:or|ion)|convener?s?)\s*:\s*"
                          r"(?P<names>.+?)\s*$", re.IGNORECASE | re.MULTILINE)


# Tokenizer ----------------------------------------------------------------------------------


@dataclass
class Line:
    number: int
    name: str
    params: dict[str, list[str]]
    value: str
    long: bool = False

    def param(self, key: str) -> str:
        values = self.params.get(key.upper())
        return values[0] if values else ""


@dataclass
class Component:
    name: str
    number: int
    lines: list[Line] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Line | None:
        for line in self.lines:
            if line.name == name:
                return line
        return None

    def all(self, name: str) -> list[Line]:
        return [line for line in self.lines if line.name == name]

    def walk(self, name: str):
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.walk(name)


def where_line(number: int) -> str:
    return _("line %(line)s") % {"line": number}


def decode(data: bytes, collector: Collector) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(_("The file is in UTF-16; save it as UTF-8 and upload it again."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        collector.warn(whole_file(), _(
            "The file is not UTF-8 (byte %(byte)s cannot be read as UTF-8); it was read as "
            "Windows-1252. Check accented letters in the preview.") % {"byte": error.start + 1})
        return data.decode("cp1252", errors="replace")


def _split_params(text: str) -> tuple[str, str, list[str]] | None:
    """``NAME;P=a;Q="b:c":value`` → (name, value, raw parameters) or None when the line is not
    a content line."""
    match = _NAME.match(text)
    if not match or match.end() >= len(text) or text[match.end()] not in ";:":
        return None
    name = match.group(0)
    position = match.end()
    params: list[str] = []
    while position < len(text) and text[position] == ";":
        position += 1
        start, quoted = position, False
        while position < len(text):
            char = text[position]
            if char == '"':
                quoted = not quoted
            elif not quoted and char in ";:":
                break
            position += 1
        params.append(text[start:position])
    if position >= len(text) or text[position] != ":":
        return None
    return name, text[position + 1:], params


def _parse_params(raw: list[str]) -> tuple[dict[str, list[str]], bool]:
    """Parameters as {NAME: [values]}; the flag says a vCalendar-1.0 bare parameter
    (``;QUOTED-PRINTABLE``) was seen."""
    params: dict[str, list[str]] = {}
    bare = False
    for item in raw:
        if "=" not in item:
            word = item.strip().upper()
            if not word:
                continue
            bare = True
            if word in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT"):
                params.setdefault("ENCODING", []).append(word)
            elif word in ("DATE", "DATE-TIME"):
                params.setdefault("VALUE", []).append(word)
            else:
                params.setdefault("TYPE", []).append(word)
            continue
        key, value = item.split("=", 1)
        values, current, quoted = [], "", False
        for char in value:
            if char == '"':
                quoted = not quoted
            elif char == "," and not quoted:
                values.append(current)
                current = ""
            else:
                current += char
        values.append(current)
        params.setdefault(key.strip().upper(), []).extend(v.strip() for v in values)
    return params, bare


def tokenize(text: str, collector: Collector) -> list[Component]:
    """The file's top-level components (normally one VCALENDAR)."""
    physical = re.split(r"\r\n|\n|\r", text)
    # Unfold: (first line number, text, longest physical part in octets).
    logical: list[list] = []
    for number, raw in enumerate(physical, start=1):
        if raw[:1] in (" ", "\t") and logical:
            logical[-1][1] += raw[1:]
            logical[-1][2] = max(logical[-1][2], len(raw.encode()))
        else:
            logical.append([number, raw, len(raw.encode())])

    roots: list[Component] = []
    stack: list[Component] = []
    previous: Line | None = None
    qp_pending: Line | None = None
    for number, raw, octets in logical:
        if qp_pending is not None:
            # A quoted-printable soft line break ("=" at the end) continues on this line.
            qp_pending.value = qp_pending.value[:-1] + raw
            qp_pending = qp_pending if qp_pending.value.endswith("=") else None
            continue
        if not raw.strip():
            if stack:
                collector.warn(where_line(number), _("A blank line inside the calendar was "
                                                     "skipped."), kind="ical_blank",
                               summary=lambda n: ngettext(
                                   "%(count)s blank line inside the calendar was skipped.",
                                   "%(count)s blank lines inside the calendar were skipped.",
                                   n) % {"count": n})
            continue
        parts = _split_params(raw)
        if parts is None:
            if previous is not None and previous.name in TEXT_PROPERTIES and stack:
                # A raw line break inside a text value: the exporter did not fold it.
                previous.value += "\\n" + raw
                collector.warn(where_line(number), _(
                    "This line continues the %(property)s of line %(line)s without the leading "
                    "space of a folded line; it was read as part of it.")
                    % {"property": previous.name, "line": previous.number},
                    kind="ical_broken_fold", summary=lambda n: ngettext(
                        "%(count)s line continues the text above it without the leading space "
                        "of a folded line; read as part of it.",
                        "%(count)s lines continue the text above them without the leading "
                        "space of a folded line; read as part of it.", n) % {"count": n})
                continue
            collector.warn(where_line(number), _(
                "“%(text)s” is not an iCalendar line; it was skipped.")
                % {"text": clean_line(raw)[:60] or raw[:60]}, kind="ical_stray",
                summary=lambda n: ngettext(
                    "%(count)s line is not iCalendar (stray text in the file); skipped.",
                    "%(count)s lines are not iCalendar (stray text in the file); skipped.",
                    n) % {"count": n})
            continue
        name, value, raw_params = parts
        name = name.upper()
        params, bare = _parse_params(raw_params)
        if bare:
            collector.warn(where_line(number), _(
                "%(property)s has a parameter without a name (vCalendar 1.0 style); it was "
                "understood.") % {"property": name}, kind="ical_vcal_param",
                summary=lambda n: ngettext(
                    "%(count)s property has a parameter without a name (vCalendar 1.0 style); "
                    "understood.",
                    "%(count)s properties have parameters without a name (vCalendar 1.0 "
                    "style); understood.", n) % {"count": n})
        line = Line(number, name, params, value, long=octets > FOLD_LIMIT)
        if line.long:
            collector.warn(where_line(number), _(
                "This line is longer than the 75 octets RFC 5545 allows (it was not folded); "
                "it was read as it is."), kind="ical_long_line",
                summary=lambda n: ngettext(
                    "%(count)s line is longer than the 75 octets RFC 5545 allows (not folded); "
                    "read as it is.",
                    "%(count)s lines are longer than the 75 octets RFC 5545 allows (not "
                    "folded); read as they are.", n) % {"count": n})
        if name == "BEGIN":
            component = Component(value.strip().upper(), number)
            if stack:
                stack[-1].children.append(component)
            else:
                roots.append(component)
            stack.append(component)
            previous = None
            continue
        if name == "END":
            closing = value.strip().upper()
            if stack and stack[-1].name == closing:
                stack.pop()
            elif any(c.name == closing for c in stack):
                while stack and stack[-1].name != closing:
                    unclosed = stack.pop()
                    collector.warn(where_line(unclosed.number), _(
                        "%(component)s is not closed before END:%(closing)s; it was closed "
                        "there.") % {"component": unclosed.name, "closing": closing})
                stack.pop()
            else:
                collector.warn(where_line(number), _(
                    "END:%(component)s has no matching BEGIN; it was skipped.")
                    % {"component": closing[:40]}, kind="ical_stray",
                    summary=lambda n: ngettext(
                        "%(count)s line is not iCalendar (stray text in the file); skipped.",
                        "%(count)s lines are not iCalendar (stray text in the file); skipped.",
                        n) % {"count": n})
            previous = None
            continue
        if not stack:
            collector.warn(where_line(number), _(
                "%(property)s appears outside the calendar; it was skipped.")
                % {"property": name}, kind="ical_stray", summary=lambda n: ngettext(
                    "%(count)s line is not iCalendar (stray text in the file); skipped.",
                    "%(count)s lines are not iCalendar (stray text in the file); skipped.",
                    n) % {"count": n})
            continue
        if stack[-1].name == "VCALENDAR" and name in EVENT_PROPERTIES:
            collector.warn(where_line(number), _(
                "%(property)s appears outside any event (between two events); it was "
                "skipped.") % {"property": name}, kind="ical_stray_property",
                summary=lambda n: ngettext(
                    "%(count)s property appears outside any event; skipped.",
                    "%(count)s properties appear outside any event; skipped.", n)
                % {"count": n})
            continue
        stack[-1].lines.append(line)
        previous = line
        if _encoding(line) == "QUOTED-PRINTABLE" and line.value.endswith("="):
            qp_pending = line
    for unclosed in reversed(stack):
        collector.warn(where_line(unclosed.number), _(
            "The file ends before END:%(component)s (begun on this line); it may be cut "
            "short. What it holds was read.") % {"component": unclosed.name})
    return roots


def _encoding(line: Line) -> str:
    return line.param("ENCODING").upper()


def text_value(line: Line | None) -> str:
    """A TEXT value, unescaped (and decoded, for vCalendar 1.0 encodings)."""
    if line is None:
        return ""
    value = line.value
    encoding = _encoding(line)
    charset = line.param("CHARSET") or "utf-8"
    if encoding in ("QUOTED-PRINTABLE", "BASE64", "B"):
        try:
            raw = (quopri.decodestring(value.encode("latin-1", errors="replace"))
                   if encoding == "QUOTED-PRINTABLE"
                   else base64.b64decode(value.encode("ascii", errors="ignore"), validate=False))
        except (ValueError, binascii.Error):
            raw = value.encode("utf-8", errors="replace")
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("cp1252", errors="replace")
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return unescape(value)


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split_list(value: str) -> list[str]:
    """The values of a multi-valued TEXT property (commas not escaped)."""
    parts = re.split(r"(?<!\\),", value)
    return [unescape(part).strip() for part in parts if part.strip()]


# Dates, times and zones ---------------------------------------------------------------------


_DATE_TIME = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[Tt ](\d{2}):?(\d{2})(?::?(\d{2}))?"
                        r"(?:\.\d+)?([Zz])?)?$")


def parse_value(text: str) -> tuple[dt.date | dt.datetime, bool] | None:
    """A DATE or DATE-TIME value: (value, is UTC). Tolerates dashes, missing seconds and a
    lower-case z."""
    match = _DATE_TIME.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, utc = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day)), False
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                           int(second or 0)), bool(utc)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """IANA zones by their last part ("berlin" → "Europe/Berlin"), for Outlook display names."""
    found: dict[str, str] = {}
    for name in sorted(zoneinfo.available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            found.setdefault(name.rsplit("/", 1)[-1].replace("_", " ").casefold(), name)
    return found


def iana_name(tzid: str) -> str:
    """The IANA zone a TZID stands for, or ""."""
    tzid = tzid.strip().strip('"').strip()
    if not tzid:
        return ""
    if zone_or_none(tzid) is not None:
        return tzid
    if tzid in WINDOWS_ZONES:
        return WINDOWS_ZONES[tzid]
    folded = {key.casefold(): value for key, value in WINDOWS_ZONES.items()}
    if tzid.casefold() in folded:
        return folded[tzid.casefold()]
    parts = [p for p in tzid.split("/") if p]
    for size in (3, 2, 1):  # /mozilla.org/20050126_1/Europe/Berlin, /softwarestudio.org/…
        if len(parts) >= size and zone_or_none("/".join(parts[-size:])) is not None:
            return "/".join(parts[-size:])
    display = re.match(r"^\(?(?:UTC|GMT)\s*[+-]?[\d:]*\)?\s*(.+)$", tzid)
    if display:
        for city in re.split(r"\s*,\s*|\s*/\s*", display.group(1)):
            name = _cities().get(city.strip().casefold())
            if name:
                return name
    return ""


class Zones:
    """Resolves TZIDs and checks a file's VTIMEZONE against the IANA zone it names."""

    def __init__(self, calendar: Component, collector: Collector):
        self.collector = collector
        self.definitions: dict[str, Component] = {}
        for component in calendar.walk("VTIMEZONE"):
            tzid = component.first("TZID")
            if tzid:
                self.definitions[tzid.value.strip().strip('"')] = component
        self._own: dict[str, dt.tzinfo | None] = {}
        self._warned: set[tuple[str, str]] = set()
        self.used: collections.Counter[str] = collections.Counter()

    def _from_definition(self, tzid: str) -> dt.tzinfo | None:
        if tzid not in self._own:
            component = self.definitions.get(tzid)
            zone = None
            if component is not None:
                text = "\r\n".join(["BEGIN:VTIMEZONE", *self._lines(component),
                                    "END:VTIMEZONE"])
                try:
                    zone = dateutil_tz.tzical(io.StringIO(text)).get()
                except (ValueError, IndexError, KeyError, TypeError):
                    zone = None
            self._own[tzid] = zone
        return self._own[tzid]

    @staticmethod
    def _lines(component: Component) -> list[str]:
        out = []
        for line in component.lines:
            if line.name in ("TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE",
                             "RDATE", "TZNAME"):
                if line.name == "RRULE" and not safe_zone_rule(line.value):
                    continue
                value = 'x' if line.name == "TZID" else line.value
                out.append(f"{line.name}:{value}")
        for child in component.children:
            if child.name in ("STANDARD", "DAYLIGHT"):
                out += [f"BEGIN:{child.name}", *Zones._lines(child), f"END:{child.name}"]
        return out

    def zone(self, tzid: str, where: str, local: dt.datetime) -> tuple[dt.tzinfo | None, str]:
        """(tzinfo, IANA name or "") for a TZID used at ``local``; None for unknown zones."""
        tzid = tzid.strip().strip('"').strip()
        name = iana_name(tzid)
        if name:
            iana = zoneinfo.ZoneInfo(name)
            self.used[name] += 1
            if tzid not in self.definitions and (tzid, "missing") not in self._warned:
                self._warned.add((tzid, "missing"))
                self.collector.warn(where, _(
                    "The time zone “%(tzid)s” has no VTIMEZONE in the file; the IANA zone "
                    "%(zone)s was used.") % {"tzid": tzid[:60], "zone": name})
            elif tzid != name and (tzid, "mapped") not in self._warned:
                self._warned.add((tzid, "mapped"))
                self.collector.warn(where, _(
                    "The time zone “%(tzid)s” was read as the IANA zone %(zone)s.")
                    % {"tzid": tzid[:60], "zone": name})
            own = self._from_definition(tzid) if tzid in self.definitions else None
            if own is not None and (tzid, "offset") not in self._warned:
                self._warned.add((tzid, "offset"))  # compared once, at its first use
                theirs = local.replace(tzinfo=own).utcoffset()
                ours = local.replace(tzinfo=iana).utcoffset()
                if theirs is not None and ours is not None and theirs != ours:
                    self.collector.warn(where, _(
                        "The file's VTIMEZONE “%(tzid)s” gives UTC%(theirs)s on %(date)s but "
                        "the IANA zone %(zone)s has UTC%(ours)s; the IANA definition was used "
                        "for every time in that zone.") % {
                            "tzid": tzid[:60], "theirs": _offset(theirs),
                            "date": local.date().isoformat(), "zone": name,
                            "ours": _offset(ours)})
            return iana, name
        own = self._from_definition(tzid)
        if own is not None:
            if (tzid, "own") not in self._warned:
                self._warned.add((tzid, "own"))
                self.collector.warn(where, _(
                    "The time zone “%(tzid)s” is not an IANA zone; the file's own definition "
                    "of it (VTIMEZONE) was used.") % {"tzid": tzid[:60]})
            return own, ""
        if (tzid, "unknown") not in self._warned:
            self._warned.add((tzid, "unknown"))
            self.collector.warn(where, _(
                "The time zone “%(tzid)s” is unknown and the file does not define it; its "
                "times were kept as written.") % {"tzid": tzid[:60]})
        return None, ""


_WEEKDAY = r"(?:MO|TU|WE|TH|FR|SA|SU)"
_SMALL_DAYS = r"(?:[1-9]|1\d|2[0-8])(?:,(?:[1-9]|1\d|2[0-8]))*"  # days every month has
_ZONE_RULE = re.compile(
    rf"^FREQ=YEARLY(?:;(?:BYMONTH=(?:[1-9]|1[0-2])|BYDAY=[+-]?[1-5]?{_WEEKDAY}|"
    rf"BYMONTHDAY={_SMALL_DAYS}|UNTIL=\d{{8}}(?:T\d{{6}}Z?)?|INTERVAL=1|WKST={_WEEKDAY}))*$")
_EVENT_RULE_PART = re.compile(
    rf"^(?:FREQ=(?:DAILY|WEEKLY|MONTHLY|YEARLY)|INTERVAL=(?:[1-9]|[1-4]\d|5[0-2])|"
    rf"COUNT=\d{{1,4}}|WKST={_WEEKDAY}|BYDAY=[+-]?[1-5]?{_WEEKDAY}(?:,[+-]?[1-5]?{_WEEKDAY})*|"
    rf"BYMONTH=(?:[1-9]|1[0-2])(?:,(?:[1-9]|1[0-2]))*|BYMONTHDAY={_SMALL_DAYS})$")


def safe_zone_rule(text: str) -> bool:
    """A VTIMEZONE observance's RRULE of the yearly kind time zones use. Other rules (one that
    no date ever matches would make the rule engine search until the year 9999) are not
    followed."""
    return bool(_ZONE_RULE.match(text.strip().upper()))


def safe_event_rule(parts: dict[str, str]) -> bool:
    """A repeat rule a programme can have (daily, weekly, monthly, yearly; by weekday, month or
    a day number every month has). Rules by hour or minute, by set position or by day
    numbers some months lack are not expanded: besides being no programme's, one that no date
    matches would make the rule engine search until the year 9999."""
    return "FREQ" in parts and all(_EVENT_RULE_PART.match(f"{key}={value}")
                                   for key, value in parts.items())


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass
class Moment:
    value: dt.date | dt.datetime   # naive wall-clock time in ``zone`` (or a date)
    zone: dt.tzinfo | None          # None: floating (or a date)
    utc: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.value, dt.datetime)

    def aware(self) -> dt.datetime | None:
        if self.all_day or self.zone is None:
            return None
        return self.value.replace(tzinfo=self.zone)


def read_moment(line: Line | None, zones: Zones, where: str) -> Moment | None:
    if line is None:
        return None
    parsed = parse_value(line.value.split(",")[0])
    if parsed is None:
        return None
    value, utc = parsed
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return Moment(value, None)
    if utc:
        return Moment(value, dt.UTC, utc=True)
    tzid = line.param("TZID")
    if tzid:
        zone, _name = zones.zone(tzid, where, value)
        return Moment(value, zone)
    return Moment(value, None)


_DURATION = re.compile(r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def parse_ical_duration(text: str) -> dt.timedelta | None:
    match = _DURATION.match(text.strip().upper())
    if not match or not any(match.groups()[1:]):
        return None
    sign, weeks, days, hours, minutes, seconds = match.groups()
    delta = dt.timedelta(weeks=int(weeks or 0), days=int(days or 0), hours=int(hours or 0),
                         minutes=int(minutes or 0), seconds=int(seconds or 0))
    return -delta if sign == "-" else delta


# From events to programme entries -----------------------------------------------------------


def source_system(prodid: str) -> str:
    folded = prodid.casefold()
    for needle, name in (("google", "Google Calendar"), ("microsoft", "Microsoft Outlook"),
                         ("apple", "Apple Calendar"), ("pretalx", "pretalx"),
                         ("indico", "Indico"), ("fusion forum", "Fusion Forum"),
                         ("frab", "frab"), ("mozilla", "Mozilla Thunderbird")):
        if needle in folded:
            return name
    return clean_line(prodid)[:100]


def persons_in_description(description: str) -> tuple[list[dict], str]:
    """Persons named on "Speakers: …" / "Chairs: …" lines, and the description without those
    lines."""
    persons: list[dict] = []
    for pattern, role in ((_SPEAKERS_LINE, "speaker"), (_CHAIRS_LINE, "chair")):
        for match in pattern.finditer(description):
            persons += persons_from_text(match.group("names"), role=role)
        description = pattern.sub("", description)
    return persons, re.sub(r"\n{3,}", "\n\n", description).strip()


def source_id(uid: str) -> str:
    """A UID as a source id of at most 100 characters: Outlook's UIDs are longer and differ
    only at their end, so a long one keeps its start and a digest of the whole."""
    if len(uid) <= 100:
        return uid
    return f"{uid[:67]}~{hashlib.sha256(uid.encode()).hexdigest()[:32]}"


def _mailto(value: str) -> str:
    return value.strip().removeprefix("mailto:").removeprefix("MAILTO:").casefold()


@dataclass
class Prepared:
    """One VEVENT, read."""

    component: Component
    where: str
    uid: str
    title: str
    start: Moment | None
    end: Moment | None
    duration: dt.timedelta | None
    sequence: int
    recurrence_id: Moment | None


class Reader:
    def __init__(self, calendar: Component, collector: Collector, zone_hint: str):
        self.calendar = calendar
        self.collector = collector
        self.zone_hint = zone_hint
        self.zones = Zones(calendar, collector)
        prodid = text_value(calendar.first("PRODID"))
        self.system = source_system(prodid)
        self.pretalx = self.system == "pretalx"
        self.indico = self.system == "Indico"

    # one event -------------------------------------------------------------------------

    def prepare(self, component: Component) -> Prepared | None:
        where = where_line(component.number)
        summary = clean_line(text_value(component.first("SUMMARY")))
        if summary:
            where = _("line %(line)s (“%(title)s”)") % {"line": component.number,
                                                        "title": summary[:60]}
        stamp = component.first("DTSTAMP")
        if stamp is not None and stamp.param("TZID"):
            self.collector.warn(where_line(stamp.number), _(
                "DTSTAMP has a TZID, but RFC 5545 wants it in UTC; it was read anyway (it only "
                "serves to choose between duplicates)."), kind="ical_dtstamp_tzid",
                summary=lambda n: ngettext(
                    "%(count)s DTSTAMP has a TZID (RFC 5545 wants UTC); read anyway.",
                    "%(count)s DTSTAMPs have a TZID (RFC 5545 wants UTC); read anyway.", n)
                % {"count": n})
        start = read_moment(component.first("DTSTART"), self.zones, where)
        if component.first("DTSTART") is not None and start is None:
            self.collector.warn(where, _("DTSTART “%(value)s” is not a date or a date-time.")
                                % {"value": component.first("DTSTART").value[:40]})
        end = read_moment(component.first("DTEND"), self.zones, where)
        duration_line = component.first("DURATION")
        duration = parse_ical_duration(duration_line.value) if duration_line else None
        try:
            sequence = int((component.first("SEQUENCE").value or "0").strip())
        except (AttributeError, ValueError):
            sequence = 0
        recurrence = read_moment(component.first("RECURRENCE-ID"), self.zones, where)
        uid = clean_line(text_value(component.first("UID")))[:1000]
        return Prepared(component, where, uid, summary, start, end, duration, sequence,
                        recurrence)

    def minutes(self, entry: Prepared) -> int | None:
        start, end = entry.start, entry.end
        if start is None:
            return None
        if end is not None and start.all_day == end.all_day:
            if start.all_day:
                return (end.value - start.value).days * 24 * 60
            a, b = start.aware(), end.aware()
            delta = (b - a) if a is not None and b is not None else (end.value - start.value)
            return int(delta.total_seconds() // 60)
        if entry.duration is not None:
            return int(entry.duration.total_seconds() // 60)
        return 24 * 60 if start.all_day else None

    # the whole calendar ----------------------------------------------------------------

    def events(self) -> list[Component]:
        return list(self.calendar.walk("VEVENT"))

    def owner(self, prepared: list[Prepared]) -> str:
        """The calendar owner's address: the ORGANIZER most entries share."""
        counts = collections.Counter(
            _mailto(p.component.first("ORGANIZER").value) for p in prepared
            if p.component.first("ORGANIZER") is not None)
        if not counts:
            return ""
        address, count = counts.most_common(1)[0]
        return address if count >= 2 and count * 2 >= len(prepared) else ""

    def persons(self, entry: Prepared, description: str, owner: str) -> tuple[list, str, str]:
        """(persons, description without the speakers line, room from a room attendee)."""
        persons, description = persons_in_description(description)
        room = ""
        attendees = []
        for line in entry.component.all("ATTENDEE"):
            cutype = line.param("CUTYPE").upper()
            if cutype in ("ROOM", "RESOURCE"):
                room = room or clean_line(line.param("CN"))
                continue
            if line.param("ROLE").upper() == "NON-PARTICIPANT" or \
                    line.param("PARTSTAT").upper() == "DECLINED" or cutype == "GROUP":
                continue
            attendees.append(line)
        if persons:
            pass  # the description names the speakers: attendees are the invitation list
        elif 0 < len(attendees) <= MAX_ATTENDEES_AS_SPEAKERS:
            for line in attendees:
                role = "chair" if line.param("ROLE").upper() == "CHAIR" else "speaker"
                person = person_from_text(line.param("CN"), role=role)
                if person is not None:
                    persons.append(person)
        elif len(attendees) > MAX_ATTENDEES_AS_SPEAKERS:
            self.collector.warn(entry.where, _(
                "%(count)s attendees are invited to “%(title)s”: an invitation list, not its "
                "speakers; they were not imported.") % {"count": len(attendees),
                                                        "title": entry.title},
                kind="ical_attendees", summary=lambda n: ngettext(
                    "%(count)s entry has a long attendee list (an invitation list, not its "
                    "speakers); attendees not imported.",
                    "%(count)s entries have long attendee lists (invitation lists, not their "
                    "speakers); attendees not imported.", n) % {"count": n})
        organizer = entry.component.first("ORGANIZER")
        if organizer is not None and not any(p["role"] == "speaker" for p in persons):
            person = person_from_text(organizer.param("CN"))
            if person is not None and _mailto(organizer.value) != owner:
                persons.append(person)
        return persons, description, room

    def room(self, entry: Prepared, attendee_room: str) -> str:
        location = text_value(entry.component.first("LOCATION")).strip()
        room = location.split("\n")[0].strip()
        if self.indico:
            inner = re.match(r"^.+\((?P<room>[^()]+)\)\s*$", room)
            room = inner.group("room") if inner else room
        if not room:
            room = attendee_room
        if not room:
            structured = entry.component.first("X-APPLE-STRUCTURED-LOCATION")
            room = structured.param("X-TITLE") if structured is not None else ""
        return clean_line(room)

    def track(self, entry: Prepared) -> str:
        for line in entry.component.all("CATEGORIES"):
            values = ([text_value(line)] if _encoding(line) else split_list(line.value))
            for value in values:
                if value and value.upper() not in GENERIC_CATEGORIES:
                    return value
        return ""

    def occurrences(self, entry: Prepared, last_day: dt.date | None) -> list[dt.datetime]:
        """The wall-clock starts of a timed entry (several when it repeats)."""
        start = entry.start
        assert start is not None and not start.all_day
        rules = entry.component.all("RRULE")
        rdates = entry.component.all("RDATE")
        if not rules and not rdates:
            return [start.value]
        found: set[dt.datetime] = {start.value}
        truncated = False
        for line in rules:
            parts = {}
            for piece in line.value.strip().split(";"):
                if "=" in piece:
                    key, value = piece.split("=", 1)
                    parts[key.strip().upper()] = value.strip()
            until_text = parts.pop("UNTIL", "")
            until = None
            if until_text:
                parsed = parse_value(until_text)
                if parsed is not None:
                    value, utc = parsed
                    if not isinstance(value, dt.datetime):
                        value = dt.datetime.combine(value, dt.time.max)
                    elif utc and start.zone is not None:
                        value = value.replace(tzinfo=dt.UTC).astimezone(start.zone).replace(
                            tzinfo=None)
                    until = value
            if until is None and "COUNT" not in parts:
                if last_day is None or last_day <= start.value.date():
                    self.collector.warn(entry.where, _(
                        "“%(title)s” repeats without end and the file has no other days; only "
                        "its first occurrence was imported.") % {"title": entry.title})
                    continue
                until = dt.datetime.combine(
                    min(last_day, start.value.date() + dt.timedelta(days=UNBOUNDED_DAYS)),
                    dt.time.max)
            if not safe_event_rule(parts):
                self.collector.warn(where_line(line.number), _(
                    "The repeat rule “%(rule)s” of “%(title)s” is not one a programme has (by "
                    "hour, minute or set position, or on days some months lack); only its first "
                    "occurrence was imported.") % {"rule": line.value[:60],
                                                   "title": entry.title})
                continue
            try:
                rule = dateutil_rrule.rrulestr(
                    ";".join(f"{k}={v}" for k, v in parts.items()), dtstart=start.value)
            except (ValueError, TypeError, KeyError):
                self.collector.warn(where_line(line.number), _(
                    "The repeat rule “%(rule)s” of “%(title)s” cannot be read; only its first "
                    "occurrence was imported.") % {"rule": line.value[:60],
                                                   "title": entry.title})
                continue
            for number, moment in enumerate(rule):
                if until is not None and moment > until:
                    break
                if number >= MAX_OCCURRENCES:
                    truncated = True
                    break
                found.add(moment)
        for line in rdates:
            for text in line.value.split(","):
                moment = read_moment(Line(line.number, "RDATE", line.params, text),
                                     self.zones, entry.where)
                if moment is not None and not moment.all_day:
                    found.add(self.in_zone(moment, start.zone))
        for line in entry.component.all("EXDATE"):
            for text in line.value.split(","):
                moment = read_moment(Line(line.number, "EXDATE", line.params, text),
                                     self.zones, entry.where)
                if moment is None:
                    continue
                if moment.all_day:
                    found = {m for m in found if m.date() != moment.value}
                else:
                    found.discard(self.in_zone(moment, start.zone))
        if truncated:
            self.collector.warn(entry.where, _(
                "“%(title)s” repeats more than %(count)s times; only the first %(count)s were "
                "imported.") % {"title": entry.title, "count": MAX_OCCURRENCES})
        return sorted(found)

    @staticmethod
    def in_zone(moment: Moment, zone: dt.tzinfo | None) -> dt.datetime:
        """A moment as naive wall-clock time of ``zone`` (as written when either is
        floating)."""
        aware = moment.aware()
        if aware is None or zone is None:
            return moment.value
        return aware.astimezone(zone).replace(tzinfo=None)


def parse(data: bytes, *, zone_hint: str = "") -> dict:
    collector = Collector("ical", _("iCalendar file"))
    text = decode(data, collector)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.upper().startswith("BEGIN:VCARD"):
        raise FileRejected(_("This is a vCard file (an address book), not a calendar: it holds "
                             "contacts, not events."))
    if not first.upper().startswith("BEGIN:VCALENDAR"):
        raise FileRejected(_("The file does not begin with BEGIN:VCALENDAR, so it is not an "
                             "iCalendar file (its first line reads “%(line)s”).")
                           % {"line": clean_line(first)[:60]})
    roots = tokenize(text, collector)
    calendars = [root for root in roots if root.name == "VCALENDAR"]
    if not calendars:
        raise FileRejected(_("The file has no VCALENDAR component."))
    calendar = calendars[0]
    if len(calendars) > 1:
        for extra in calendars[1:]:
            calendar.children.extend(extra.children)
        collector.warn(whole_file(), _("The file holds %(count)s calendars one after the other; "
                                       "their events were read together.")
                       % {"count": len(calendars)})
    reader = Reader(calendar, collector, zone_hint)
    collector.result["source_system"] = reader.system
    version = (calendar.first("VERSION").value.strip() if calendar.first("VERSION") else "")
    if version == "1.0":
        collector.warn(whole_file(), _("This is a vCalendar 1.0 file (the predecessor of "
                                       "iCalendar); it was read as iCalendar."))
    collector.result["title"] = clean_line(
        text_value(calendar.first("X-WR-CALNAME") or calendar.first("NAME")))[:200]
    components = reader.events()
    if not components:
        others = [name for name in ("VTODO", "VJOURNAL", "VFREEBUSY")
                  if any(True for _c in calendar.walk(name))]
        if others:
            raise FileRejected(_("The calendar holds no events (VEVENT), only %(kinds)s; "
                                 "there is no programme to import.")
                               % {"kinds": ", ".join(others)})
        raise FileRejected(_("The calendar holds no events (VEVENT); there is no programme to "
                             "import."))

    prepared = [p for p in (reader.prepare(c) for c in components) if p is not None]
    masters, overrides = _deduplicate(prepared, collector)

    # The file's zone.
    declared_line = calendar.first("X-WR-TIMEZONE")
    declared = iana_name(text_value(declared_line)) if declared_line is not None else ""
    if declared_line is not None and not declared:
        collector.warn(whole_file(), _("X-WR-TIMEZONE “%(zone)s” is not a known time zone; it "
                                       "was ignored.")
                       % {"zone": clean_line(text_value(declared_line))[:60]})
    timed = [p for p in masters if p.start is not None and not p.start.all_day]
    zone_name = declared or (reader.zones.used.most_common(1)[0][0] if reader.zones.used else "")
    if not zone_name and any(p.start.utc for p in timed):
        hint = zone_hint if zone_or_none(zone_hint) else ""
        zone_name = hint or "UTC"
        collector.warn(whole_file(), _(
            "The file gives its times in UTC and names no time zone; they were converted to "
            "%(zone)s.") % {"zone": zone_name})
    zone = zoneinfo.ZoneInfo(zone_name) if zone_name else None
    if zone_name:
        collector.set_timezone(zone_name)
    other_zones = {p.start.zone for p in timed if p.start.zone not in (None, zone, dt.UTC)}
    if zone is not None and other_zones and len(reader.zones.used) > 1:
        collector.warn(whole_file(), _("Entries in other time zones were converted to "
                                       "%(zone)s.") % {"zone": zone_name})

    single_days = [reader.in_zone(p.start, zone).date() for p in timed
                   if not p.component.first("RRULE")]
    last_day = max(single_days) if single_days else None
    owner = reader.owner(masters)
    for entry in masters:
        _emit(reader, entry, overrides.pop(entry.uid, []) if entry.uid else [], zone, last_day,
              owner)
    for orphans in overrides.values():  # overrides whose master is not in the file
        for _recurrence, entry in orphans:
            _emit(reader, entry, [], zone, last_day, owner)
    return collector.result


def _deduplicate(prepared: list[Prepared], collector: Collector):
    """Masters in file order (duplicates resolved) and {uid: [(recurrence naive, override)]}."""
    overrides: dict[str, list] = {}
    by_uid: dict[str, list[Prepared]] = {}
    masters: list[Prepared] = []
    for entry in prepared:
        if entry.recurrence_id is not None and entry.uid:
            overrides.setdefault(entry.uid, []).append((entry.recurrence_id, entry))
            continue
        masters.append(entry)
        if entry.uid:
            by_uid.setdefault(entry.uid, []).append(entry)
    dropped: set[int] = set()
    for uid, entries in by_uid.items():
        if len(entries) < 2:
            continue
        groups: dict[tuple, list[Prepared]] = {}
        for entry in entries:
            key = (entry.title.casefold(),
                   entry.start.value if entry.start is not None else None)
            groups.setdefault(key, []).append(entry)
        for same in groups.values():
            if len(same) < 2:
                continue
            keep = max(same, key=lambda e: (e.sequence, _stamp(e)))
            for entry in same:
                if entry is not keep:
                    dropped.add(id(entry))
                    collector.warn(entry.where, _(
                        "“%(title)s” appears again with the same UID (%(uid)s); the copy with "
                        "the highest SEQUENCE (line %(line)s) was kept.") % {
                            "title": entry.title, "uid": uid[:60],
                            "line": keep.component.number},
                        kind="ical_duplicate", summary=lambda n: ngettext(
                            "%(count)s entry is a repeated copy (same UID, title and start); "
                            "the copy with the highest SEQUENCE was kept.",
                            "%(count)s entries are repeated copies (same UID, title and "
                            "start); the copies with the highest SEQUENCE were kept.", n)
                        % {"count": n})
        if len(groups) > 1:
            kept = [e for e in entries if id(e) not in dropped]
            for number, entry in enumerate(kept[1:], start=2):
                entry.uid = f"{uid}#{number}"
            collector.warn(kept[1].where, _(
                "%(count)s different entries share the UID %(uid)s; all were kept.")
                % {"count": len(kept), "uid": uid[:60]}, kind="ical_shared_uid",
                summary=lambda n: ngettext(
                    "%(count)s UID is shared by different entries; all were kept.",
                    "%(count)s UIDs are shared by different entries; all were kept.", n)
                % {"count": n})
    return [m for m in masters if id(m) not in dropped], overrides


def _stamp(entry: Prepared) -> dt.datetime:
    line = entry.component.first("DTSTAMP") or entry.component.first("LAST-MODIFIED")
    parsed = parse_value(line.value) if line is not None else None
    if parsed is None or not isinstance(parsed[0], dt.datetime):
        return dt.datetime.min
    return parsed[0]


def _emit(reader: Reader, entry: Prepared, overrides: list, zone, last_day, owner) -> None:
    collector = reader.collector
    component = entry.component
    status = (component.first("STATUS").value.strip().upper()
              if component.first("STATUS") else "")
    if status == "CANCELLED":
        collector.warn(entry.where, _("“%(title)s” is cancelled in the file; it was left out.")
                       % {"title": entry.title}, kind="ical_cancelled",
                       summary=lambda n: ngettext(
                           "%(count)s entry is cancelled in the file; left out.",
                           "%(count)s entries are cancelled in the file; left out.", n)
                       % {"count": n})
        return
    klass = component.first("CLASS").value.strip().upper() if component.first("CLASS") else ""
    if klass in ("PRIVATE", "CONFIDENTIAL"):
        collector.warn(entry.where, _("“%(title)s” is marked private in the file; it was left "
                                      "out.") % {"title": entry.title or "…"},
                       kind="ical_private", summary=lambda n: ngettext(
                           "%(count)s entry is marked private in the file; left out.",
                           "%(count)s entries are marked private in the file; left out.", n)
                       % {"count": n})
        return
    title = entry.title
    description = text_value(component.first("DESCRIPTION"))
    persons, description, attendee_room = reader.persons(entry, description, owner)
    if reader.pretalx and " - " in title and not any(p["role"] == "speaker" for p in persons):
        title, names = title.rsplit(" - ", 1)
        persons += persons_from_text(names)
    transparent = (component.first("TRANSP") is not None
                   and component.first("TRANSP").value.strip().upper() == "TRANSPARENT")
    busy = component.first("X-MICROSOFT-CDO-BUSYSTATUS")
    free = busy is not None and busy.value.strip().upper() == "FREE"
    fields = {
        "title": title, "room": reader.room(entry, attendee_room), "abstract": description,
        "track": reader.track(entry), "type_": "break" if transparent or free else "",
        "persons": persons, "where": entry.where,
    }
    minutes = reader.minutes(entry)
    if entry.start is None:
        collector.add(moment=None, minutes=minutes, source_id=source_id(entry.uid), **fields)
        return
    if entry.start.all_day:
        if minutes is not None and minutes > 24 * 60:
            collector.warn(entry.where, _(
                "“%(title)s” spans %(days)s whole days without a time of day (a calendar "
                "banner, not a programme entry); it was left out.")
                % {"title": title, "days": minutes // (24 * 60)}, kind="ical_multi_day",
                summary=lambda n: ngettext(
                    "%(count)s entry spans several whole days without a time of day; left "
                    "out.",
                    "%(count)s entries span several whole days without a time of day; left "
                    "out.", n) % {"count": n})
            return
        collector.add(moment=None, minutes=60, source_id=source_id(entry.uid), **fields)
        return
    starts = reader.occurrences(entry, last_day)
    replaced = {}
    for recurrence, override in overrides:
        replaced[reader.in_zone(recurrence, entry.start.zone)] = override
    repeats = len(starts) > 1
    if repeats:
        collector.warn(entry.where, _(
            "“%(title)s” repeats (RRULE); its %(count)s occurrences were imported as separate "
            "entries.") % {"title": title, "count": len(starts)}, kind="ical_repeats",
            summary=lambda n: ngettext(
                "%(count)s entry repeats (RRULE); each occurrence was imported as an entry.",
                "%(count)s entries repeat (RRULE); each occurrence was imported as an entry.",
                n) % {"count": n})
    for start in starts:
        if start in replaced:
            _emit(reader, replaced.pop(start), [], zone, last_day, owner)
            continue
        moment = reader.in_zone(Moment(start, entry.start.zone), zone)
        identifier = entry.uid
        if repeats and identifier:
            identifier = f"{entry.uid}/{start:%Y%m%dT%H%M}"
        collector.add(moment=(moment.date(), moment.time().replace(second=0)), minutes=minutes,
                      source_id=source_id(identifier), **fields)
    for override in replaced.values():  # an override of an occurrence the rule does not make
        _emit(reader, override, [], zone, last_day, owner)
