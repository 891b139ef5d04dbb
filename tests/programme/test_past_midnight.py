"""A late-evening session that runs past midnight (23:00 to 01:00): entered in the editor, with
a talk after midnight, released, and every export of it valid and on the evening's day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from django.urls import reverse
from icalendar import Calendar
from lxml import etree

from fusionforum.programme import agenda, public, releases
from fusionforum.programme.exports import own_json
from fusionforum.programme.models import ProgrammeSession, Release, TalkSlot

FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_programmes():
    # Parsed releases are kept per process by (id, version, moment); the frozen clock and
    # SQLite's reused ids would hand this test the programme of an earlier test's event.
    from fusionforum.programme import public

    public.clear_cache()
    yield
    public.clear_cache()


def url(event, name, *args):
    return reverse(f"programme_manage:{name}", args=[event.slug, *args])


def session_form(room, day="2027-05-26", start="23:00", end="01:00", title="Night owls"):
    return {"kind": "talks", "title_en": title, "description_en": "", "room": room.pk,
            "day": day, "start_time": start, "end_time": end, "chairs": [], "stream": ""}


@pytest.fixture
def night(organiser_client, event, rooms, placed_talks, make_submission, local, clock):
    """Through the editor's forms: the session, a talk before and one after midnight."""
    response = organiser_client.post(url(event, "session_new"), session_form(rooms["main"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    session = ProgrammeSession.objects.get(title="Night owls")
    assert (session.start, session.end) == (local(1, "23:00"), local(2, "01:00"))
    talks = {}
    for name, start in (("before", "23:10"), ("after", "00:15")):
        submission = make_submission(state="accepted", title=f"Talk {name} midnight")
        prefix = f"talk-{submission.code}"
        response = organiser_client.post(
            url(event, "talk_place", submission.code),
            {f"{prefix}-session": session.pk, f"{prefix}-start": start,
             f"{prefix}-duration": "30"})
        assert response.status_code in (200, 302), response.content.decode()[:2000]
        talks[name] = submission
    assert TalkSlot.objects.get(submission=talks["after"]).start == local(2, "00:15")
    assert TalkSlot.objects.get(submission=talks["before"]).start == local(1, "23:10")
    return {"session": session, **talks}


def test_the_editor_keeps_a_late_session_on_its_evening(organiser_client, event, night):
    html = organiser_client.get(url(event, "editor"), {"day": "2027-05-26"}).content.decode()
    grid = html.split("programme-grid")[1].split("Talks to place")[0]
    assert "Night owls" in grid and "Talk after midnight" in grid
    assert "00:30 (next day)" in grid
    # 23:00 to 01:00 is 24 rows of 5 minutes in one cell.
    assert f'rowspan="24" class="session kind-talks" data-session="{night["session"].pk}"' \
        in grid
    day_two = organiser_client.get(url(event, "editor"), {"day": "2027-05-27"}).content.decode()
    assert "Night owls" not in day_two.split("programme-grid")[1].split("Talks to place")[0]
    # The session's own form shows it as entered.
    page = organiser_client.get(url(event, "session", night["session"].pk)).content.decode()
    assert 'value="23:00"' in page and 'value="01:00"' in page


@pytest.mark.parametrize("start,end,message", [
    ("10:00", "09:00", "must end after it starts"),  # a typo, not a 23-hour session
    ("20:00", "20:00", "must end after it starts"),
])
def test_an_end_before_the_start_is_the_next_morning_only_for_a_late_session(
        organiser_client, event, rooms, start, end, message):
    response = organiser_client.post(url(event, "session_new"),
                                     session_form(rooms["main"], start=start, end=end))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgrammeSession.objects.filter(title="Night owls").exists()


def test_release_and_every_export_of_a_programme_past_midnight(client, event, night, organiser,
                                                               local, settings):
    release = releases.release(event, by=organiser, comment="With a late session.")
    assert release.version == 1
    after_code = night["after"].code
    slug = event.slug

    # frab schedule.xml: valid, the talk after midnight on the evening's day, whose end is
    # the next morning.
    xml = client.get(f"/{slug}/programme/schedule.xml").content
    xmlschema.XMLSchema(str(FORMATS / "schedule.xml.xsd")).validate(xml)
    root = etree.fromstring(xml)
    [day] = [d for d in root.iter("day") if d.get("date") == "2027-05-26"]
    assert dt.datetime.fromisoformat(day.get("end")) == local(2, "01:00")
    assert after_code in {e.get("code") for e in day.iter("event")}
    assert [d.get("date") for d in root.iter("day")] == ["2027-05-26", "2027-05-27"]

    # schedule.json: valid, same day.
    document = client.get(f"/{slug}/programme/schedule.json").json()
    schema = json.loads((FORMATS / "schedule.schema.json").read_text())
    jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        document)
    days = {d["date"]: d for d in document["schedule"]["conference"]["days"]}
    evening = [e for room in days["2027-05-26"]["rooms"].values() for e in room]
    [entry] = [e for e in evening if e.get("code") == after_code]
    assert dt.datetime.fromisoformat(entry["date"]) == local(2, "00:15")
    assert entry["start"] == "00:15"
    assert dt.datetime.fromisoformat(days["2027-05-26"]["day_end"]) == local(2, "01:00")

    # programme.json: valid against our schema, with the session's real end.
    payload = client.get(f"/{slug}/programme/programme.json").json()
    jsonschema.Draft202012Validator(own_json.schema(),
                                    format_checker=jsonschema.FormatChecker()).validate(payload)
    [session] = [s for s in payload["sessions"] if s["title"] == "Night owls"]
    assert dt.datetime.fromisoformat(session["end"]) == local(2, "01:00")
    assert "2027-05-26" in [d["date"] for d in payload["days"]]

    # iCalendar: the programme, the room and the speaker's calendars.
    calendar = Calendar.from_ical(client.get(f"/{slug}/programme/programme.ics").content)
    starts = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert starts["Talk after midnight"] == local(2, "00:15")
    room_ics = client.get(f"/{slug}/programme/rooms/{night['session'].room_id}.ics")
    assert b"Talk after midnight" in room_ics.content
    [speaker] = [p for p in payload["speakers"] if after_code in p["talks"]]
    person = Calendar.from_ical(client.get(f"/{slug}/speakers/{speaker['code']}.ics").content)
    assert [e.decoded("dtstart") for e in person.walk("VEVENT")
            if str(e["summary"]) == "Talk after midnight"] == [local(2, "00:15")]

    # The public programme lists it on the evening it starts on, as 23:00-01:00.
    programme = public.latest(event)
    evening_day = programme.day(dt.date(2027, 5, 26))
    assert "Night owls" in [s.title for s in evening_day.sessions]
    assert programme.talks_by_code[after_code].date == dt.date(2027, 5, 26)
    page = client.get(f"/{slug}/programme/").content.decode()
    assert "23:00</time>–01:00" in page
    # A personal agenda groups the talk after midnight with that evening.
    days = agenda.agenda(programme, [after_code, night["before"].code])
    assert [(d.date, [e.talk.code for e in d.entries]) for d in days] == [
        (dt.date(2027, 5, 26), [night["before"].code, after_code])]


def test_a_programme_whose_late_session_moves_is_released_again(event, night, organiser,
                                                                 local):
    first = releases.release(event, by=organiser)
    ProgrammeSession.objects.filter(pk=night["session"].pk).update(end=local(2, "01:30"))
    second = releases.release(event, by=organiser)
    assert (first.version, second.version) == (1, 2)
    assert Release.objects.filter(event=event).count() == 2
