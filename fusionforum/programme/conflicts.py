"""Every rule that makes a programme impossible, in one place.

The services call these checks inside their locked transaction before writing anything; the
release service runs ``working_copy_problems`` over the whole working copy before it freezes
a version. Each check returns readable messages that name the other talk or session and the
times in the event's zone, so an organiser knows what to move.

Rules:
- a session starts on one of the event's days, in the event's zone; it may run past midnight
  (a late-evening session from 23:00 to 01:00 belongs to the day it starts on) but lasts at
  most ``MAX_SESSION`` (24 hours);
- two sessions in the same room do not overlap; a break without a room concerns every room;
- a session inside another (``parent``: an Indico session slot holding its contributions)
  sits in its parent's room and inside its parent's time; it may overlap its parent, not its
  siblings; a session outside its parent's time is also checked against the other sessions
  of the room. Sessions inside another slot are not checked against a session: their slot
  is (so one overlap is said once);
- a talk is an accepted or confirmed submission of the same event;
- a talk sits in a talks or panel session (never a break), inside its time (start at or after
  the session's start, end at or before its end; after midnight too when the session runs
  past it), and does not overlap another talk of the session;
- nobody is in two places at once: a speaker's talks do not overlap, and a speaker does not
  chair a session that overlaps one of their talks elsewhere (nor chair two overlapping
  sessions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.cfp.states import SCHEDULABLE, SubmissionState

from .models import ProgrammeSession, TalkSlot

MAX_SESSION = dt.timedelta(hours=24)


class ProgrammeConflict(Exception):
    """The change would make the programme impossible; nothing was written."""

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def _fmt_time(event, moment: dt.datetime) -> str:
    return moment.astimezone(event.tz).strftime("%H:%M")


def _fmt_span(event, start: dt.datetime, end: dt.datetime) -> str:
    local_start = start.astimezone(event.tz)
    return f"{date_format(local_start, 'D j M')} {local_start:%H:%M}-{_fmt_time(event, end)}"


def _overlaps(start_a, end_a, start_b, end_b) -> bool:
    return start_a < end_b and start_b < end_a


def event_dates(event) -> list[dt.date]:
    """The dates a session may fall on: the event's days, or its date range if it has none."""
    dates = sorted(event.days.values_list("date", flat=True))
    if dates:
        return dates
    span = (event.end_date - event.start_date).days
    return [event.start_date + dt.timedelta(days=n) for n in range(span + 1)]


def _session_label(session) -> str:
    if session.room_id:
        return _("“%(title)s” in %(room)s") % {"title": session.title, "room": session.room.name}
    return _("“%(title)s” (all rooms)") % {"title": session.title}


def check_session(event, *, kind: str, room, start, end, chairs: Iterable = (),
                  exclude=None, parent=None, dates: list[dt.date] | None = None) -> list[str]:
    """Problems of a session of ``kind`` in ``room`` from ``start`` to ``end`` with ``chairs``
    (users), inside the session ``parent`` if given; ``exclude``: the session being edited
    (its current row is ignored); ``dates``: ``event_dates(event)`` when the caller checks many
    sessions and has read them once."""
    problems = []
    if start is None or end is None:
        return [_("A session needs a start and an end.")]
    if end <= start:
        return [_("A session must end after it starts (%(start)s to %(end)s).")
                % {"start": _fmt_time(event, start), "end": _fmt_time(event, end)}]
    if room is not None and room.event_id != event.pk:
        problems.append(_("That room belongs to another event."))
    if room is None and kind != ProgrammeSession.Kind.BREAK:
        problems.append(_("Only a break can be without a room."))
    local_start, local_end = start.astimezone(event.tz), end.astimezone(event.tz)
    if end - start > MAX_SESSION:
        problems.append(_("A session lasts at most 24 hours (%(start)s to %(end)s in %(zone)s).")
                        % {"zone": event.time_zone,
                           "start": date_format(local_start, "j M H:i"),
                           "end": date_format(local_end, "j M H:i")})
    dates = event_dates(event) if dates is None else dates
    if local_start.date() not in dates:
        problems.append(_("%(day)s is not one of the event's days (%(days)s).")
                        % {"day": date_format(local_start, "l j F Y"),
                           "days": ", ".join(date_format(d, "j M") for d in dates)})
    inside = True
    if parent is not None:
        if parent.event_id != event.pk:
            problems.append(_("That session belongs to another event."))
        elif parent.parent_id is not None:
            problems.append(_("A session inside another cannot hold sessions itself."))
        if room is not None and parent.room_id is not None and room.pk != parent.room_id:
            problems.append(_("It is part of %(session)s: it takes place in that room, not in "
                              "%(room)s.") % {"session": _session_label(parent),
                                              "room": room.name})
        inside = parent.start <= start and end <= parent.end
        if not inside:
            problems.append(_("It is part of %(session)s, which runs %(when)s: it must start "
                              "and end inside that time.")
                            % {"session": _session_label(parent),
                               "when": _fmt_span(event, parent.start, parent.end)})
    if problems:
        return problems

    others = ProgrammeSession.objects.filter(event=event, start__lt=end, end__gt=start)
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk).exclude(parent_id=exclude.pk)
    if parent is not None:
        # Its siblings; the room's other sessions only when it leaves its parent's time.
        others = others.exclude(pk=parent.pk)
        others = others.filter(parent_id=parent.pk) if inside else others.filter(
            Q(parent_id=parent.pk) | Q(parent__isnull=True))
    else:
        others = others.filter(parent__isnull=True)
    others = list(others.select_related("room").prefetch_related("chairs"))
    for other in others:
        if room is None or other.room_id is None or other.room_id == room.pk:
            values = {"session": _session_label(other),
                      "when": _fmt_span(event, other.start, other.end)}
            if room is not None and other.room_id == room.pk:
                problems.append(_("Overlaps %(session)s (%(when)s) in %(room)s.")
                                % {**values, "room": room.name})
            else:
                problems.append(_("Overlaps %(session)s (%(when)s) across every room.")
                                % values)

    chairs = list(chairs)
    if chairs:
        chair_ids = {c.pk for c in chairs}
        names = {c.pk: c.full_name or c.email for c in chairs}
        for other in others:
            for chair in other.chairs.all():
                if chair.pk in chair_ids:
                    problems.append(
                        _("%(name)s already chairs %(session)s (%(when)s).")
                        % {"name": names[chair.pk], "session": _session_label(other),
                           "when": _fmt_span(event, other.start, other.end)})
        talks = (TalkSlot.objects.filter(session__event=event,
                                         submission__speakers__in=chair_ids)
                 .select_related("submission", "session__room").distinct())
        if exclude is not None and exclude.pk:
            talks = talks.exclude(session=exclude)
        for slot in talks:
            if not _overlaps(slot.start, slot.end, start, end):
                continue
            for link in slot.submission.speaker_links.all():
                if link.user_id in chair_ids:
                    problems.append(
                        _("%(name)s speaks in “%(title)s” (%(when)s, %(session)s) and cannot "
                          "chair at the same time.")
                        % {"name": names[link.user_id], "title": slot.submission.title,
                           "when": _fmt_span(event, slot.start, slot.end),
                           "session": _session_label(slot.session)})

    if exclude is not None and exclude.pk:
        for child in ProgrammeSession.objects.filter(parent_id=exclude.pk):
            if child.start < start or child.end > end:
                problems.append(
                    _("“%(title)s” (%(when)s), a part of this session, would no longer fit "
                      "inside it (%(session_when)s).")
                    % {"title": child.title, "when": _fmt_span(event, child.start, child.end),
                       "session_when": _fmt_span(event, start, end)})
        slots = list(TalkSlot.objects.filter(session=exclude).select_related("submission"))
        if slots and kind not in (ProgrammeSession.Kind.TALKS, ProgrammeSession.Kind.PANEL):
            problems.append(
                ngettext("This session holds %(count)s talk; unplace it before making it a "
                         "session of the kind “%(kind)s”.",
                         "This session holds %(count)s talks; unplace them before making it a "
                         "session of the kind “%(kind)s”.", len(slots))
                % {"count": len(slots), "kind": ProgrammeSession.Kind(kind).label})
        for slot in slots:
            if slot.start < start or slot.end > end:
                problems.append(
                    _("“%(title)s” (%(when)s) would no longer fit inside the session "
                      "(%(session_when)s).")
                    % {"title": slot.submission.title,
                       "when": _fmt_span(event, slot.start, slot.end),
                       "session_when": _fmt_span(event, start, end)})
    return problems


def check_submission(event, submission) -> list[str]:
    if submission.event_id != event.pk:
        return [_("That submission belongs to another event.")]
    if submission.state not in SCHEDULABLE:
        return [_("“%(title)s” is in the state “%(state)s”: only accepted or confirmed talks "
                  "can be placed.")
                % {"title": submission.title,
                   "state": SubmissionState(submission.state).label}]
    return []


def check_talk(event, submission, session, start, duration_minutes: int,
               exclude=None, dates: list[dt.date] | None = None) -> list[str]:
    """Problems of placing ``submission`` in ``session`` at ``start`` for ``duration_minutes``;
    ``exclude``: the talk's current slot (ignored when moving it); ``dates`` as for
    ``check_session``."""
    problems = check_submission(event, submission)
    if problems:
        return problems
    if session.event_id != event.pk:
        return [_("That session belongs to another event.")]
    if session.kind == ProgrammeSession.Kind.BREAK:
        return [_("“%(title)s” is a break (%(when)s): talks cannot be placed in a break.")
                % {"title": session.title,
                   "when": _fmt_span(event, session.start, session.end)}]
    if not session.takes_talks:
        return [_("“%(title)s” is a session of the kind “%(kind)s”; place talks in a talks or "
                  "panel session.")
                % {"title": session.title, "kind": session.get_kind_display()}]
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 240:
        return [_("A talk lasts between 5 and 240 minutes.")]
    end = start + dt.timedelta(minutes=duration_minutes)
    # A talk belongs to its session's day, also after midnight in a late session.
    dates = event_dates(event) if dates is None else dates
    if session.start.astimezone(event.tz).date() not in dates:
        return [_("%(when)s is outside the event's days (times in %(zone)s).")
                % {"when": _fmt_span(event, start, end), "zone": event.time_zone}]
    if start < session.start or end > session.end:
        values = {"title": submission.title, "when": _fmt_span(event, start, end),
                  "minutes": duration_minutes, "session": _session_label(session),
                  "session_when": _fmt_span(event, session.start, session.end)}
        if end - start > session.end - session.start:
            return [_("“%(title)s” (%(when)s, %(minutes)s min) is longer than its slot: "
                      "%(session)s runs %(session_when)s.") % values]
        return [_("“%(title)s” (%(when)s, %(minutes)s min) is outside its session: "
                  "%(session)s runs %(session_when)s.") % values]

    exclude_pk = exclude.pk if exclude is not None and exclude.pk else None
    neighbours = TalkSlot.objects.filter(session=session).select_related("submission")
    if exclude_pk:
        neighbours = neighbours.exclude(pk=exclude_pk)
    neighbours = neighbours.exclude(submission=submission)
    for other in neighbours:
        if _overlaps(start, end, other.start, other.end):
            problems.append(
                _("Overlaps “%(title)s” (%(when)s) in %(session)s.")
                % {"title": other.submission.title,
                   "when": _fmt_span(event, other.start, other.end),
                   "session": _session_label(session)})

    speakers = list(submission.speaker_links.select_related("user"))
    speaker_ids = {link.user_id for link in speakers}
    names = {link.user_id: link.user.full_name or link.user.email for link in speakers}
    if speaker_ids:
        elsewhere = (TalkSlot.objects
                     .filter(session__event=event, start__lt=end,
                             submission__speakers__in=speaker_ids)
                     .exclude(submission=submission)
                     .select_related("submission", "session__room").distinct())
        for other in elsewhere:
            if not _overlaps(start, end, other.start, other.end):
                continue
            for link in other.submission.speaker_links.all():
                if link.user_id in speaker_ids:
                    problems.append(
                        _("%(name)s already speaks in “%(title)s” (%(when)s, %(session)s).")
                        % {"name": names[link.user_id], "title": other.submission.title,
                           "when": _fmt_span(event, other.start, other.end),
                           "session": _session_label(other.session)})
        chaired = (ProgrammeSession.objects
                   .filter(event=event, start__lt=end, end__gt=start, chairs__in=speaker_ids)
                   .exclude(pk__in=[session.pk, session.parent_id or 0])
                   .select_related("room")
                   .prefetch_related("chairs").distinct())
        for other in chaired:
            for chair in other.chairs.all():
                if chair.pk in speaker_ids:
                    problems.append(
                        _("%(name)s chairs %(session)s (%(when)s) at that time.")
                        % {"name": names[chair.pk], "session": _session_label(other),
                           "when": _fmt_span(event, other.start, other.end)})
    return problems


def working_copy_problems(event) -> list[str]:
    """Every problem of the whole working copy (what a release refuses to publish): the same
    rules, applied to each session and talk against all the others."""
    problems = []
    dates = event_dates(event)
    sessions = list(ProgrammeSession.objects.filter(event=event)
                    .select_related("room", "parent").prefetch_related("chairs"))
    for session in sessions:
        for message in check_session(event, kind=session.kind, room=session.room,
                                     start=session.start, end=session.end,
                                     chairs=session.chairs.all(), exclude=session,
                                     parent=session.parent, dates=dates):
            problems.append(_("Session “%(title)s”: %(problem)s")
                            % {"title": session.title, "problem": message})
    slots = (TalkSlot.objects.filter(session__event=event)
             .select_related("submission", "session__room"))
    for slot in slots:
        for message in check_talk(event, slot.submission, slot.session, slot.start,
                                  slot.duration_minutes, exclude=slot, dates=dates):
            problems.append(_("Talk “%(title)s”: %(problem)s")
                            % {"title": slot.submission.title, "problem": message})
    # Each overlap is found from both sides; say it once.
    return list(dict.fromkeys(problems))
