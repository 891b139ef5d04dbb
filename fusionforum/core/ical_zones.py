"""iCalendar time zones: the VTIMEZONE component a TZID needs (RFC 5545 3.2.19).

Every feed of the site writes its times as local times with a TZID (the event's IANA zone), so
every feed carries the VTIMEZONE of that zone, generated here from the IANA database (Python's
zoneinfo) for the years the feed covers: calendar clients that do not know the zone by name
(or know an older definition) place every entry right. Used by the programme's exports and
agenda feed, the meetings feed and the event's own calendar (event.ics).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# VTIMEZONE ------------------------------------------------------------------------------------


def _transitions(tz: zoneinfo.ZoneInfo, year: int) -> list[tuple[dt.datetime, dt.timedelta,
                                                                  dt.timedelta, bool, str]]:
    """Offset changes of ``tz`` during ``year``: (local wall time before the change, offset
    before, offset after, daylight after, abbreviation after)."""
    found = []
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    previous = start.astimezone(tz).utcoffset()
    # Day by day, then hour by hour within a day that changes (transitions are on the hour
    # or half hour in every zone we care about; minutes are checked too).
    day = start
    while day.year == year:
        nxt = day + dt.timedelta(days=1)
        if nxt.astimezone(tz).utcoffset() != previous:
            minute = day
            while minute < nxt:
                offset = minute.astimezone(tz).utcoffset()
                if offset != previous:
                    local_before = (minute + previous).replace(tzinfo=None)
                    after = minute.astimezone(tz)
                    found.append((local_before, previous, offset, bool(after.dst()),
                                  after.tzname() or ""))
                    previous = offset
                    break
                minute += dt.timedelta(minutes=15)
        day = nxt
    return found


def _rule(local: dt.datetime) -> tuple[int, int, int]:
    """(month, weekday, nth of the month or -1 for the last) of a transition date."""
    month_days = (dt.date(local.year + (local.month == 12), local.month % 12 + 1, 1)
                  - dt.timedelta(days=1)).day
    nth = -1 if local.day + 7 > month_days else (local.day - 1) // 7 + 1
    return local.month, local.weekday(), nth


def _date_of_rule(year: int, month: int, weekday: int, nth: int) -> dt.date:
    if nth == -1:
        last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def vtimezone(time_zone: str, years: Iterable[int]) -> Timezone:
    """A VTIMEZONE for ``time_zone`` that is right for ``years``.

    When the zone's changes follow a yearly rule (Europe/Paris: last Sunday of March at 02:00,
    last Sunday of October at 03:00) the observances carry that RRULE, as published time zone
    definitions do; otherwise each change in those years is listed with its own DTSTART.
    """
    tz = zoneinfo.ZoneInfo(time_zone)
    years = sorted(set(years))
    component = Timezone()
    component.add("tzid", time_zone)
    by_year = {year: _transitions(tz, year) for year in range(years[0] - 1, years[-1] + 2)}
    reference = by_year[years[0]]
    if not reference and not any(by_year.values()):
        component.add_component(_fixed_offset(tz, time_zone, years[0]))
        return component

    def follows_rule(transition) -> bool:
        local, before, after, _, _ = transition
        month, weekday, nth = _rule(local)
        for year, changes in by_year.items():
            expected = dt.datetime.combine(_date_of_rule(year, month, weekday, nth),
                                           local.time())
            if not any(c[0] == expected and c[1] == before and c[2] == after for c in changes):
                return False
        return True

    if reference and all(follows_rule(t) for t in reference):
        first_year = min(by_year)
        for local, before, after, daylight, name in reference:
            observance = TimezoneDaylight() if daylight else TimezoneStandard()
            month, weekday, nth = _rule(local)
            observance.add("dtstart", dt.datetime.combine(
                _date_of_rule(first_year, month, weekday, nth), local.time()))
            observance.add("rrule", {"freq": "yearly", "bymonth": month,
                                     "byday": f"{nth}{_WEEKDAYS[weekday]}"})
            observance.add("tzoffsetfrom", before)
            observance.add("tzoffsetto", after)
            observance.add("tzname", name)
            component.add_component(observance)
        return component

    for changes in by_year.values():
        for local, before, after, daylight, name in changes:
            observance = TimezoneDaylight() if daylight else TimezoneStandard()
            observance.add("dtstart", local)
            observance.add("tzoffsetfrom", before)
            observance.add("tzoffsetto", after)
            observance.add("tzname", name)
            component.add_component(observance)
    if not component.subcomponents:
        component.add_component(_fixed_offset(tz, time_zone, years[0]))
    return component


def _fixed_offset(tz: zoneinfo.ZoneInfo, time_zone: str, year: int) -> TimezoneStandard:
    """The one STANDARD observance of a zone that keeps its offset (UTC, Asia/Tokyo) in the
    years a feed covers: the offset it has in ``year``, since 1970."""
    moment = dt.datetime(year, 1, 1, tzinfo=tz)
    standard = TimezoneStandard()
    standard.add("dtstart", dt.datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", moment.utcoffset())
    standard.add("tzoffsetto", moment.utcoffset())
    standard.add("tzname", moment.tzname() or time_zone)
    return standard
