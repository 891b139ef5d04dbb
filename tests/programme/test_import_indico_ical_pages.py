"""Indico and iCalendar files through the organiser's import page: upload, preview, confirm,
and what the programme holds afterwards (sessions, items to place, speaker profiles)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import apply_preview
from fusionforum.programme.models import ItemToPlace, ProgrammeSession

from ..conftest import login_verified

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"

pytestmark = pytest.mark.django_db


def upload(client, event, name):
    return client.post(f"/manage/{event.slug}/programme/import/",
                       {"schedule": SimpleUploadedFile(name, (FIXTURES / name).read_bytes())})


@pytest.mark.parametrize("name, sessions, to_place, shown", [
    # Indico session slots are sessions holding their contributions (4 and 6).
    ("indico-timetable-pwi2025.json", 15 + 4, 0, "Round table: what DEMO needs"),
    ("indico-event-sessions-xdc2021.json", 37 + 6, 3, "3 items have no time in the file"),
    ("indico-event-contributions-unscheduled.json", 37, 2, "primary authors were taken"),
    ("ical-outlook.ics", 4, 0, "W. Europe Standard Time"),
    ("ical-apple.ics", 3, 0, "Late-night code sprint"),
    ("ical-pretalx.ics", 3, 0, "Focused 5thgeneration hardware"),
    ("ical-indico.ics", 2, 0, "converted to Europe/Paris"),
    ("ical-fault-tzid-without-vtimezone.ics", 2, 0, "has no VTIMEZONE in the file"),
    ("ical-fault-adelaide-truncated.ics", 2, 0, "the IANA definition was used"),
    ("ical-fault-duplicate-uids.ics", 3, 0, "different entries share the UID"),
    ("ical-fault-unfolded-lines.ics", 2, 0, "longer than the 75 octets"),
    ("ical-fault-dtstamp-tzid.ics", 1, 0, "DTSTAMP has a TZID"),
    ("ical-fault-vcalendar10.ics", 2, 0, "vCalendar 1.0 file"),
    ("ical-fault-stray-lines.ics", 2, 0, "appears outside any event"),
])
def test_upload_preview_confirm(client, event, organiser, name, sessions, to_place, shown):
    login_verified(client, organiser)
    response = upload(client, event, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert html.escape(shown) in page.content.decode()
    assert not ProgrammeSession.objects.filter(event=event).exists()
    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302, confirmed.content.decode()[:3000]
    assert ProgrammeSession.objects.filter(event=event).count() == sessions
    assert ItemToPlace.objects.filter(event=event).count() == to_place
    for session in ProgrammeSession.objects.filter(event=event):
        assert session.end > session.start
        assert session.source_id


def test_indico_timetable_keeps_speakers_chairs_breaks_and_times(event, organiser):
    parsed = previews.read_upload((FIXTURES / "indico-timetable-pwi2025.json").read_bytes(),
                                  zone=event.time_zone)
    preview = previews.prepare(event, parsed)
    assert preview["errors"] == []
    apply_preview(event, preview, by=organiser)
    talk = ProgrammeSession.objects.get(event=event, source_id="5102")
    # The file's first day (12 May 2025) is the event's first day; wall-clock time kept.
    assert talk.start.astimezone(event.tz) == dt.datetime(2027, 5, 26, 9, 15, tzinfo=event.tz)
    assert talk.room.name == "Auditorium A"
    names = {p.name: p for p in talk.persons.all()}
    assert set(names) == {"Yuji Hatano", "Gerald Pintsuk"}
    assert names["Gerald Pintsuk"].affiliation == "Forschungszentrum Jülich GmbH"
    # The convener chairs the slot the talk is part of, in its room.
    slot = talk.parent
    assert (slot.source_id, slot.room, slot.title) == (
        "slot-301", talk.room, "Plasma-facing components: Tungsten under load")
    [chair] = slot.person_links.filter(role="chair")
    assert (chair.profile.name, chair.profile.honorific) == ("Marie-Line Mayoral", "Dr.")
    breaks = ProgrammeSession.objects.filter(event=event, kind="break")
    assert breaks.count() == 3
    late = ProgrammeSession.objects.get(event=event, source_id="5109")
    assert late.end - late.start == dt.timedelta(hours=2)
    # One profile per person, however many contributions they are in.
    assert SpeakerProfile.objects.filter(event=event, name="Ambrogio Fasoli").count() == 1


def test_indico_event_export_unscheduled_contributions_are_to_place(event, organiser):
    parsed = previews.read_upload(
        (FIXTURES / "indico-event-sessions-xdc2021.json").read_bytes(), zone=event.time_zone)
    preview = previews.prepare(event, parsed)
    assert preview["errors"] == []
    apply_preview(event, preview, by=organiser)
    item = ItemToPlace.objects.get(event=event, source_id="42")
    assert item.title == "Wayland colour management: where are we?"
    assert item.duration_minutes == 45
    [pekka] = item.persons.all()
    assert (pekka.name, pekka.honorific, pekka.affiliation) == ("Pekka Paalanen", "Dr.",
                                                                "Collabora")


def test_importing_the_same_calendar_again_updates_it(event, organiser):
    data = (FIXTURES / "ical-outlook.ics").read_bytes()
    first = previews.prepare(event, previews.read_upload(data, zone=event.time_zone))
    apply_preview(event, first, by=organiser)
    again = previews.prepare(event, previews.read_upload(
        data.replace(b"Moderated panel.", b"Moderated panel, with questions."),
        zone=event.time_zone))
    assert again["errors"] == []
    apply_preview(event, again, by=organiser)
    assert ProgrammeSession.objects.filter(event=event).count() == 4
    panel = ProgrammeSession.objects.get(event=event, title__startswith="Panel:")
    assert "with questions" in panel.description


def test_a_calendar_with_more_days_offers_to_extend_the_event(event, organiser):
    parsed = previews.read_upload((FIXTURES / "ical-google.ics").read_bytes(),
                                  zone=event.time_zone)
    preview = previews.prepare(event, parsed)
    assert preview["extend"], preview["errors"]
    apply_preview(event, preview, by=organiser, extend_dates=True)
    assert ProgrammeSession.objects.filter(event=event, title="Morning stand-up").count() == 4
    assert ItemToPlace.objects.filter(event=event,
                                      title="Excursion to Wendelstein 7-X").exists()
