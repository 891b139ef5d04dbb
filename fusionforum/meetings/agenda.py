"""Personal agendas read from the latest published version: a participant's own meetings and
their organisation's, an expert's meetings, and the calendar feed (iCalendar)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEntry

from fusionforum.accounts import merge
from fusionforum.core import clock
from fusionforum.programme.exports.ical import vtimezone

from . import services, topics
from .models import MeetingFeed, MeetingRelease
from .publishing import expert_words, experts_of
from .topics import visible_topic  # noqa: F401  (decided in topics.py; importable from here)

PRODID = "-//Fusion Forum//meetings//EN"


def participant_meetings(snapshot: dict, user, organisation_id: int | None) -> list[dict]:
    """The organisation's meetings, each marked ``mine`` when the person attends. A published
    version names organisations by id: one merged since (accounts.merge) is read as the
    organisation it was merged into."""
    result = []
    merged = merge.current_ids()
    for meeting in snapshot.get("meetings", []):
        if meeting["organisation"] in merged:
            meeting = {**meeting, "organisation": merged[meeting["organisation"]]}
        if organisation_id is not None and meeting["organisation"] == organisation_id:
            result.append({**meeting, "mine": user.pk in meeting["attendees"]})
        elif user.pk in meeting["attendees"]:
            result.append({**meeting, "mine": True})
    return result


def expert_meetings(snapshot: dict, expert) -> list[dict]:
    return [m for m in snapshot.get("meetings", [])
            if expert and expert.pk in experts_of(m)]


def with_times(meetings: list[dict], tz) -> list[dict]:
    """Published meetings as the pages show them: their times in the event's time zone, and
    ``expert_name`` joined in the reader's language (not the one of the publication)."""
    return [{**m, "start_at": dt.datetime.fromisoformat(m["start"]).astimezone(tz),
             "end_at": dt.datetime.fromisoformat(m["end"]).astimezone(tz),
             "expert_name": expert_words(m)} for m in meetings]


def target_words(meeting: dict, labels: dict[str, str]) -> str:
    """What a published meeting's request asked for, in the reader's language (the snapshot's
    ``target_label`` was written once, in the event's default language)."""
    target = meeting.get("target") or {}
    if target.get("group"):
        names = list(meeting.get("expert_names") or [])
        words = []
        for seat in target["group"]:
            if seat.get("discipline"):
                label = labels.get(seat["discipline"], seat["discipline"].replace("_", " "))
                words.append(_("someone in %(discipline)s") % {"discipline": label.lower()})
            else:
                words.append(names.pop(0) if names else "")
        return _("%(first)s together with %(second)s") % {"first": words[0],
                                                         "second": words[-1]}
    if target.get("discipline"):
        label = labels.get(target["discipline"], target["discipline"].replace("_", " "))
        return _("someone in %(discipline)s") % {"discipline": label.lower()}
    if target.get("expert"):
        return expert_words(meeting)
    return meeting.get("target_label", "")


def feed_for(user, event) -> MeetingFeed:
    feed = MeetingFeed.objects.filter(event=event, user=user).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = MeetingFeed.objects.create(event=event, user=user)
        except IntegrityError:
            feed = MeetingFeed.objects.get(event=event, user=user)
    return feed


def reset_feed(user, event) -> MeetingFeed:
    MeetingFeed.objects.filter(event=event, user=user).delete()
    return feed_for(user, event)


def feed_meetings(event, user) -> list[dict]:
    """What a feed owner's calendar holds: their own meetings as attendee and as expert."""
    release = services.latest_release(event)
    if release is None:
        return []
    expert = services.expert_of(event, user)
    return [m for m in release.snapshot.get("meetings", [])
            if user.pk in m["attendees"] or (expert is not None and expert.pk in experts_of(m))]


_SEQUENCES_KEPT = 16
_sequences: OrderedDict[tuple[int, int, int], dict[int, int]] = OrderedDict()
_sequences_lock = threading.Lock()


def _fingerprint(meeting: dict) -> str:
    return hashlib.sha256(json.dumps(meeting, sort_keys=True, default=str).encode()).hexdigest()


def meeting_sequences(event) -> dict[int, int]:
    """``{request id: revision}`` over the published versions, oldest first: 0 in the first
    version that has the meeting, one more in each later version where it differs from the
    one before (moved, another table, other people, another topic). The feed writes it as
    SEQUENCE, so a calendar replaces its copy of a changed meeting. Computed once per latest
    version and process."""
    head = (MeetingRelease.objects.filter(event=event).order_by("-version")
            .values_list("id", "version").first())
    if head is None:
        return {}
    key = (event.pk, *head)
    with _sequences_lock:
        found = _sequences.get(key)
    if found is not None:
        return found
    numbers: dict[int, int] = {}
    prints: dict[int, str] = {}
    for snapshot in (MeetingRelease.objects.filter(event=event).order_by("version")
                     .values_list("snapshot", flat=True).iterator()):
        for meeting in (snapshot or {}).get("meetings", []):
            request_id = meeting["request"]
            digest = _fingerprint(meeting)
            if request_id not in numbers:
                numbers[request_id] = 0
            elif prints[request_id] != digest:
                numbers[request_id] += 1
            prints[request_id] = digest
    with _sequences_lock:
        _sequences[key] = numbers
        while len(_sequences) > _SEQUENCES_KEPT:
            _sequences.popitem(last=False)
    return numbers


def calendar(event, meetings: list[dict], *, site_url: str, name: str) -> bytes:
    """iCalendar with a VTIMEZONE, stable UIDs (the request's), DTSTAMP, a SEQUENCE that grows
    with each published version that changed the meeting (``meeting_sequences``);
    confidential topics never leave the site (a calendar service keeps whatever it is sent)."""
    tz = event.tz
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", event.time_zone)
    host = site_url.split("://", 1)[-1].split("/", 1)[0] or "fusionforum.invalid"
    years = {dt.datetime.fromisoformat(m["start"]).year for m in meetings} or {
        event.start_date.year}
    cal.add_component(vtimezone(event.time_zone, years))
    stamp = clock.now().astimezone(dt.UTC).replace(microsecond=0)
    link = f"{site_url}/{event.slug}/meetings/"
    sequences = meeting_sequences(event) if meetings else {}
    for meeting in meetings:
        entry = CalendarEntry()
        entry.add("uid", f"meeting-{meeting['request']}-{event.slug}@{host}")
        entry.add("dtstamp", stamp)
        entry.add("sequence", sequences.get(meeting["request"], 0))
        entry.add("dtstart", dt.datetime.fromisoformat(meeting["start"]).astimezone(tz))
        entry.add("dtend", dt.datetime.fromisoformat(meeting["end"]).astimezone(tz))
        entry.add("summary", _("Meeting: %(organisation)s with %(expert)s") % {
            "organisation": meeting["organisation_name"], "expert": expert_words(meeting)})
        if meeting.get("location"):
            entry.add("location", meeting["location"])
        shown = topics.visible_topic(meeting, purpose=topics.Purpose.CALENDAR_FEED)
        topic = str(topics.HIDDEN[topics.Purpose.CALENDAR_FEED]) if shown is None \
            else _("Topic: %(topic)s") % {"topic": shown}
        people = ", ".join(meeting["attendee_names"])
        attending = _("Attending: %(people)s") % {"people": people}
        entry.add("description", f"{topic}\n\n{attending}\n\n{link}")
        entry.add("url", link)
        cal.add_component(entry)
    return cal.to_ical()
