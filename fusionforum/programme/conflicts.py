"""Every rule that makes a programme impossible, in one place.

The services call these checks inside their locked transaction before writing anything; the
release service runs ``working_copy_problems`` over the whole working copy before it freezes
a version. Each check returns readable messages that name the other talk or session and the
times in the event's zone, so an organiser knows what to move.

Rules:
- a session lies on one of the event's days, in the event's zone, and does not cross midnight;
- two sessions in the same room do not overlap; a break without a room concerns every room;
- a talk is an accepted or confirmed submission of the same event;
- a talk sits in a talks or panel session (never a break), inside its time (start at or after
  the session's start, end at or before its end), and does not overlap another talk of the
  session;
- nobody is in two places at once: a speaker's talks do not overlap, and a speaker does not
  chair a session that overlaps one of their talks elsewhere (nor chair two overlapping
  sessions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from fusionforum.cfp.states import SCHEDULABLE, SubmissionState

from .models import ProgrammeSession, TalkSlot


class ProgrammeConflict(Exception):
    """The change would make the programme impossible; nothing was written."""

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def _fmt_time(event, moment: dt.datetime) -> str:
    return moment.astimezone(event.tz).strftime("%H:%M")


def _fmt_span(event, start: dt.datetime, end: dt.datetime) -> str:
    local_start = start.astimezone(event.tz)
    return f"{local_start:%a %d %b} {local_start:%H:%M}-{_fmt_time(event, end)}"


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
    room = f" in {session.room.name}" if session.room_id else " (all rooms)"
    return f"“{session.title}”{room}"


def check_session(event, *, kind: str, room, start, end, chairs: Iterable = (),
                  exclude=None) -> list[str]:
    """Problems of a session of ``kind`` in ``room`` from ``start`` to ``end`` with ``chairs``
    (users); ``exclude``: the session being edited (its current row is ignored)."""
    problems = []
    if start is None or end is None:
        return ["A session needs a start and an end."]
    if end <= start:
        return [f"A session must end after it starts ({_fmt_time(event, start)} to "
                f"{_fmt_time(event, end)})."]
    if room is not None and room.event_id != event.pk:
        problems.append("That room belongs to another event.")
    if room is None and kind != ProgrammeSession.Kind.BREAK:
        problems.append("Only a break can be without a room.")
    local_start, local_end = start.astimezone(event.tz), end.astimezone(event.tz)
    if local_start.date() != (local_end - dt.timedelta(microseconds=1)).date():
        problems.append(f"A session cannot cross midnight in {event.time_zone} "
                        f"({local_start:%d %b %H:%M} to {local_end:%d %b %H:%M}).")
    dates = event_dates(event)
    if local_start.date() not in dates:
        problems.append(f"{local_start:%A %d %B %Y} is not one of the event's days "
                        f"({', '.join(f'{d:%d %b}' for d in dates)}).")
    if problems:
        return problems

    others = ProgrammeSession.objects.filter(event=event, start__lt=end, end__gt=start)
    if exclude is not None and exclude.pk:
        others = others.exclude(pk=exclude.pk)
    others = list(others.select_related("room").prefetch_related("chairs"))
    for other in others:
        if room is None or other.room_id is None or other.room_id == room.pk:
            where = f"in {room.name}" if room is not None and other.room_id == room.pk \
                else "across every room"
            problems.append(
                f"Overlaps {_session_label(other)} ({_fmt_span(event, other.start, other.end)}) "
                f"{where}.")

    chairs = list(chairs)
    if chairs:
        chair_ids = {c.pk for c in chairs}
        names = {c.pk: c.full_name or c.email for c in chairs}
        for other in others:
            for chair in other.chairs.all():
                if chair.pk in chair_ids:
                    problems.append(
                        f"{names[chair.pk]} already chairs {_session_label(other)} "
                        f"({_fmt_span(event, other.start, other.end)}).")
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
                        f"{names[link.user_id]} speaks in “{slot.submission.title}” "
                        f"({_fmt_span(event, slot.start, slot.end)}, "
                        f"{_session_label(slot.session)}) and cannot chair at the same time.")

    if exclude is not None and exclude.pk:
        slots = list(TalkSlot.objects.filter(session=exclude).select_related("submission"))
        if slots and kind not in (ProgrammeSession.Kind.TALKS, ProgrammeSession.Kind.PANEL):
            problems.append(
                f"This session holds {len(slots)} talk{'s' if len(slots) != 1 else ''}; "
                f"unplace them before making it a {ProgrammeSession.Kind(kind).label.lower()}.")
        for slot in slots:
            if slot.start < start or slot.end > end:
                problems.append(
                    f"“{slot.submission.title}” ({_fmt_span(event, slot.start, slot.end)}) "
                    f"would no longer fit inside the session "
                    f"({_fmt_span(event, start, end)}).")
    return problems


def check_submission(event, submission) -> list[str]:
    if submission.event_id != event.pk:
        return ["That submission belongs to another event."]
    if submission.state not in SCHEDULABLE:
        return [f"“{submission.title}” is {SubmissionState(submission.state).label.lower()}: "
                f"only accepted or confirmed talks can be placed."]
    return []


def check_talk(event, submission, session, start, duration_minutes: int,
               exclude=None) -> list[str]:
    """Problems of placing ``submission`` in ``session`` at ``start`` for ``duration_minutes``;
    ``exclude``: the talk's current slot (ignored when moving it)."""
    problems = check_submission(event, submission)
    if problems:
        return problems
    if session.event_id != event.pk:
        return ["That session belongs to another event."]
    if session.kind == ProgrammeSession.Kind.BREAK:
        return [f"“{session.title}” is a break ({_fmt_span(event, session.start, session.end)}): "
                f"talks cannot be placed in a break."]
    if not session.takes_talks:
        return [f"“{session.title}” is a {session.get_kind_display().lower()} session; "
                f"place talks in a talks or panel session."]
    if not isinstance(duration_minutes, int) or not 5 <= duration_minutes <= 240:
        return ["A talk lasts between 5 and 240 minutes."]
    end = start + dt.timedelta(minutes=duration_minutes)
    local_start, local_end = start.astimezone(event.tz), end.astimezone(event.tz)
    if local_start.date() != (local_end - dt.timedelta(microseconds=1)).date() \
            or local_start.date() not in event_dates(event):
        return [f"{_fmt_span(event, start, end)} is outside the event's days or crosses "
                f"midnight in {event.time_zone}."]
    if start < session.start or end > session.end:
        what = "longer than its slot" if end - start > session.end - session.start \
            else "outside its session"
        return [f"“{submission.title}” ({_fmt_span(event, start, end)}, {duration_minutes} "
                f"min) is {what}: {_session_label(session)} runs "
                f"{_fmt_span(event, session.start, session.end)}."]

    exclude_pk = exclude.pk if exclude is not None and exclude.pk else None
    neighbours = TalkSlot.objects.filter(session=session).select_related("submission")
    if exclude_pk:
        neighbours = neighbours.exclude(pk=exclude_pk)
    neighbours = neighbours.exclude(submission=submission)
    for other in neighbours:
        if _overlaps(start, end, other.start, other.end):
            problems.append(
                f"Overlaps “{other.submission.title}” ({_fmt_span(event, other.start, other.end)})"
                f" in {_session_label(session)}.")

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
                        f"{names[link.user_id]} already speaks in “{other.submission.title}” "
                        f"({_fmt_span(event, other.start, other.end)}, "
                        f"{_session_label(other.session)}).")
        chaired = (ProgrammeSession.objects
                   .filter(event=event, start__lt=end, end__gt=start, chairs__in=speaker_ids)
                   .exclude(pk=session.pk).select_related("room")
                   .prefetch_related("chairs").distinct())
        for other in chaired:
            for chair in other.chairs.all():
                if chair.pk in speaker_ids:
                    problems.append(
                        f"{names[chair.pk]} chairs {_session_label(other)} "
                        f"({_fmt_span(event, other.start, other.end)}) at that time.")
    return problems


def working_copy_problems(event) -> list[str]:
    """Every problem of the whole working copy (what a release refuses to publish): the same
    rules, applied to each session and talk against all the others."""
    problems = []
    sessions = list(ProgrammeSession.objects.filter(event=event)
                    .select_related("room").prefetch_related("chairs"))
    for session in sessions:
        for message in check_session(event, kind=session.kind, room=session.room,
                                     start=session.start, end=session.end,
                                     chairs=session.chairs.all(), exclude=session):
            problems.append(f"Session “{session.title}”: {message}")
    slots = (TalkSlot.objects.filter(session__event=event)
             .select_related("submission", "session__room"))
    for slot in slots:
        for message in check_talk(event, slot.submission, slot.session, slot.start,
                                  slot.duration_minutes, exclude=slot):
            problems.append(f"Talk “{slot.submission.title}”: {message}")
    # Each overlap is found from both sides; say it once.
    return list(dict.fromkeys(problems))
