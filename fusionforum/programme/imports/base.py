"""What every parser produces, and the small helpers they share.

A parsed file is a plain, JSON-serialisable dict (it is stored between the preview and the
confirmation)::

    {"format": "frab-xml" | "frab-json" | "schedule2" | "indico" | "indico-timetable" | "ical",
     "format_label": str,           # shown to the organiser
     "source_system": str,          # who wrote the file, if it says: "pretalx", "frab",
                                    # "indico", an iCalendar PRODID…; "" when unknown
     "title": str,
     "timezone": str,               # IANA name of the file's zone, "" when it states none
     "days": ["YYYY-MM-DD"],        # the days the file declares (frab <day>, Indico
                                    # timetable days, even empty ones); [] when it has none
     "items": [ITEM],               # entries with a day and a time
     "unplaced": [ITEM],            # entries without a usable day/time: "to place", never
                                    # dropped; "date"/"start" are "" and "minutes" is a guess
     "problems": [{"level": "warning" | "error", "where": str, "message": str,
                   "kind": str,     # "" for a one-off problem; items sharing a kind are
                                    # grouped into one line (see Collector.warn)
                   "count": int, "places": [str]}]}   # only on grouped problems

    ITEM = {"title": str, "date": "YYYY-MM-DD", "start": "HH:MM", "minutes": int,
            "room": str, "abstract": str, "track": str,
            "kind": "talks" | "panel" | "break" | "plenary",
            "where": str,              # the entry's place in the file, for messages
            "source_id": str,          # the source's stable id: frab/pretalx guid (else
                                       # code, else id), Indico contribution id, iCalendar UID;
                                       # "" when the file has none. Re-imports match on it.
            "code": str,               # pretalx/frab short code when there is one, else ""
            "persons": [PERSON],       # speakers and chairs, in the file's order
            "speakers": [str],         # names of the persons whose role is "speaker"
                                       # (derived, kept for older readers)
            "group": {"source_id": str, "title": str} | None,
                                       # the parent session (an Indico session slot, a
                                       # schedule2 "session"), or None
            "container": bool}         # True for a session slot written as an entry of
                                       # its own (its room, times, conveners as chairs):
                                       # the entries whose group's source_id is its
                                       # source_id are its contributions, inside it

    PERSON = {"name": str,             # display name, "First Surname" (see person_name)
              "title": str,            # "Dr.", "Prof. Dr." kept apart from the name
              "affiliation": str, "bio": str,
              "source_id": str,        # the source's person id (frab/pretalx person guid or
                                       # code, Indico person_id/db_id); "" when none
              "role": "speaker" | "chair"}

``date``/``start`` are the wall-clock day and time of the entry where it took place (its own
zone, which ``timezone`` names), which is what the preview maps onto the event's days.

Parsers build the document with ``Collector``: ``add(...)`` for an entry (it goes to
``unplaced`` by itself when ``moment`` is None), ``add_unplaced(...)``, ``person(...)`` to
build a PERSON from raw fields, ``warn``/``error`` for problems, and return ``result``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from collections.abc import Callable

from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


MAX_PLACES = 50  # locations kept on a grouped problem


class Collector:
    """Builds a parsed document (the contract is in this module's docstring).

    Problems with a ``kind`` are grouped: one occurrence keeps its own message, several
    become one line from ``summary(count)`` ("46 items have no room: placed in “Main room”")
    with the places listed apart. ``result`` returns the document with the problems grouped;
    write problems through ``warn``/``error``, not into ``result["problems"]``.
    """

    def __init__(self, fmt: str, label: str, *, source_system: str = ""):
        self._document = {"format": fmt, "format_label": label, "source_system": source_system,
                          "title": "", "timezone": "", "days": [], "items": [],
                          "unplaced": [], "problems": []}
        self._problems = Problems()

    @property
    def result(self) -> dict:
        self._document["problems"] = self._problems.as_list()
        return self._document

    def warn(self, where: str, message: str, *, kind: str = "",
             summary: Callable[[int], str] | None = None) -> None:
        self._problems.add("warning", where, message, kind=kind, summary=summary)

    def error(self, where: str, message: str, *, kind: str = "",
              summary: Callable[[int], str] | None = None) -> None:
        self._problems.add("error", where, message, kind=kind, summary=summary)

    def set_timezone(self, name) -> None:
        """The file's zone, if it is a known IANA name (else a warning)."""
        name = clean_line(name)
        if not name:
            return
        if zone_or_none(name) is None:
            self.warn(whole_file(), _("The file names the time zone “%(zone)s”, which is not "
                                      "a known IANA zone; its times were kept as written.")
                      % {"zone": name[:60]})
            return
        self._document["timezone"] = name

    def add_day(self, date: dt.date | None) -> None:
        if date is not None and date.isoformat() not in self._document["days"]:
            self._document["days"].append(date.isoformat())
            self._document["days"].sort()

    @staticmethod
    def person(name, *, title="", affiliation="", bio="", source_id="",
               role: str = "speaker", split: bool = True) -> dict | None:
        """A PERSON from raw fields; ``name`` is normalised (``person_name``) and a title
        found in it is kept apart. None when there is no name."""
        if split:
            clean, found_title = person_name(name)
        else:
            clean, found_title = clean_line(name), ""
        if not clean:
            return None
        title = clean_line(title) or found_title
        return {"name": clean[:200], "title": title[:60],
                "affiliation": clean_line(affiliation)[:200], "bio": clean_text(bio)[:2000],
                "source_id": clean_line(source_id)[:100],
                "role": "chair" if role == "chair" else "speaker"}

    def _persons(self, persons, speakers) -> list[dict]:
        out: list[dict] = []
        seen: set[tuple[str, str]] = set()
        raw = list(persons or [])
        raw += [{"name": name} for name in speakers or []]
        for person in raw:
            if isinstance(person, str):
                person = {"name": person}
            if not isinstance(person, dict):
                continue
            if {"name", "title", "affiliation", "bio", "source_id", "role"} <= person.keys():
                built = dict(person)  # already built by Collector.person
            else:
                built = self.person(person.get("name"), title=person.get("title", ""),
                                    affiliation=person.get("affiliation", ""),
                                    bio=person.get("bio", ""),
                                    source_id=person.get("source_id", ""),
                                    role=person.get("role", "speaker"))
            if not built:
                continue
            key = (built["role"], built["source_id"] or built["name"].casefold())
            if key in seen:
                continue
            seen.add(key)
            out.append(built)
        return out

    def _entry(self, *, title, minutes, room, persons, speakers, abstract, track, type_, where,
               source_id, code, group, container=False) -> dict:
        persons = self._persons(persons, speakers)
        if group and isinstance(group, dict):
            group = {"source_id": clean_line(group.get("source_id"))[:100],
                     "title": clean_line(group.get("title"))[:200]}
            if not group["source_id"] and not group["title"]:
                group = None
        else:
            group = None
        kind = guess_kind(title, type_, track)
        if container and kind == "break":
            kind = "talks"  # a slot holding contributions is not a break, whatever its name
        return {
            "title": title,
            "date": "",
            "start": "",
            "minutes": int(minutes),
            "room": clean_line(room)[:120],
            "persons": persons,
            "speakers": [p["name"] for p in persons if p["role"] == "speaker"],
            "abstract": clean_text(abstract),
            "track": clean_line(track),
            "kind": kind,
            "where": where,
            "source_id": clean_line(source_id)[:100],
            "code": clean_line(code)[:40],
            "group": group,
            "container": bool(container),
        }

    def _room_or_default(self, entry: dict) -> None:
        if entry["room"]:
            return
        room = _("Main room")
        entry["room"] = room
        self.warn(entry["where"], _("“%(title)s” has no room; it was put in “%(room)s”.")
                  % {"title": entry["title"], "room": room}, kind="no_room",
                  summary=lambda n: ngettext("%(count)s item has no room: placed in “%(room)s”.",
                                             "%(count)s items have no room: placed in "
                                             "“%(room)s”.", n) % {"count": n, "room": room})

    def _full(self, where: str) -> bool:
        total = len(self._document["items"]) + len(self._document["unplaced"])
        if total >= MAX_ITEMS:
            self.error(whole_file(), _("The file has more than %(count)s entries; split it.")
                       % {"count": MAX_ITEMS}, kind="too_many",
                       summary=lambda n: _("The file has more than %(count)s entries; split "
                                           "it.") % {"count": MAX_ITEMS})
            return True
        return False

    def add(self, *, title: str, moment: tuple[dt.date, dt.time] | None, minutes: int | None,
            room: str, abstract: str = "", track: str = "", type_: str = "", where: str,
            speakers: list[str] | None = None, persons: list[dict] | None = None,
            source_id: str = "", code: str = "", group: dict | None = None,
            container: bool = False) -> None:
        """One entry. ``persons`` are PERSON dicts (or dicts with at least a name);
        ``speakers`` plain names (role speaker), for parsers that know no more. Without a
        usable ``moment`` the entry goes to ``unplaced``. ``container``: a session slot whose
        contributions follow with ``group`` naming its ``source_id``."""
        title = clean_line(title)
        if not title:
            self.warn(where, _("This entry has no title; it was left out."), kind="no_title",
                      summary=lambda n: ngettext("%(count)s entry has no title; left out.",
                                                 "%(count)s entries have no title; left out.",
                                                 n) % {"count": n})
            return
        if minutes is None or minutes <= 0:
            self.warn(where, _("“%(title)s” has no usable duration; 30 minutes were assumed.")
                      % {"title": title}, kind="no_duration",
                      summary=lambda n: ngettext(
                          "%(count)s item has no usable duration: 30 minutes were assumed.",
                          "%(count)s items have no usable duration: 30 minutes were assumed.",
                          n) % {"count": n})
            minutes = 30
        if minutes > 24 * 60:
            self.warn(where, _("“%(title)s” lasts more than a day; it was left out.")
                      % {"title": title}, kind="too_long",
                      summary=lambda n: ngettext("%(count)s item lasts more than a day; left "
                                                 "out.",
                                                 "%(count)s items last more than a day; left "
                                                 "out.", n) % {"count": n})
            return
        if self._full(where):
            return
        entry = self._entry(title=title, minutes=minutes, room=room, persons=persons,
                            speakers=speakers, abstract=abstract, track=track, type_=type_,
                            where=where, source_id=source_id, code=code, group=group,
                            container=container and moment is not None)
        if moment is None:
            self._unplaced(entry)
            return
        self._room_or_default(entry)
        date, start = moment
        entry["date"] = date.isoformat()
        entry["start"] = start.strftime("%H:%M")
        self._document["items"].append(entry)

    def add_unplaced(self, *, title: str, minutes: int | None, room: str = "",
                     abstract: str = "", track: str = "", type_: str = "", where: str,
                     speakers: list[str] | None = None, persons: list[dict] | None = None,
                     source_id: str = "", code: str = "", group: dict | None = None) -> None:
        """An entry the file does not schedule (Indico contributions with null dates): kept
        as "to place" for the programme editor."""
        self.add(title=title, moment=None, minutes=minutes, room=room, abstract=abstract,
                 track=track, type_=type_, where=where, speakers=speakers, persons=persons,
                 source_id=source_id, code=code, group=group)

    def _unplaced(self, entry: dict) -> None:
        self._document["unplaced"].append(entry)
        self.warn(entry["where"], _("“%(title)s” has no time in the file; it is listed as to "
                                    "place in the programme editor.") % {"title": entry["title"]},
                  kind="unplaced",
                  summary=lambda n: ngettext(
                      "%(count)s item has no time in the file: listed as to place in the "
                      "programme editor.",
                      "%(count)s items have no time in the file: listed as to place in the "
                      "programme editor.", n) % {"count": n})


class Problems:
    """Problems in order, grouped by kind when ``as_list`` is called (see Collector)."""

    def __init__(self):
        self._entries: list[dict] = []
        self._summaries: dict[tuple[str, str], Callable[[int], str]] = {}

    def add(self, level: str, where: str, message: str, *, kind: str = "",
            summary: Callable[[int], str] | None = None) -> None:
        self._entries.append({"level": level, "where": str(where), "message": str(message),
                              "kind": kind})
        if kind and summary is not None:
            self._summaries.setdefault((level, kind), summary)

    def extend(self, problems: list[dict]) -> None:
        """Problems already grouped (a parsed document's), kept as they are."""
        for problem in problems:
            self._entries.append(dict(problem, _ready=True))

    def as_list(self) -> list[dict]:
        counts: dict[tuple[str, str], list[dict]] = {}
        for entry in self._entries:
            entry.setdefault("kind", "")
            if entry["kind"] and not entry.get("_ready"):
                counts.setdefault((entry["level"], entry["kind"]), []).append(entry)
        out, done = [], set()
        for entry in self._entries:
            key = (entry["level"], entry["kind"])
            if entry.get("_ready"):
                out.append({k: v for k, v in entry.items() if k != "_ready"})
                continue
            group = counts.get(key) if entry["kind"] else None
            if not group or len(group) == 1:
                out.append({"level": entry["level"], "where": entry["where"],
                            "message": entry["message"], "kind": entry["kind"]})
                continue
            if key in done:
                continue
            done.add(key)
            summary = self._summaries.get(key)
            places = list(dict.fromkeys(e["where"] for e in group))
            out.append({
                "level": entry["level"],
                "where": summarise_places(places),
                "message": summary(len(group)) if summary else group[0]["message"],
                "kind": entry["kind"], "count": len(group), "places": places[:MAX_PLACES],
            })
        return out


def summarise_places(places: list[str], shown: int = 3) -> str:
    if len(places) <= shown:
        return "; ".join(places)
    return ngettext("%(places)s and %(count)s more place", "%(places)s and %(count)s more places",
                    len(places) - shown) % {"places": "; ".join(places[:shown]),
                                            "count": len(places) - shown}


# Titles kept apart from a person's name (compared without dots, case-insensitive).
_TITLES = {"dr", "prof", "professor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame", "pd",
           "priv-doz", "privdoz", "dipl-ing", "diplng", "ing", "mag", "rev", "fr", "hon",
           "dr-ing", "drrernat", "emer", "prof-dr", "profdr", "mme", "mlle", "herr", "frau",
           "dott", "dottssa", "sra", "eng"}
_SUFFIX_TITLES = {"phd", "md", "msc", "bsc", "mba", "dphil", "jr", "sr", "ii", "iii", "iv"}
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "do",
              "du", "la", "le", "ter", "ten", "zu", "zum", "zur", "af", "av", "bin", "ibn",
              "al", "vom", "des", "het"}


def _title_key(word: str) -> str:
    return word.replace(".", "").replace("\u2011", "-").casefold().strip()


def _shouting(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _readable_word(word: str, first: bool, last: bool) -> str:
    """A word written all in capitals, readable: "MÜLLER-LÜDENSCHEIDT" → "Müller-Lüdenscheidt",
    "O'BRIEN" → "O'Brien", a particle ("VAN", "DE") lower-case unless it starts or ends the
    name (a final "LE" or "DO" is a surname)."""
    if not _shouting(word):
        return word
    if not first and not last and word.casefold() in _PARTICLES:
        return word.lower()

    def cap(part: str) -> str:
        return part[:1].upper() + part[1:].lower()

    word = "-".join(cap(part) for part in word.split("-"))
    return re.sub(r"^([A-Za-z])'(\w)", lambda m: f"{m.group(1).upper()}'{m.group(2).upper()}",
                  word)


_NAME_AND_AFFILIATION = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<affiliation>[^()]*)\)\s*$")
_NAME_LIST_WORDS = re.compile(r"\s+(?:and|und|et|&)\s+")


def split_names(text: str) -> list[str]:
    """The names of a list as files write it in text: separated by commas, semicolons or
    "and" (und, et, &), never inside parentheses ("Jane Doe (CERN, Geneva) and Max Muster")."""
    parts, depth, current = [], 0, ""
    for char in clean_line(text):
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if depth == 0 and char in ",;":
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    out = []
    for part in parts:
        out += [p for p in _NAME_LIST_WORDS.split(part.strip()) if p.strip()]
    return [p.strip() for p in out if p.strip()]


def person_from_text(text, *, role: str = "speaker") -> dict | None:
    """A PERSON from one name as files write it in text (an iCalendar CN or description line,
    an Indico person given as a string): "Jane Doe (CERN)" keeps CERN as the affiliation,
    the name is normalised (``Collector.person``). None for no name, an e-mail address or a
    text too long to be a name."""
    text = clean_line(text)
    match = _NAME_AND_AFFILIATION.match(text)
    name, affiliation = (match.group("name"), match.group("affiliation")) if match \
        else (text, "")
    if not clean_line(name) or "@" in name or len(name) > 120:
        return None
    return Collector.person(name, affiliation=affiliation, role=role)


def persons_from_text(text, *, role: str = "speaker") -> list[dict]:
    """Every PERSON of a list of names written in text (``split_names``)."""
    found = [person_from_text(name, role=role) for name in split_names(text)]
    return [person for person in found if person]


def person_name(raw) -> tuple[str, str]:
    """``(name, title)`` from a name as other systems write it.

    Rules: leading titles (``Dr.``, ``Prof. Dr.``, ``Mr``…) and trailing degrees (``PhD``)
    are taken out and returned apart; one comma means Indico's ``SURNAME, First`` (reversed
    to ``First Surname``), unless what follows it is a degree or suffix ("Smith, PhD");
    words written all in capitals get readable case (first letter capital, hyphenated parts
    each, ``O'Brien``), particles such as van, der, de, von, da lower-case inside the name
    (not first, not last: "VAN DER BERG, Jan" → "Jan van der Berg", "Thanh LE" → "Thanh Le").
    Mixed-case words are kept exactly (McDonald, deGrasse). A name in capitals that is an
    initial ("J.") stays.
    """
    text = clean_line(raw)
    if not text:
        return "", ""
    titles: list[str] = []

    def take_titles(part: str) -> str:
        words = part.split()
        while len(words) > 1:
            key = _title_key(words[0])
            if key in _TITLES:
                titles.append(words.pop(0))
                continue
            break
        return " ".join(words)

    def take_suffixes(part: str) -> str:
        words = part.split()
        while len(words) > 1 and _title_key(words[-1].rstrip(",")) in _SUFFIX_TITLES:
            titles.append(words.pop().rstrip(","))
        return " ".join(words)

    text = take_titles(text)
    if text.count(",") == 1:
        surname, first = (part.strip() for part in text.split(","))
        if first and _title_key(first) in _SUFFIX_TITLES:
            titles.append(first)
            text = surname
        elif surname and first:
            surname = take_titles(surname)
            first = take_suffixes(take_titles(first))
            text = f"{first} {surname}"
        else:
            text = surname or first
    text = take_suffixes(text)
    words = text.split()
    name = " ".join(_readable_word(word, index == 0, index == len(words) - 1)
                    for index, word in enumerate(words))
    return name, " ".join(titles)


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
    """The IANA zone of that name, or None. A file's zone name is untrusted: "America" names a
    directory of the zone database (IsADirectoryError), "../x" is refused (ValueError)."""
    try:
        return zoneinfo.ZoneInfo(str(name)) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None

