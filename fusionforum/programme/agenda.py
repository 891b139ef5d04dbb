"""A person's personal agenda: talks they star, kept by talk code, and the secret calendar
feed of those talks.

Stars of a signed-in person are stored (AgendaFeed + StarredTalk); an anonymous visitor's stars
stay in their browser (agenda.js) and never reach the server except as a list of codes to show.
A star always names a talk of the latest release; a talk that a later release removes simply
drops out of the agenda (the star is kept, so it comes back if the talk does).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fusionforum.core import clock

from . import public
from .exports import ical
from .models import AgendaFeed, StarredTalk

CODE_PATTERN = re.compile(r"^[A-Z0-9]{1,12}$")
MAX_STARS = 500


class NotInProgramme(Exception):
    """The talk is not in the latest release (or nothing is released yet)."""


def feed_for(user, event, *, create: bool = True) -> AgendaFeed | None:
    if not user.is_authenticated:
        return None
    feed = AgendaFeed.objects.filter(event=event, user=user).first()
    if feed is None and create:
        try:
            with transaction.atomic():
                feed = AgendaFeed.objects.create(event=event, user=user)
        except IntegrityError:  # created at the same moment by another request
            feed = AgendaFeed.objects.get(event=event, user=user)
    return feed


def starred_codes(user, event) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(StarredTalk.objects.filter(agenda__event=event, agenda__user=user)
               .values_list("talk_code", flat=True))


def _released_talk(event, code: str) -> public.Talk:
    programme = public.latest(event)
    talk = programme.talks_by_code.get(code) if programme else None
    if talk is None:
        raise NotInProgramme(code)
    return talk


def star(user, event, code: str) -> public.Talk:
    """Add a released talk to ``user``'s agenda (again: no change)."""
    talk = _released_talk(event, code)
    feed = feed_for(user, event)
    try:
        with transaction.atomic():
            StarredTalk.objects.get_or_create(agenda=feed, talk_code=talk.code)
    except IntegrityError:  # a double click raced with itself: the star is there
        pass
    return talk


def unstar(user, event, code: str) -> None:
    """Remove a talk from ``user``'s agenda; unknown or unstarred codes change nothing."""
    StarredTalk.objects.filter(agenda__event=event, agenda__user=user, talk_code=code).delete()


def star_many(user, event, codes: list[str]) -> int:
    """Star every released talk among ``codes`` (stars kept in a browser, synced on sign-in).
    Returns how many talks were added; unknown codes are skipped."""
    programme = public.latest(event)
    if programme is None:
        return 0
    wanted = [c for c in dict.fromkeys(codes) if c in programme.talks_by_code][:MAX_STARS]
    if not wanted:
        return 0
    feed = feed_for(user, event)
    existing = set(feed.stars.values_list("talk_code", flat=True))
    new = [StarredTalk(agenda=feed, talk_code=c) for c in wanted if c not in existing]
    StarredTalk.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reset_token(user, event) -> AgendaFeed:
    """Give the calendar feed a new secret address; the old one stops working at once."""
    feed = feed_for(user, event)
    feed.token = secrets.token_urlsafe(24)
    feed.save(update_fields=["token"])
    return feed


def feed_by_token(event, token: str) -> AgendaFeed | None:
    if not token or len(token) > 64:
        return None
    return AgendaFeed.objects.filter(event=event, token=token).select_related("user").first()


def parse_codes(raw: str) -> list[str]:
    """Talk codes from a comma- or space-separated list; anything that is not a code is
    dropped."""
    codes = []
    for part in re.split(r"[\s,]+", (raw or "").upper()):
        if CODE_PATTERN.match(part):
            codes.append(part)
    return list(dict.fromkeys(codes))[:MAX_STARS]


@dataclass
class AgendaEntry:
    talk: public.Talk
    clashes: list[public.Talk]


@dataclass
class AgendaDay:
    date: dt.date
    label: str
    entries: list[AgendaEntry]


def agenda(programme: public.Programme, codes) -> list[AgendaDay]:
    """The released talks among ``codes`` by day in time order, each with the other starred
    talks that overlap it."""
    talks = sorted((programme.talks_by_code[c] for c in set(codes)
                    if c in programme.talks_by_code),
                   key=lambda t: (t.start, t.end, t.code))
    entries = []
    for index, talk in enumerate(talks):
        clashes = [other for other in talks[:index] + talks[index + 1:]
                   if other.start < talk.end and talk.start < other.end]
        entries.append(AgendaEntry(talk, clashes))
    days: list[AgendaDay] = []
    for entry in entries:
        date = entry.talk.date
        if not days or days[-1].date != date:
            day = programme.day(date)
            days.append(AgendaDay(date, day.label if day else date_format(date, "l j F"), []))
        days[-1].entries.append(entry)
    return days


def missing_codes(programme: public.Programme | None, codes) -> list[str]:
    """Starred codes that the latest release no longer has."""
    known = programme.talks_by_code if programme else {}
    return sorted(c for c in codes if c not in known)


# Calendar feed ------------------------------------------------------------------------------


def calendar(event, programme: public.Programme, codes, *, site_url: str) -> bytes:
    """An iCalendar file of the starred talks, built by the programme's iCalendar exporter
    (exports/ical.py): a VTIMEZONE for the event's zone, times in that zone, one VEVENT per
    talk whose UID (``<guid>@<host>``) stays the same across releases, so calendar apps update
    a moved talk instead of duplicating it. Only the snapshot's public texts appear."""
    talks = sorted((programme.talks_by_code[c] for c in set(codes)
                    if c in programme.talks_by_code), key=lambda t: (t.start, t.code))
    title = programme.event.get("title") or event.title
    return ical.build_calendar(programme.snapshot, [t.code for t in talks],
                               name=_("My agenda: %(title)s") % {"title": title}, site_url=site_url,
                               dtstamp=clock.now())
