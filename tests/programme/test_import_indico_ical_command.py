"""``manage.py import_programme`` with Indico exports and iCalendar files: the JSON summary
(counts, the file's zone, grouped warnings) and a refusal's reason."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fusionforum.programme.models import ItemToPlace, ProgrammeSession

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"

pytestmark = pytest.mark.django_db

EXPECTED = {
    # file: (format, file zone, sessions, breaks, to place); an Indico session slot is a
    # session holding its contributions: 4 in the PWI timetable, 6 in the XDC export.
    "indico-timetable-pwi2025.json": ("indico-timetable", "Europe/Zurich", 15 + 4, 3, 0),
    "indico-event-sessions-xdc2021.json": ("indico", "Europe/Warsaw", 37 + 6, 0, 3),
    "indico-event-contributions-unscheduled.json": ("indico", "Europe/Warsaw", 37, 0, 2),
    "ical-google.ics": ("ical", "Europe/Berlin", 9, 1, 1),
    "ical-outlook.ics": ("ical", "Europe/Berlin", 4, 1, 0),
    "ical-apple.ics": ("ical", "America/New_York", 3, 0, 0),
    "ical-pretalx.ics": ("ical", "Europe/Berlin", 3, 0, 0),
    "ical-indico.ics": ("ical", "Europe/Paris", 2, 0, 0),
    "ical-fault-tzid-without-vtimezone.ics": ("ical", "Europe/Lisbon", 2, 0, 0),
    "ical-fault-adelaide-truncated.ics": ("ical", "Australia/Adelaide", 2, 0, 0),
    "ical-fault-duplicate-uids.ics": ("ical", "Europe/Madrid", 3, 0, 0),
    "ical-fault-unfolded-lines.ics": ("ical", "Europe/Rome", 2, 0, 0),
    "ical-fault-dtstamp-tzid.ics": ("ical", "Europe/Berlin", 1, 0, 0),
    "ical-fault-vcalendar10.ics": ("ical", "Europe/Paris", 2, 1, 0),
    "ical-fault-stray-lines.ics": ("ical", "Europe/Prague", 2, 0, 0),
}


def run(*args) -> dict:
    out = StringIO()
    call_command("import_programme", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dry_run_summary(event, name):
    summary = run(event.slug, str(FIXTURES / name), "--dry-run", "--json")
    fmt, zone, sessions, breaks, to_place = EXPECTED[name]
    assert (summary["format"], summary["file_time_zone"]) == (fmt, zone)
    assert summary["counts"]["sessions"] == sessions
    assert summary["counts"]["breaks"] == breaks
    assert summary["counts"]["to_place"] == to_place
    assert all(w["message"] for w in summary["warnings"])
    if name == "ical-google.ics":  # five days of programme for a three-day event
        assert summary["extend_event"]
    else:
        assert summary["errors"] == []
    assert not ProgrammeSession.objects.filter(event=event).exists()


def test_apply_an_indico_timetable_then_update_it(event):
    path = str(FIXTURES / "indico-timetable-pwi2025.json")
    summary = run(event.slug, path, "--json")
    assert summary["imported"]["sessions"] == 19
    again = run(event.slug, path, "--json")
    assert again["imported"]["updated"] == 19 and again["imported"]["sessions"] == 0
    assert ProgrammeSession.objects.filter(event=event).count() == 19
    # The 4 session slots hold their 9 contributions, again after the update (the coffee
    # break of one is in the foyer: a break of its own).
    assert ProgrammeSession.objects.filter(event=event, parent__isnull=False).count() == 9
    assert ProgrammeSession.objects.filter(event=event, children__isnull=False) \
        .distinct().count() == 4


def test_apply_a_calendar_with_more_days_extends_the_event(event):
    summary = run(event.slug, str(FIXTURES / "ical-google.ics"), "--json", "--extend-dates")
    assert summary["imported"]["sessions"] == 9
    assert ItemToPlace.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert (event.end_date - event.start_date).days + 1 == 5


def test_a_refused_calendar_says_why(event, tmp_path):
    card = tmp_path / "contacts.ics"
    card.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n")
    with pytest.raises(CommandError, match="contacts.ics is refused: This is a vCard file"):
        run(event.slug, str(card), "--json")
