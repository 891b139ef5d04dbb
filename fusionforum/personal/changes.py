"""Same-day changes to a person's schedule: what moved, changed room or was cancelled today
(the event's day, in its time zone).

The mechanism is the apps' own records of what they published, read when the page or feed is
built; nothing is copied or recorded a second time, so a change can never be told that did
not happen, nor missed because a listener was down:

- **programme**: each release stores its change list against the previous one
  (``Release.changes``, programme/diff.py: moved with old and new time and room, removed,
  sessions changed). Releases made today that touch the person's talks, starred talks or
  chaired sessions are told. The first release is no change.
- **meetings**: each published version stores its change list (``MeetingRelease.changes``:
  added, removed, moved with old and new slot and expert). A removed meeting is the person's
  when the version before listed them.
- **site visits**: a seat's life cycle is logged (``SeatTransition``): a seat or waiting place
  cancelled, refused or expired today by someone else, or a waiting place turned into a seat,
  is told; a run the organisers saved today (audit ``visits.run_saved``: time, meeting point
  or capacity) after the person took their seat is told with its current time and place.

The person's own actions (they cancelled their seat) are not "changes" to tell them about.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from fusionforum.core.models import AuditEntry
from fusionforum.meetings.models import MeetingRelease
from fusionforum.meetings.publishing import expert_words
from fusionforum.programme import agenda as programme_agenda
from fusionforum.programme.models import Release
from fusionforum.visits.models import Seat, SeatTransition
from fusionforum.visits.states import SeatStatus


def _today(event, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now, event.tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def _hm(value: str, tz) -> str:
    moment = dt.datetime.fromisoformat(value).astimezone(tz)
    return f"{date_format(moment, 'D j M')} {time_format(moment, 'H:i')}"


def _programme(event, items, since, until) -> list[tuple[str, str]]:
    keys = {i.key for i in items}
    found = []
    tz = event.tz
    for release in (Release.objects.filter(event=event, released_at__gte=since,
                                           released_at__lt=until, version__gt=1)
                    .order_by("version").only("changes", "version")):
        changes = release.changes or {}
        for moved in changes.get("moved", []):
            key = f"talk-{moved['code']}"
            if key not in keys:
                continue
            before, after = moved.get("from", {}), moved.get("to", {})
            parts = []
            if before.get("start") != after.get("start") or before.get("end") != after.get("end"):
                parts.append(_("moved from %(old)s to %(new)s") % {
                    "old": _hm(before["start"], tz), "new": _hm(after["start"], tz)})
            if before.get("room") != after.get("room"):
                parts.append(_("room changed from %(old)s to %(new)s") % {
                    "old": before.get("room") or "—", "new": after.get("room") or "—"})
            if parts:
                found.append((key, _("“%(title)s”: %(what)s.") % {
                    "title": moved.get("title", ""), "what": "; ".join(parts)}))
        for session in changes.get("sessions_changed", []):
            key = f"session-{session['id']}"
            if key in keys and {"start", "end", "room", "removed"} & set(session["fields"]):
                found.append((key, _("The session “%(title)s” you chair changed (time or "
                                     "room).") % {"title": session.get("title", "")}))
    return found


def _removed_talks(event, user, since, until, starred: set[str]) -> list[str]:
    """Starred or given talks that a release today took out of the programme (they are no
    longer items, so they are told without one)."""
    lines = []
    for release in (Release.objects.filter(event=event, released_at__gte=since,
                                           released_at__lt=until, version__gt=1)
                    .order_by("version")):
        previous = Release.objects.filter(event=event, version=release.version - 1).first()
        old_talks = {t["code"]: t for t in (previous.snapshot if previous else {}).get(
            "talks", [])}
        for code in (release.changes or {}).get("removed", []):
            if code in starred and code in old_talks:
                lines.append(_("“%(title)s” was removed from the programme.") % {
                    "title": old_talks[code]["title"]})
    return lines


def _meetings(event, user, items, since, until) -> tuple[list[tuple[str, str]], list[str]]:
    keys = {i.key for i in items}
    found, loose = [], []
    tz = event.tz
    for release in (MeetingRelease.objects.filter(event=event, published_at__gte=since,
                                                  published_at__lt=until, version__gt=1)
                    .order_by("version")):
        changes = release.changes or {}
        for moved in changes.get("moved", []):
            key = f"meeting-{moved['request']}"
            if key not in keys:
                continue
            before, after = moved["from"], moved["to"]
            if before["start"] != after["start"]:
                text = _("Meeting moved from %(old)s to %(new)s.") % {
                    "old": _hm(before["start"], tz), "new": _hm(after["start"], tz)}
            else:
                text = _("Meeting now with %(expert)s.") % {"expert": expert_words(after)}
            found.append((key, text))
        removed = set(changes.get("removed", []))
        if removed:
            previous = MeetingRelease.objects.filter(
                event=event, version=release.version - 1).first()
            for meeting in (previous.snapshot if previous else {}).get("meetings", []):
                if meeting["request"] in removed and (
                        user.pk in meeting.get("attendees", [])
                        or meeting.get("expert_user") == user.pk):
                    loose.append(_("Your meeting at %(when)s (%(organisation)s with "
                                   "%(expert)s) was cancelled.") % {
                        "when": _hm(meeting["start"], tz),
                        "organisation": meeting["organisation_name"],
                        "expert": expert_words(meeting)})
    return found, loose


def _tours(event, user, items, since, until) -> tuple[list[tuple[str, str]], list[str]]:
    keys = {i.key for i in items}
    found, loose = [], []
    for move in (SeatTransition.objects.filter(seat__user=user, seat__run__tour__event=event,
                                               at__gte=since, at__lt=until)
                 .exclude(by=user).select_related("seat__run__tour").order_by("at", "id")):
        seat = move.seat
        name = seat.run.tour.name
        if move.to_status in (SeatStatus.CANCELLED, SeatStatus.REFUSED_CLEARANCE,
                              SeatStatus.EXPIRED):
            loose.append(_("Your place on the site visit “%(tour)s” (%(when)s) was "
                           "cancelled.") % {"tour": name, "when": str(seat.run)})
        elif move.to_status == SeatStatus.HELD and move.from_status == SeatStatus.WAITLISTED:
            found.append((f"seat-{seat.pk}",
                          _("A seat freed up: you now have a seat on “%(tour)s”.") % {
                              "tour": name}))
    seats = {str(s.run_id): s for s in Seat.objects.filter(
        user=user, run__tour__event=event, status__in=(SeatStatus.HELD, SeatStatus.WAITLISTED))
        .select_related("run__tour")}
    if seats:
        for entry in (AuditEntry.objects.filter(action="visits.run_saved",
                                                object_type="visits.tourrun",
                                                object_id__in=list(seats), at__gte=since,
                                                at__lt=until).order_by("at", "id")):
            seat = seats[entry.object_id]
            if seat.created_at >= entry.at or f"seat-{seat.pk}" not in keys:
                continue
            run = seat.run
            found.append((f"seat-{seat.pk}", _(
                "The organisers updated this site visit today: it now starts %(when)s at "
                "%(point)s.") % {"when": str(run), "point": run.meeting_point}))
    return found, loose


def for_items(event, user, items, *, now: dt.datetime) -> list[tuple[object, str]]:
    """Today's changes to the person's ``items`` (each also added to ``item.changes``), and
    changes that took an item away (with None as item). Newest publications last."""
    since, until = _today(event, now)
    by_key = {item.key: item for item in items}
    found: list[tuple[str, str]] = []
    loose: list[str] = []
    if event.uses_programme:
        found += _programme(event, items, since, until)
        starred = {i.key[5:] for i in items if i.key.startswith("talk-")}
        starred |= programme_agenda.starred_codes(user, event)
        loose += _removed_talks(event, user, since, until, starred)
    if event.uses_meetings:
        more, gone = _meetings(event, user, items, since, until)
        found += more
        loose += gone
    if event.uses_visits:
        more, gone = _tours(event, user, items, since, until)
        found += more
        loose += gone
    result: list[tuple[object, str]] = []
    for key, text in found:
        item = by_key[key]
        if text not in item.changes:
            item.changes.append(text)
            result.append((item, text))
    result += [(None, text) for text in dict.fromkeys(loose)]
    return result
