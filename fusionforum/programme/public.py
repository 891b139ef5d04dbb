"""The published programme as the public pages read it.

Everything here comes from the latest Release's frozen snapshot (snapshot.py format), never
from the working copy. A snapshot never changes once released, so its parsed and indexed form
(talks and speakers by code, sessions grouped by day and by time band) is computed once per
release, language and process and kept in a small LRU keyed by the release's id and version
and the language: each language's copy reads the snapshot localised for it
(exports/common.localise: the organisers' texts in that language, labels and dates in it).
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fusionforum.core import pagecache
from fusionforum.events.questions import WORKSHOP_QUESTIONS

from . import diff
from .exports.common import localise
from .models import Release

QUESTIONS_BY_KEY = {q.key: q for q in WORKSHOP_QUESTIONS}


@dataclass
class Room:
    id: int
    name: str
    description: str
    capacity: int | None
    position: int


@dataclass
class Answer:
    key: str
    number: int
    question: str
    text: str
    scale_label: str = ""
    key_figures: list[dict] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


@dataclass
class Talk:
    code: str
    guid: str
    title: str
    abstract: str
    start: dt.datetime
    end: dt.datetime
    duration_minutes: int
    session_id: int
    room: Room | None
    organisation: dict
    answers: list[Answer]
    has_slides: bool
    speaker_codes: list[str]
    speakers: list[Speaker] = field(default_factory=list)
    session: Session | None = None
    url: str = ""
    # The programme page lists a thousand talks: what it prints is computed once per release.
    start_hm: str = ""
    end_hm: str = ""
    start_iso: str = ""
    language: str = ""  # the authors' language (their words are shown as written)
    # Imported from another system's programme: a session of its own, with no organisation,
    # answers or slides (see snapshot.py).
    imported: bool = False

    @property
    def is_own_session(self) -> bool:
        """The talk is its session (an imported entry), not one of a session's talks."""
        return self.session is not None and self.session.own_talk is self

    @property
    def date(self) -> dt.date:
        """The programme day the talk is on: its session's (a talk at 00:30 in a session
        from 23:00 to 01:00 belongs to the evening it started on)."""
        return self.session.date if self.session is not None else self.start.date()


@dataclass
class Speaker:
    code: str
    name: str
    organisation: str
    bio: str
    has_photo: bool
    talk_codes: list[str]
    talks: list[Talk] = field(default_factory=list)
    chaired: list[Session] = field(default_factory=list)
    url: str = ""
    # Sessions they present (imported programmes: a session with its own speakers).
    presented: list[Session] = field(default_factory=list)
    honorific: str = ""


@dataclass
class Session:
    id: int
    kind: str
    title: str
    description: str
    room: Room | None
    start: dt.datetime
    end: dt.datetime
    chair_codes: list[str]
    chair_names: list[str]
    stream_id: int | None
    talks: list[Talk] = field(default_factory=list)
    chair_links: list[tuple[str, str]] = field(default_factory=list)  # (name, url or "")
    start_hm: str = ""
    end_hm: str = ""
    speaker_codes: list[str] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    own_talk_code: str = ""
    own_talk: Talk | None = None  # an imported entry: the session is this talk
    parent_id: int | None = None  # a session slot's contribution: the slot
    children: list[Session] = field(default_factory=list)  # a slot's contributions

    KIND_LABELS = {"talks": _("Talks"), "panel": _("Panel"), "break": _("Break"),
                   "plenary": _("Plenary")}

    @property
    def kind_label(self) -> str:
        return str(self.KIND_LABELS.get(self.kind, self.kind.title()))

    @property
    def is_break(self) -> bool:
        return self.kind == "break"

    @property
    def date(self) -> dt.date:
        return self.start.date()

    @property
    def anchor(self) -> str:
        return f"session-{self.id}"

    def chairs(self, speakers: dict[str, Speaker]) -> list[tuple[str, str | None]]:
        return [(name, code if code in speakers else None)
                for code, name in zip(self.chair_codes, self.chair_names, strict=False)]


@dataclass
class Band:
    """Sessions of one day whose times overlap: shown side by side (one column per room) on
    wide screens, one after another on phones."""

    start: dt.datetime
    end: dt.datetime
    sessions: list[Session]

    @property
    def columns(self) -> int:
        return len(self.sessions)


@dataclass
class Day:
    date: dt.date
    label: str
    sessions: list[Session]
    bands: list[Band]

    @property
    def anchor(self) -> str:
        return f"day-{self.date.isoformat()}"


@dataclass
class Programme:
    release_id: int
    version: int
    released_at: dt.datetime
    comment: str
    event: dict
    tz: zoneinfo.ZoneInfo
    rooms: list[Room]
    rooms_by_id: dict[int, Room]
    days: list[Day]
    days_by_date: dict[dt.date, Day]
    sessions: list[Session]
    sessions_by_id: dict[int, Session]
    talks: list[Talk]
    talks_by_code: dict[str, Talk]
    speakers: list[Speaker]
    speakers_by_code: dict[str, Speaker]
    snapshot: dict = field(repr=False, default_factory=dict)

    @property
    def stream_ids(self) -> set[int]:
        return {s.stream_id for s in self.sessions if s.stream_id}

    def day(self, date: dt.date) -> Day | None:
        return self.days_by_date.get(date)

    def filtered_days(self, *, room: Room | None = None, date: dt.date | None = None) -> list[Day]:
        """Days (one, if ``date``) with only the sessions in ``room`` and the breaks that
        concern every room."""
        days = [self.days_by_date[date]] if date else self.days
        if room is None:
            return days
        result = []
        for day in days:
            sessions = [s for s in day.sessions if s.room is None or s.room.id == room.id]
            result.append(Day(day.date, day.label, sessions, _bands(sessions)))
        return result


def _bands(sessions: list[Session]) -> list[Band]:
    bands: list[Band] = []
    for session in sessions:
        if bands and session.start < bands[-1].end and session.room is not None \
                and all(s.room is not None for s in bands[-1].sessions):
            band = bands[-1]
            band.sessions.append(session)
            band.end = max(band.end, session.end)
        else:
            bands.append(Band(session.start, session.end, [session]))
    for band in bands:
        band.sessions.sort(key=lambda s: (s.room.position if s.room else -1, s.start, s.id))
    return bands


def parse(release_id: int, version: int, released_at: dt.datetime, comment: str,
          snapshot: dict) -> Programme:
    """The indexed form of one release's snapshot."""
    tz = zoneinfo.ZoneInfo(snapshot["event"]["time_zone"])
    slug = snapshot["event"]["slug"]
    talk_url = reverse("programme:talk", args=[slug, "CODE"]).replace("CODE", "{}")
    speaker_url = reverse("programme:speaker", args=[slug, "CODE"]).replace("CODE", "{}")

    def moment(value: str) -> dt.datetime:
        return dt.datetime.fromisoformat(value).astimezone(tz)

    rooms = [Room(r["id"], r["name"], r.get("description", ""), r.get("capacity"),
                  r.get("position", 0)) for r in snapshot.get("rooms", [])]
    rooms_by_id = {r.id: r for r in rooms}
    sessions = []
    for s in snapshot.get("sessions", []):
        sessions.append(Session(
            id=s["id"], kind=s["kind"], title=s["title"], description=s.get("description", ""),
            room=rooms_by_id.get(s["room"]), start=moment(s["start"]), end=moment(s["end"]),
            chair_codes=list(s.get("chairs", [])), chair_names=list(s.get("chair_names", [])),
            stream_id=s.get("stream"), speaker_codes=list(s.get("speakers", [])),
            own_talk_code=s.get("talk", ""), parent_id=s.get("parent"),
        ))
    sessions_by_id = {s.id: s for s in sessions}
    talks = []
    for t in snapshot.get("talks", []):
        answers = []
        for key, answer in t.get("answers", {}).items():
            question = QUESTIONS_BY_KEY.get(key)
            if question is None:
                continue
            answers.append(Answer(
                key=key, number=question.number, question=question.text,
                text=answer.get("text", ""), scale_label=answer.get("scale_label", ""),
                key_figures=list(answer.get("key_figures", [])),
                categories=list(answer.get("categories", [])),
            ))
        answers.sort(key=lambda a: a.number)
        talk = Talk(
            code=t["code"], guid=t["guid"], title=t["title"], abstract=t.get("abstract", ""),
            start=moment(t["start"]), end=moment(t["end"]),
            duration_minutes=t["duration_minutes"], session_id=t["session"],
            room=rooms_by_id.get(t.get("room")), organisation=t.get("organisation", {}),
            answers=answers, has_slides=bool(t.get("has_slides")),
            speaker_codes=list(t.get("speakers", [])), language=t.get("language", ""),
            imported=bool(t.get("imported")),
        )
        talk.session = sessions_by_id.get(talk.session_id)
        talk.url = talk_url.format(talk.code)
        talk.start_hm, talk.end_hm = f"{talk.start:%H:%M}", f"{talk.end:%H:%M}"
        talk.start_iso = talk.start.isoformat()
        talks.append(talk)
    talks_by_code = {t.code: t for t in talks}
    for s in snapshot.get("sessions", []):
        session = sessions_by_id[s["id"]]
        session.talks = [talks_by_code[c] for c in s.get("talks", []) if c in talks_by_code]
        session.own_talk = talks_by_code.get(session.own_talk_code) \
            if session.own_talk_code else None
    speakers = [Speaker(code=p["code"], name=p["name"], organisation=p.get("organisation", ""),
                        bio=p.get("bio", ""), has_photo=bool(p.get("has_photo")),
                        talk_codes=list(p.get("talks", [])), honorific=p.get("honorific", ""))
                for p in snapshot.get("speakers", [])]
    speakers_by_code = {p.code: p for p in speakers}
    for speaker in speakers:
        speaker.url = speaker_url.format(speaker.code)
        speaker.talks = [talks_by_code[c] for c in speaker.talk_codes if c in talks_by_code]
    for talk in talks:
        talk.speakers = [speakers_by_code[c] for c in talk.speaker_codes if c in speakers_by_code]
    for session in sessions:
        for code in session.chair_codes:
            if code in speakers_by_code:
                speakers_by_code[code].chaired.append(session)
        session.speakers = [speakers_by_code[c] for c in session.speaker_codes
                            if c in speakers_by_code]
        for speaker in session.speakers:
            speaker.presented.append(session)
        session.start_hm, session.end_hm = f"{session.start:%H:%M}", f"{session.end:%H:%M}"
        session.chair_links = [(name, speakers_by_code[code].url if code else "")
                               for name, code in session.chairs(speakers_by_code)]

    labels = {dt.date.fromisoformat(d["date"]): d.get("label", "")
              for d in snapshot.get("days", [])}
    by_date: dict[dt.date, list[Session]] = {}
    for session in sessions:
        parent = sessions_by_id.get(session.parent_id) if session.parent_id else None
        if parent is not None:  # shown inside its session slot
            parent.children.append(session)
            continue
        by_date.setdefault(session.date, []).append(session)
    for session in sessions:
        session.children.sort(key=lambda s: (s.start, s.id))
    days = []
    for date in sorted(by_date):
        day_sessions = sorted(by_date[date], key=lambda s: (
            s.start, s.room.position if s.room else -1, s.id))
        days.append(Day(date, labels.get(date) or date_format(date, "l j F"), day_sessions,
                        _bands(day_sessions)))
    return Programme(
        release_id=release_id, version=version, released_at=released_at.astimezone(tz),
        comment=comment, event=snapshot.get("event", {}), tz=tz, rooms=rooms,
        rooms_by_id=rooms_by_id, days=days, days_by_date={d.date: d for d in days},
        sessions=sessions, sessions_by_id=sessions_by_id, talks=talks,
        talks_by_code=talks_by_code, speakers=speakers, speakers_by_code=speakers_by_code,
        snapshot=snapshot,
    )


_CACHE_SIZE = 8 * 2  # the latest releases, in each language
_cache: OrderedDict[tuple[int, int, str, str], Programme] = OrderedDict()
_lock = threading.Lock()


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _parse_localised(release_id: int, version: int, released_at, comment: str,
                     snapshot: dict) -> Programme:
    return parse(release_id, version, released_at, comment,
                 localise(snapshot, _language()))


def _cached(key: tuple[int, int, str, str]) -> Programme | None:
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
        return found


def _remember(key: tuple[int, int, str, str], programme: Programme) -> None:
    with _lock:
        _cache[key] = programme
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _fragments.clear()


def release_programme(release: Release) -> Programme:
    """The programme of ``release`` in the active language."""
    key = (release.pk, release.version, release.released_at.isoformat(), _language())
    found = _cached(key)
    if found is None:
        found = _parse_localised(release.pk, release.version, release.released_at,
                                 release.comment, release.snapshot)
        _remember(key, found)
    return found


def latest(event) -> Programme | None:
    """The programme of ``event``'s latest release in the active language, or None before the
    first release. One small query; the snapshot is loaded and parsed only the first time a
    release is seen in a language."""
    head = (Release.objects.filter(event=event).order_by("-version")
            .values("id", "version", "released_at", "comment").first())
    if head is None:
        return None
    # The moment too: SQLite hands a deleted release's id to the next one (another event's).
    key = (head["id"], head["version"], head["released_at"].isoformat(), _language())
    found = _cached(key)
    if found is None:
        snapshot = Release.objects.values_list("snapshot", flat=True).get(pk=head["id"])
        found = _parse_localised(head["id"], head["version"], head["released_at"],
                                 head["comment"], snapshot)
        _remember(key, found)
    return found


_FRAGMENTS_SIZE = 64
_fragments: OrderedDict[tuple, str] = OrderedDict()


def programme_body(programme: Programme, *, days: list[Day], date: dt.date | None,
                   room: Room | None, streams: dict,
                   materials: frozenset[str] = frozenset()) -> str:
    """The sessions and talks of the programme page as HTML, rendered once per release, view
    (day, room), livestream state and set of talks with a recording or slides (``materials``,
    their codes) and then reused: the same for every visitor (stars are
    added by agenda.js), so a thousand talks cost one render per release and process."""
    streams_key = tuple(sorted((s.id, s.state.value, s.url) for s in streams.values()))
    key = (programme.release_id, programme.version, programme.released_at.isoformat(),
           _language(), date,
           room.id if room else None, streams_key, tuple(sorted(materials)))
    with _lock:
        found = _fragments.get(key)
        if found is not None:
            _fragments.move_to_end(key)
            return found
    html = mark_safe(render_to_string(  # noqa: S308  (a template with autoescape)
        "programme/public/_programme_body.html",
        {"programme": programme, "days": days, "streams": streams, "materials": materials}))
    with _lock:
        _fragments[key] = html
        while len(_fragments) > _FRAGMENTS_SIZE:
            _fragments.popitem(last=False)
    return html


def has_release(event) -> bool:
    return Release.objects.filter(event=event).exists()


@receiver(post_save, sender=Release, dispatch_uid="programme-public-release-invalidates")
@receiver(post_delete, sender=Release, dispatch_uid="programme-public-release-deleted")
def _release_saved(sender, instance, **kwargs):
    # The release service invalidates the page cache too; doing it here as well, at once and
    # again after the commit, means no cached page or export can outlive a release however it
    # was written (or deleted).
    pagecache.invalidate()
    transaction.on_commit(pagecache.invalidate)


# Reading the change list ------------------------------------------------------------------


@dataclass
class ChangeLine:
    kind: str  # added, removed, moved, changed, session
    code: str | None
    title: str
    text: str
    link: bool = False

    KIND_LABELS = {"added": pgettext_lazy("a change to the programme", "Added"),
                   "removed": pgettext_lazy("a change to the programme", "Removed"),
                   "moved": pgettext_lazy("a change to the programme", "Moved"),
                   "changed": pgettext_lazy("a change to the programme", "Changed"),
                   "session": pgettext_lazy("a change to the programme", "Session")}

    @property
    def kind_label(self) -> str:
        return str(self.KIND_LABELS.get(self.kind, self.kind.capitalize()))


@dataclass
class ReleaseChanges:
    version: int
    released_at: dt.datetime
    comment: str
    previous_version: int | None
    lines: list[ChangeLine]

    @property
    def is_first(self) -> bool:
        return self.previous_version is None


FIELD_LABELS = {**diff.FIELD_LABELS, "duration_minutes": _("duration"), "talks": _("talks")}


def _fields_text(fields: list[str]) -> str:
    labels = list(dict.fromkeys(str(FIELD_LABELS.get(f, str(f).replace("_", " ")))
                                for f in fields))
    if not labels:
        return gettext("details")
    if len(labels) == 1:
        return labels[0]
    return gettext("%(fields)s and %(last)s") % {"fields": ", ".join(labels[:-1]),
                                                 "last": labels[-1]}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _place_text(place: dict, tz) -> str:
    parts = []
    start = place.get("start")
    if start:
        try:
            parts.append(date_format(dt.datetime.fromisoformat(start).astimezone(tz),
                                     "D j M H:i"))
        except (TypeError, ValueError):
            parts.append(str(start))
    if place.get("room"):
        parts.append(str(place["room"]))
    return " ".join(parts) or gettext("an unknown place")


def change_history(event) -> list[ReleaseChanges]:
    """Every release of ``event``, newest first, with its changes in words."""
    releases = list(Release.objects.filter(event=event).order_by("-version"))
    tz = event.tz
    titles_by_version: dict[int, dict[str, str]] = {}
    for release in releases:
        titles_by_version[release.version] = {
            t["code"]: t["title"] for t in (release.snapshot or {}).get("talks", [])}
    latest_codes = titles_by_version[releases[0].version] if releases else {}
    history = []
    for release in releases:
        changes = release.changes or {}
        titles = titles_by_version[release.version]
        previous = changes.get("previous_version")
        previous_titles = titles_by_version.get(previous, {}) if previous else {}
        lines = []
        for code in changes.get("added", []):
            lines.append(ChangeLine("added", code, titles.get(code, code),
                                    pgettext("a talk in the programme", "added"),
                                    link=code in latest_codes))
        for code in changes.get("removed", []):
            lines.append(ChangeLine("removed", code, previous_titles.get(code, code),
                                    gettext("removed from the programme"),
                                    link=code in latest_codes))
        for move in changes.get("moved", []):
            code = move.get("code")
            text = gettext("moved from %(from)s to %(to)s") % {
                "from": _place_text(move.get("from", {}), tz),
                "to": _place_text(move.get("to", {}), tz)}
            lines.append(ChangeLine("moved", code, move.get("title") or titles.get(code, code),
                                    text, link=code in latest_codes))
        for change in changes.get("changed", []):
            code = change.get("code")
            lines.append(ChangeLine(
                "changed", code, change.get("title") or titles.get(code, code),
                _capitalised(gettext("%(fields)s changed") % {
                    "fields": _fields_text(change.get("fields", []))}),
                link=code in latest_codes))
        for change in changes.get("sessions_changed", []):
            lines.append(ChangeLine(
                "session", None, change.get("title") or gettext("Session"),
                gettext("session %(fields)s changed") % {
                    "fields": _fields_text(change.get("fields", []))}))
        history.append(ReleaseChanges(release.version, release.released_at.astimezone(tz),
                                      release.comment, previous, lines))
    return history
