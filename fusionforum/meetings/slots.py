"""The meeting slots of the day, cut from the settings: from the start time, one slot after
another of ``slot_minutes``, jumping over breaks, until the end time. Slot numbers (0, 1, ...)
are the ``slots[].id`` of ``fusion-matchmaking/1``; breaks lie between slots."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Slot:
    index: int
    start: dt.datetime
    end: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class Break:
    start: dt.datetime
    end: dt.datetime
    label: str
    after_slot: int  # -1 before the first slot


def _time(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def validate_breaks(value) -> None:
    if not isinstance(value, list):
        raise ValidationError({"breaks": _("Breaks must be a list.")})
    for item in value:
        if (not isinstance(item, dict) or not HHMM.match(str(item.get("start", "")))
                or not HHMM.match(str(item.get("end", "")))):
            raise ValidationError(
                {"breaks": _("Each break needs a start and an end as HH:MM.")})
        if _time(item["end"]) <= _time(item["start"]):
            raise ValidationError({"breaks": _("The break at %(start)s must end after it "
                                               "starts.") % {"start": item["start"]}})


def parse_breaks(text: str) -> list[dict]:
    """One break per line: ``10:30-11:00 coffee``."""
    result = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*(.*)$", line)
        if not match:
            raise ValidationError(_("Line %(number)s: write a break as “10:30-11:00 coffee”.")
                                  % {"number": number})
        start, end, label = match.groups()
        start, end = start.zfill(5), end.zfill(5)
        result.append({"start": start, "end": end, "label": label.strip()[:60] or "break"})
    validate_breaks(result)
    return result


def breaks_as_text(breaks: list[dict]) -> str:
    return "\n".join(f"{b['start']}-{b['end']} {b.get('label', '')}".strip() for b in breaks)


class MeetingDay:
    """The slots and breaks of an event's meetings day, in the event's time zone."""

    def __init__(self, meeting_settings):
        self.settings = meeting_settings
        tz = meeting_settings.event.tz
        date = meeting_settings.date
        length = dt.timedelta(minutes=meeting_settings.slot_minutes)
        pauses = sorted(
            (dt.datetime.combine(date, _time(b["start"]), tzinfo=tz),
             dt.datetime.combine(date, _time(b["end"]), tzinfo=tz), b.get("label") or "break")
            for b in (meeting_settings.breaks or []))
        moment = dt.datetime.combine(date, meeting_settings.start_time, tzinfo=tz)
        end = dt.datetime.combine(date, meeting_settings.end_time, tzinfo=tz)
        slots: list[Slot] = []
        breaks: list[Break] = []
        while moment + length <= end:
            clash = next((p for p in pauses if p[0] < moment + length and moment < p[1]), None)
            if clash is not None:
                if not any(b.start == clash[0] for b in breaks):
                    breaks.append(Break(clash[0], clash[1], clash[2], len(slots) - 1))
                moment = max(moment, clash[1])
                continue
            slots.append(Slot(len(slots), moment, moment + length))
            moment += length
        self.slots = slots
        self.breaks = breaks
        self.lost = {int(s) for s in (meeting_settings.lost_slots or [])}

    def __len__(self):
        return len(self.slots)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Numbers of the slots that overlap the period [start, end)."""
        return [s.index for s in self.slots if s.start < end and start < s.end]

    def open_slots(self) -> list[int]:
        return [s.index for s in self.slots if s.index not in self.lost]

    def tables(self, index: int) -> int | None:
        if index in self.lost:
            return 0
        return self.settings.tables
