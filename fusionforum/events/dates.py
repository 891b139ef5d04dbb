"""Changing an event's dates: a preview that says everything that no longer fits, then one
transaction.

``plan(event, start, end)`` moves the days with the first date (a day keeps its place in the
event: day 2 stays the second day); a day that would fall after the new end is removed
(its livestream links stay, without a day), and new dates get a day of their own. Nothing
else moves: the apps above ``events`` register a *fit check* (``register``) that lists what of
theirs would lie outside the new dates (programme sessions, tour runs, the meetings day), so
the organiser sees all of it in one place before anything is saved. ``apply`` recomputes the
plan under a lock of the event row, refuses when the preview the organiser saw is out of date
(``Stale``), and writes the days and the dates in one transaction with an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fusionforum.core import audit

from .archive import ensure_writable
from .models import Day, Event


@dataclass(frozen=True)
class Misfit:
    """One thing that would no longer fit: what (its kind, e.g. "Programme session"), which,
    and when it is."""

    kind: str
    name: str
    when: str


FitCheck = Callable[[Event, dt.date, dt.date], list[Misfit]]
_checks: list[FitCheck] = []


def register(check: FitCheck) -> None:
    """An app above ``events`` lists what of its own would lie outside new dates."""
    if check not in _checks:
        _checks.append(check)


@dataclass
class DayMove:
    day: Day
    new_date: dt.date | None  # None: removed


@dataclass
class Plan:
    event: Event
    start: dt.date
    end: dt.date
    moves: list[DayMove] = field(default_factory=list)
    new_days: list[dt.date] = field(default_factory=list)
    misfits: list[Misfit] = field(default_factory=list)

    @property
    def shift(self) -> int:
        return (self.start - self.event.start_date).days

    @property
    def removed(self) -> list[Day]:
        return [m.day for m in self.moves if m.new_date is None]

    @property
    def changes_nothing(self) -> bool:
        return self.start == self.event.start_date and self.end == self.event.end_date

    def fingerprint(self) -> str:
        """What the organiser confirmed: the dates and every warning."""
        return "|".join([self.start.isoformat(), self.end.isoformat(),
                         *(f"{m.kind}:{m.name}:{m.when}" for m in self.misfits),
                         *(f"-{d.pk}" for d in self.removed)])


class Stale(Exception):
    """Things changed since the preview; the organiser must look again."""


def _check_request(event: Event, start, end) -> None:
    from .services import MAX_EVENT_DAYS

    errors: dict[str, list[str]] = {}
    if not isinstance(start, dt.date):
        errors["start_date"] = [_("Give a date as YYYY-MM-DD.")]
    if not isinstance(end, dt.date):
        errors["end_date"] = [_("Give a date as YYYY-MM-DD.")]
    if not errors:
        if end < start:
            errors["end_date"] = [_("The event cannot end before it starts.")]
        elif (end - start).days + 1 > MAX_EVENT_DAYS:
            errors["end_date"] = [_("An event lasts at most %(count)s days.")
                                  % {"count": MAX_EVENT_DAYS}]
    if errors:
        raise ValidationError(errors)


def plan(event: Event, start: dt.date, end: dt.date) -> Plan:
    """What changing ``event``'s dates to ``start``..``end`` would do (nothing is written)."""
    _check_request(event, start, end)
    result = Plan(event=event, start=start, end=end)
    shift = dt.timedelta(days=(start - event.start_date).days)
    taken = set()
    for day in event.days.order_by("date"):
        new_date = day.date + shift
        if new_date > end or new_date < start:
            result.moves.append(DayMove(day, None))
        else:
            result.moves.append(DayMove(day, new_date))
            taken.add(new_date)
    current = start
    while current <= end:
        if current not in taken:
            result.new_days.append(current)
        current += dt.timedelta(days=1)
    for check in _checks:
        result.misfits.extend(check(event, start, end))
    return result


def apply(event: Event, start: dt.date, end: dt.date, *, by, confirmed: str) -> Plan:
    """Change the dates as ``plan`` says, if it is still the plan the organiser confirmed
    (``confirmed`` is its ``fingerprint``)."""
    if not by.has_perm("events.change_event_dates", event):
        raise PermissionDenied(_("Only the event’s organisers change its dates."))
    ensure_writable(event)
    with transaction.atomic(durable=True):
        event = Event.objects.select_for_update().get(pk=event.pk)
        ensure_writable(event)
        result = plan(event, start, end)
        if result.fingerprint() != confirmed:
            raise Stale(_("Something changed since the preview; check it again."))
        old = (event.start_date, event.end_date)
        moves = [m for m in result.moves if m.new_date is not None]
        for move in result.moves:
            if move.new_date is None:
                move.day.delete()
        # Every day moves by the same number of days: the last first when moving later, the
        # first first when moving earlier, so no two days ever share a date (unique per event).
        moves.sort(key=lambda m: m.day.date, reverse=result.shift > 0)
        for move in moves:
            move.day.date = move.new_date
            move.day.save(update_fields=["date"])
        number = len(moves)
        with translation.override(event.default_language):
            for new_date in result.new_days:
                number += 1
                day = Day(event=event, date=new_date)
                setattr(day, f"label_{event.default_language}",
                        _("Day %(number)s") % {"number": number})
                day.save()
        event.start_date, event.end_date = start, end
        event.save(update_fields=["start_date", "end_date", "updated_at"])
        audit.record("events.dates", event, actor=by,
                     summary=f"Dates {old[0]}..{old[1]} → {start}..{end}",
                     misfits=[[m.kind, m.name, m.when] for m in result.misfits],
                     removed_days=[d.pk for d in result.removed])
    return result


def when(event: Event, start: dt.datetime, end: dt.datetime | None = None) -> str:
    """A moment (or span) of an event as a page shows it, in the event's time zone."""
    local = start.astimezone(event.tz)
    text = date_format(local, "j F Y, H:i")
    if end is not None:
        text += "–" + date_format(end.astimezone(event.tz), "H:i")
    return text


def outside(event: Event, start: dt.date, end: dt.date, moment_start: dt.datetime,
            moment_end: dt.datetime) -> bool:
    """Whether a span (aware datetimes) lies even partly outside the days start..end on the
    event's wall clock (a session may run past midnight into the next day only if that day is
    still the event's)."""
    first = moment_start.astimezone(event.tz).date()
    last = (moment_end - dt.timedelta(microseconds=1)).astimezone(event.tz).date()
    return first < start or last > end


def extend(event: Event, *, start_date: dt.date, end_date: dt.date, by,
           system: bool = False) -> Event:
    """Widen ``event``'s dates (a programme import whose file has more days than the event):
    only ever adds dates, each with a day of its own, so nothing that fitted stops fitting and
    there is nothing to warn about. The event's organisers, or ``system`` (a management
    command run by the platform's operator, ``by`` may then be None). Not durable: an import
    calls it inside its own transaction."""
    if not system and (by is None or not by.has_perm("events.change_event_dates", event)):
        raise PermissionDenied(_("Only the event’s organisers change its dates."))
    _check_request(event, start_date, end_date)
    if start_date > event.start_date or end_date < event.end_date:
        raise ValidationError(_("This change would remove days from the event; change the "
                                "event’s dates on its page instead."))
    ensure_writable(event)
    if (start_date, end_date) == (event.start_date, event.end_date):
        return event
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        ensure_writable(locked)
        before = (locked.start_date, locked.end_date)
        taken = set(locked.days.values_list("date", flat=True))
        with translation.override(locked.default_language):
            current = start_date
            while current <= end_date:
                if current not in taken:
                    day = Day(event=locked, date=current)
                    setattr(day, f"label_{locked.default_language}",
                            date_format(current, "l j F"))
                    day.save()
                current += dt.timedelta(days=1)
        locked.start_date, locked.end_date = start_date, end_date
        locked.save(update_fields=["start_date", "end_date", "updated_at"])
        audit.record("events.dates", locked, actor=by,
                     summary=f"Dates extended {before[0]}..{before[1]} → "
                             f"{start_date}..{end_date}", misfits=[], removed_days=[])
    event.start_date, event.end_date = start_date, end_date
    return event
