"""Editing the working copy of the programme: rooms, sessions, placing talks.

Every change runs in one transaction that first locks the event row (``SELECT ... FOR
UPDATE``; on SQLite the write transaction holds the database lock), then re-reads what it
needs, checks the rules of ``conflicts.py`` and writes: two organisers placing talks at the
same moment are serialised, and the second sees the first's talk. A refused change raises
``InvalidChange`` (bad input, 400) or ``conflicts.ProgrammeConflict`` (the programme would
become impossible, 409) and writes nothing. Permission: organisers of the event
(``programme.manage_programme``); ``by=None`` is the system (demo, import).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fusionforum.cfp.models import Submission
from fusionforum.cfp.states import SCHEDULABLE
from fusionforum.core import audit
from fusionforum.core.text import validate_multiline, validate_single_line
from fusionforum.core.translated_fields import localized_names
from fusionforum.events.models import Event, StreamLink
from fusionforum.registration.states import Status

from . import conflicts
from .conflicts import ProgrammeConflict
from .models import ItemToPlace, ProgrammeSession, Room, SessionPerson, TalkSlot

PERMISSION = "programme.manage_programme"
# title and description are also given per language (title_en, title_fr…: see translation.py)
SESSION_TRANSLATIONS = (*localized_names("title"), *localized_names("description"))
SESSION_FIELDS = ("kind", "title", "description", "room", "start", "end", "chairs", "stream",
                  *SESSION_TRANSLATIONS)
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

__all__ = ["InvalidChange", "ProgrammeConflict"]


class InvalidChange(Exception):
    """The input itself is wrong (unknown object, bad value); nothing was written."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def _check_permission(event, by) -> None:
    if by is not None and not by.has_perm(PERMISSION, event):
        raise PermissionDenied(_("Only the event's organisers can edit the programme."))


def _lock(event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _validation_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name.replace('_', ' ').capitalize()}: {message}"
                if name != "__all__" else message
                for name, messages in error.message_dict.items() for message in messages]
    return list(error.messages)


# Who may chair -------------------------------------------------------------------------------


def eligible_chairs(event):
    """Registered participants (confirmed registration) and the event's team."""
    return (get_user_model().objects
            .filter(Q(registrations__event=event, registrations__status=Status.CONFIRMED)
                    | Q(event_roles__event=event))
            .filter(is_active=True).distinct().order_by("full_name", "email"))


# Rooms ---------------------------------------------------------------------------------------


def _clean_room(room: Room) -> None:
    try:
        validate_single_line(room.name)
        validate_single_line(room.description)
        room.full_clean()
    except ValidationError as error:
        raise InvalidChange(_validation_messages(error)) from error


def create_room(event, *, by, name: str, description: str = "", capacity=None,
                position: int | None = None) -> Room:
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        if position is None:
            position = Room.objects.filter(event=event).count()
        room = Room(event=event, name=(name or "").strip(), description=(description or "").strip(),
                    capacity=capacity, position=position)
        _clean_room(room)
        room.save()
        audit.record("programme.room_created", room, actor=_actor(by), summary=room.name[:100])
    return room


def update_room(room: Room, *, by, **fields) -> Room:
    event = room.event
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        room = Room.objects.get(pk=room.pk)
        for name, value in fields.items():
            if name not in ("name", "description", "capacity", "position"):
                raise InvalidChange(_("Unknown room field “%(name)s”.") % {"name": name})
            setattr(room, name, value.strip() if isinstance(value, str) else value)
        _clean_room(room)
        room.save()
        audit.record("programme.room_changed", room, actor=_actor(by), summary=room.name[:100])
    return room


def delete_room(room: Room, *, by) -> None:
    event = room.event
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        used = list(ProgrammeSession.objects.filter(room=room).values_list("title", flat=True))
        if used:
            names = ", ".join(used[:3]) + (", ..." if len(used) > 3 else "")
            raise InvalidChange(
                ngettext("“%(room)s” still has %(count)s session (%(names)s); move or delete it "
                         "first.",
                         "“%(room)s” still has %(count)s sessions (%(names)s); move or delete "
                         "them first.", len(used))
                % {"room": room.name, "count": len(used), "names": names})
        audit.record("programme.room_deleted", room, actor=_actor(by), summary=room.name[:100])
        room.delete()


# Sessions ------------------------------------------------------------------------------------


def _resolve_session_values(event, values: dict) -> dict:
    """Check the foreign objects belong to the event; returns the values with objects."""
    room = values.get("room")
    if room is not None and room.event_id != event.pk:
        raise InvalidChange(_("That room belongs to another event."))
    stream = values.get("stream")
    if stream is not None and stream.event_id != event.pk:
        raise InvalidChange(_("That livestream belongs to another event."))
    chairs = list(values.get("chairs") or [])
    if chairs:
        allowed = set(eligible_chairs(event).filter(pk__in=[c.pk for c in chairs])
                      .values_list("pk", flat=True))
        for chair in chairs:
            if chair.pk not in allowed:
                raise InvalidChange(f"{chair.full_name or chair.email} is neither a registered "
                                    f"participant nor on the team: they cannot chair.")
    values["chairs"] = chairs
    return values


def _save_session(event, session: ProgrammeSession, values: dict, by, action: str):
    values = _resolve_session_values(event, values)
    # Per-language values first; a plain title/description is the active language's and wins.
    for name in ("kind", "room", "start", "end", "stream"):
        setattr(session, name, values[name])
    for name in (*SESSION_TRANSLATIONS, "title", "description"):
        if values.get(name) is not None:
            setattr(session, name, values[name])
    try:
        for name in localized_names("title"):
            setattr(session, name, (getattr(session, name) or "").strip())
            validate_single_line(getattr(session, name))
        for name in localized_names("description"):
            validate_multiline(getattr(session, name) or "")
        session.full_clean(exclude=["event"])
    except ValidationError as error:
        raise InvalidChange(_validation_messages(error)) from error
    problems = conflicts.check_session(
        event, kind=session.kind, room=session.room, start=session.start, end=session.end,
        chairs=values["chairs"], exclude=session if session.pk else None,
        parent=session.parent)
    if problems:
        raise ProgrammeConflict(problems)
    session.save()
    session.chairs.set(values["chairs"])
    local = session.start.astimezone(event.tz)
    audit.record(action, session, actor=_actor(by),
                 summary=f"{session.title[:120]} ({local:%d %b %H:%M})")
    return session


def create_session(event, *, by, kind: str, start: dt.datetime, end: dt.datetime,
                   title: str | None = None, room: Room | None = None,
                   description: str | None = None, chairs: Iterable = (),
                   stream: StreamLink | None = None, **translations) -> ProgrammeSession:
    """``title``/``description`` are in the active language; ``title_en=``, ``title_fr=``…
    give each language's version."""
    _check_permission(event, by)
    unknown = set(translations) - set(SESSION_TRANSLATIONS)
    if unknown:
        raise InvalidChange(_("Unknown session field “%(name)s”.") % {"name": sorted(unknown)[0]})
    with transaction.atomic():
        _lock(event)
        values = {"kind": kind, "title": title, "description": description, "room": room,
                  "start": start, "end": end, "chairs": chairs, "stream": stream,
                  **translations}
        return _save_session(event, ProgrammeSession(event=event), values, by,
                             "programme.session_created")


def _move_children(current: ProgrammeSession, values: dict) -> list[ProgrammeSession]:
    """Move the sessions inside ``current`` (a session slot's contributions) and their talks
    by the offset of its new start, into its new room; returns them, moved (not checked)."""
    children = list(ProgrammeSession.objects.filter(parent_id=current.pk)
                    .select_related("room").prefetch_related("chairs"))
    if not children:
        return []
    offset = (values["start"] - current.start) if values.get("start") else dt.timedelta(0)
    room = values.get("room")
    moved_room = room is not None and room.pk != current.room_id
    if not offset and not moved_room:
        return []
    for child in children:
        child.start += offset
        child.end += offset
        if moved_room:
            child.room = room
    ProgrammeSession.objects.bulk_update(children, ["start", "end", "room"])
    if offset:
        slots = list(TalkSlot.objects.filter(session__in=children))
        for slot in slots:
            slot.start += offset
        TalkSlot.objects.bulk_update(slots, ["start"])
    return children


def update_session(session: ProgrammeSession, *, by, **fields) -> ProgrammeSession:
    """Change any of ``SESSION_FIELDS``; talks inside must still fit. The sessions inside it
    (a session slot's contributions) move with it: by the offset of its new start, into its
    new room; each is checked again where it lands."""
    event = session.event
    _check_permission(event, by)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise InvalidChange(_("Unknown session field “%(name)s”.") % {"name": sorted(unknown)[0]})
    with transaction.atomic():
        _lock(event)
        current = ProgrammeSession.objects.filter(pk=session.pk, event=event).first()
        if current is None:
            raise InvalidChange(_("That session no longer exists."))
        values = {name: getattr(current, name) for name in SESSION_FIELDS
                  if name not in ("chairs", "title", "description")}
        values["chairs"] = list(current.chairs.all())
        values.update(fields)
        children = _move_children(current, values)
        saved = _save_session(event, current, values, by, "programme.session_changed")
        problems = []
        for child in children:
            problems += [_("“%(title)s”: %(problem)s") % {"title": child.title,
                                                         "problem": message}
                         for message in conflicts.check_session(
                             event, kind=child.kind, room=child.room, start=child.start,
                             end=child.end, chairs=child.chairs.all(), exclude=child,
                             parent=saved)]
            problems += [_("“%(title)s”: %(problem)s") % {"title": slot.submission.title,
                                                         "problem": message}
                         for slot in TalkSlot.objects.filter(session=child)
                         .select_related("submission", "session__room")
                         for message in conflicts.check_talk(
                             event, slot.submission, slot.session, slot.start,
                             slot.duration_minutes, exclude=slot)]
        if problems:
            raise ProgrammeConflict(list(dict.fromkeys(problems)))
        if children:
            audit.record("programme.session_parts_moved", saved, actor=_actor(by),
                         summary=f"{saved.title[:120]}: {len(children)} moved with it")
        return saved


def delete_session(session: ProgrammeSession, *, by) -> int:
    """Delete a session and the sessions inside it (a session slot's contributions); their
    talks go back to the list of talks to place. Returns how many talks."""
    event = session.event
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        talks = TalkSlot.objects.filter(Q(session=session) | Q(session__parent=session)).count()
        parts = ProgrammeSession.objects.filter(parent_id=session.pk).count()
        audit.record("programme.session_deleted", session, actor=_actor(by),
                     summary=session.title[:120], talks_unplaced=talks, parts_deleted=parts)
        ProgrammeSession.objects.filter(pk=session.pk).delete()
    return talks


# Talks ---------------------------------------------------------------------------------------


def parse_local_time(event, day: dt.date, value: str) -> dt.datetime:
    """"HH:MM" on ``day`` in the event's zone; InvalidChange for anything else."""
    match = TIME_RE.match((value or "").strip())
    if not match:
        raise InvalidChange(_("“%(value)s” is not a time: use HH:MM, e.g. 09:30.")
                            % {"value": str(value)[:20]})
    naive = dt.datetime.combine(day, dt.time(int(match[1]), int(match[2])))
    return naive.replace(tzinfo=event.tz)


def time_in_session(event, session: ProgrammeSession, value: dt.time) -> dt.datetime:
    """The moment a local time ``value`` names inside ``session``: on the session's day, or
    on the next day when the session runs past midnight and the time is after it (00:30 in
    a session from 23:00 to 01:00)."""
    day = session.start.astimezone(event.tz).date()
    moment = dt.datetime.combine(day, value, tzinfo=event.tz)
    next_day = dt.datetime.combine(day + dt.timedelta(days=1), value, tzinfo=event.tz)
    if moment < session.start and next_day < session.end:
        return next_day
    return moment


def _first_free_start(session: ProgrammeSession, exclude_submission_id) -> dt.datetime:
    slots = TalkSlot.objects.filter(session=session).exclude(
        submission_id=exclude_submission_id)
    ends = [slot.end for slot in slots]
    return max([session.start, *ends])


def place_talk(event, submission: Submission, session: ProgrammeSession, *, by,
               start: dt.datetime | str | None = None,
               duration_minutes: int | None = None) -> TalkSlot:
    """Place ``submission`` in ``session`` (or move it there if it is placed already).

    ``start``: an aware datetime, "HH:MM" on the session's day in the event's zone, or None
    for the end of the session's last talk. ``duration_minutes``: None keeps the talk's
    current length, else the submission's length (or the call's default).
    """
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        submission = (Submission.objects.filter(pk=submission.pk)
                      .select_related("event").first())
        session = ProgrammeSession.objects.filter(pk=session.pk).select_related("room").first()
        if submission is None or session is None:
            raise InvalidChange(_("That talk or session no longer exists."))
        problems = conflicts.check_submission(event, submission)
        if problems:
            raise ProgrammeConflict(problems)
        if session.event_id != event.pk:
            raise InvalidChange(_("That session belongs to another event."))
        slot = TalkSlot.objects.filter(submission=submission).first()
        if duration_minutes is None:
            if slot is not None:
                duration_minutes = slot.duration_minutes
            else:
                try:
                    duration_minutes = submission.effective_duration()
                except ObjectDoesNotExist:  # an event without call settings (an import)
                    duration_minutes = 20
        if isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int):
            raise InvalidChange(_("The duration must be a whole number of minutes."))
        if not 5 <= duration_minutes <= 240:
            raise InvalidChange(_("A talk lasts between 5 and 240 minutes, not %(minutes)s.")
                                % {"minutes": duration_minutes})
        if start is None or start == "":
            start = _first_free_start(session, submission.pk)
        elif isinstance(start, str):
            parsed = parse_local_time(event, session.start.astimezone(event.tz).date(), start)
            start = time_in_session(event, session, parsed.time())
        problems = conflicts.check_talk(event, submission, session, start, duration_minutes,
                                        exclude=slot)
        if problems:
            raise ProgrammeConflict(problems)
        moved = slot is not None
        if slot is None:
            slot = TalkSlot(submission=submission)
        slot.session = session
        slot.start = start
        slot.duration_minutes = duration_minutes
        slot.save()
        local = start.astimezone(event.tz)
        audit.record("programme.talk_moved" if moved else "programme.talk_placed", submission,
                     actor=_actor(by),
                     summary=f"{session.title[:80]} {local:%d %b %H:%M} ({duration_minutes} min)")
    return slot


def set_duration(slot: TalkSlot, minutes: int, *, by) -> TalkSlot:
    slot = TalkSlot.objects.select_related("session", "submission").get(pk=slot.pk)
    return place_talk(slot.session.event, slot.submission, slot.session, by=by,
                      start=slot.start, duration_minutes=minutes)


def unplace_talk(event, submission: Submission, *, by) -> bool:
    """Take a talk out of the programme (it stays accepted). False if it was not placed."""
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        slot = TalkSlot.objects.filter(submission_id=submission.pk,
                                       session__event=event).first()
        if slot is None:
            return False
        slot.delete()
        audit.record("programme.talk_unplaced", submission, actor=_actor(by),
                     summary="Taken out of the programme")
    return True


def unplaced_submissions(event):
    """Accepted and confirmed submissions not yet in the programme."""
    return (Submission.objects.filter(event=event, state__in=SCHEDULABLE, slot__isnull=True)
            .select_related("organisation").prefetch_related("speaker_links__user")
            .order_by("title", "id"))



def items_to_place(event):
    """Imported entries the file did not schedule, for the editor's "to place" list."""
    return (ItemToPlace.objects.filter(event=event)
            .prefetch_related("persons").order_by("title", "id"))


def place_item(item: ItemToPlace, *, by, room: Room | None, start: dt.datetime) -> ProgrammeSession:
    """Make an imported entry without a time a session of the programme, at ``start`` in
    ``room``, lasting what the file said; its people and source ids go with it. The same
    rules as any session (conflicts.py); the entry leaves the list."""
    event = item.event
    _check_permission(event, by)
    with transaction.atomic():
        _lock(event)
        current = ItemToPlace.objects.filter(pk=item.pk, event=event).first()
        if current is None:
            raise InvalidChange(_("That entry was placed or removed meanwhile."))
        values = {"kind": current.kind, "title": current.title,
                  "description": current.description, "room": room, "start": start,
                  "end": start + dt.timedelta(minutes=current.duration_minutes),
                  "chairs": [], "stream": None}
        session = ProgrammeSession(event=event, source_id=current.source_id,
                                   source_guid=current.source_guid,
                                   source_code=current.source_code)
        session = _save_session(event, session, values, by, "programme.session_created")
        SessionPerson.objects.bulk_create(
            SessionPerson(session=session, profile=profile, position=position)
            for position, profile in enumerate(current.persons.all().order_by("name", "id")))
        current.delete()
        return session
