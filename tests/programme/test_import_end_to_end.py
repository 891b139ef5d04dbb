"""Done-when of the programme import, per file written by another system: an organiser
uploads it, checks the preview, confirms, fixes a session, releases, and every export
(schedule.xml, schedule.json, programme.json, iCalendar, the speaker pages and calendars)
carries the file's speakers, wall-clock times and ids. Imported talks are real talks: each
has its page with its speakers, can be starred into a personal agenda and its calendar feed,
and is listed on its speakers' pages and in their calendars. The files are in
fixtures/imports (sources in SOURCES.md): the shared samples (frab XML, pretalx and schedule2
JSON, an Indico event export) and the Indico timetable/session exports and iCalendar files
written as those systems write them.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from html import escape as html_escape
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar
from lxml import etree

from fusionforum.cfp.models import SpeakerProfile
from fusionforum.programme import releases, services
from fusionforum.programme.exports import own_json
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.models import AgendaFeed, ProgrammeSession

from ..conftest import login_verified

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"

pytestmark = pytest.mark.django_db

SAMPLES = ["lswt2019-schedule.xml", "voc-pretalx-democon.schedule.json",
           "voc-hub-schedule2.schedule.json", "voc-invalid-example.schedule.json",
           "xdc2021-indico-event-contributions.json",
           "indico-timetable-pwi2025.json",  # a 22:30-00:30 entry: sessions may cross midnight
           "indico-event-sessions-xdc2021.json",
           "ical-google.ics",  # more days than the event: the preview extends its dates
           "ical-outlook.ics", "ical-apple.ics", "ical-pretalx.ics",
           "ical-fault-adelaide-truncated.ics", "ical-fault-duplicate-uids.ics",
           "ical-fault-stray-lines.ics", "ical-fault-unfolded-lines.ics"]


@pytest.fixture(autouse=True)
def _fresh_programmes():
    # Parsed releases are kept per process by (id, version, moment); the tests' frozen clock
    # and SQLite's reused ids would hand one test the programme of the one before.
    from fusionforum.programme import public

    public.clear_cache()
    yield
    public.clear_cache()


@pytest.fixture(scope="module")
def frab_xsd():
    return xmlschema.XMLSchema(str(FORMATS / "schedule.xml.xsd"))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _json_events(document: dict) -> list[dict]:
    return [event for day in document["schedule"]["conference"]["days"]
            for events in day["rooms"].values() for event in events]


@pytest.mark.parametrize("name", SAMPLES)
def test_import_fix_release_and_export_again(client, event, organiser, frab_xsd, clock,
                                             make_user, name):
    data = (FIXTURES / name).read_bytes()
    parsed = previews.read_upload(data)
    # Talks: every entry but breaks and the session slots holding contributions.
    expected = [item for item in parsed["items"]
                if item["kind"] != "break" and not item["container"]]
    assert expected, "every sample has entries to import"

    # Upload, preview, confirm: as the organiser does it.
    login_verified(client, organiser)
    response = client.post(f"/manage/{event.slug}/programme/import/",
                           {"schedule": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    posted = {"extend_dates": "on"} if "extend" in page.content.decode() else {}
    confirmed = client.post(preview_url, posted)
    assert confirmed.status_code == 302, confirmed.content.decode()[:3000]
    assert ProgrammeSession.objects.filter(event=event).count() == len(parsed["items"])

    # Every person of the file is a speaker profile without an account.
    names = {p["name"] for item in parsed["items"] + parsed["unplaced"] for p in item["persons"]}
    profiles = SpeakerProfile.objects.filter(event=event)
    assert {p.name for p in profiles} == names
    assert all(p.user_id is None for p in profiles)

    # A fix before the release: a title corrected in the editor.
    fixed = ProgrammeSession.objects.filter(event=event).exclude(kind="break").first()
    services.update_session(fixed, by=organiser, title=f"{fixed.title} (room change)")
    release = releases.release(event, by=organiser, comment="Imported programme.")
    assert release.version == 1
    client.logout()

    # schedule.json: valid, the file's times, speakers and guids.
    response = client.get(f"/{event.slug}/programme/schedule.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    jsonschema.validate(document, json.loads((FORMATS / "schedule.schema.json").read_text()))
    exported = _json_events(document)
    by_title: dict[str, list[dict]] = {}
    for entry in exported:
        by_title.setdefault(entry["title"].removesuffix(" (room change)"), []).append(entry)
    for item in expected:
        candidates = [e for e in by_title.get(item["title"], []) if e["start"] == item["start"]]
        assert candidates, f"{item['title']} at {item['start']} is exported"
        entry = candidates[0]
        exported_names = Counter(p["name"] for p in entry["persons"])
        assert exported_names == Counter(p["name"] for p in item["persons"]), item["title"]
        if _is_uuid(item["source_id"]):
            # UUIDs compare without case (RFC 9562); exports write them in lower case.
            assert entry["guid"] == item["source_id"].lower()
        if item["code"] and re.fullmatch(r"[0-9A-Z]{6}", item["code"]):
            pass  # codes go to schedule.xml, checked below
    assert len(exported) == len(expected)

    # schedule.xml: strictly valid, same guids and codes.
    response = client.get(f"/{event.slug}/programme/schedule.xml")
    assert response.status_code == 200
    frab_xsd.validate(response.content)
    root = etree.fromstring(response.content)
    guids = {e.get("guid"): e for e in root.iter("event")}
    for item in expected:
        if _is_uuid(item["source_id"]):
            element = guids[item["source_id"].lower()]
            if re.fullmatch(r"[0-9A-Z]{6}", item["code"]):
                assert element.get("code") == item["code"]
            assert sorted(p.text for p in element.iter("person")) == sorted(
                p["name"] for p in item["persons"])

    # programme.json: valid against our schema; every entry a talk with its speakers, every
    # person a speaker with their talks.
    response = client.get(f"/{event.slug}/programme/programme.json")
    document = response.json()
    validator = jsonschema.Draft202012Validator(own_json.schema(),
                                                format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []
    placed_names = {p["name"] for item in parsed["items"] for p in item["persons"]}
    assert {s["name"] for s in document["speakers"]} == placed_names
    people = {p["code"]: p for p in document["speakers"]}
    sessions = {s["id"]: s for s in document["sessions"]}
    talks = document["talks"]
    assert len(talks) == len(expected) and all(t["imported"] for t in talks)
    for talk in talks:
        assert sessions[talk["session"]]["talk"] == talk["code"]
        assert sessions[talk["session"]]["talks"] == [talk["code"]]
    for item in expected:
        talk = next(t for t in talks if t["title"].removesuffix(" (room change)") == item["title"]
                    and t["start"][11:16] == item["start"])
        assert [people[c]["name"] for c in talk["speakers"]] == [
            p["name"] for p in item["persons"] if p["role"] == "speaker"], item["title"]
        if item["code"] and re.fullmatch(r"[0-9A-Z]{4,12}", item["code"]):
            assert talk["code"] == item["code"]  # pretalx /talk/ABC123/ is /talks/ABC123/
        if _is_uuid(item["source_id"]):
            assert talk["guid"] == item["source_id"].lower()
    for speaker in document["speakers"]:
        # A person who only chairs (an Indico convener) has no talks of their own.
        assert speaker["talks"] or any(speaker["code"] in s["chairs"]
                                       for s in document["sessions"])

    # The programme's calendar: every entry, UIDs from the file's guids.
    calendar = Calendar.from_ical(client.get(f"/{event.slug}/programme/programme.ics").content)
    entries = list(calendar.walk("VEVENT"))
    assert len(entries) >= len(expected)
    uids = {str(e["UID"]).split("@")[0].lower() for e in entries}
    for item in expected:
        if _is_uuid(item["source_id"]):
            assert item["source_id"].lower() in uids
    assert {t["guid"] for t in talks} <= uids

    # Each talk's page names its speakers and offers the star.
    html = client.get(f"/{event.slug}/programme/").content.decode()
    for talk in talks[:8]:
        assert f'data-code="{talk["code"]}"' in html
        assert f'href="/{event.slug}/talks/{talk["code"]}/"' in html
        page = client.get(f"/{event.slug}/talks/{talk['code']}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "star-local" in text and "The three questions" not in text
        for code in talk["speakers"]:
            assert f'href="/{event.slug}/speakers/{code}/"' in text
            assert people[code]["name"].replace("'", "&#x27;") in text

    # Speaker pages and calendars: their talks, and the talks they chair.
    for speaker in document["speakers"][:6]:
        page = client.get(f"/{event.slug}/speakers/{speaker['code']}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert speaker["name"].replace("'", "&#x27;") in text
        for code in speaker["talks"]:
            assert f'href="/{event.slug}/talks/{code}/"' in text
        ics = client.get(f"/{event.slug}/speakers/{speaker['code']}.ics")
        assert ics.status_code == 200
        own = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(ics.content)
               .walk("VEVENT")}
        theirs = {t["guid"] for t in talks if speaker["code"] in t["speakers"]
                  or speaker["code"] in sessions[t["session"]]["chairs"]}
        # A session slot's convener: the slot itself, the time they are busy.
        theirs |= {s.get("guid") or f"session-{s['id']}-{event.slug}"
                   for s in document["sessions"]
                   if speaker["code"] in s["chairs"] and not s.get("talk")}
        assert own == theirs and theirs

    # A participant stars an imported talk: it is in their agenda and its calendar feed.
    participant = make_user("imported.agenda@test.invalid", full_name="Ada Agenda")
    client.force_login(participant)
    talk = talks[0]
    starred = client.post(f"/{event.slug}/talks/{talk['code']}/star/",
                          HTTP_ACCEPT="application/json")
    assert starred.status_code == 200 and starred.json() == {"code": talk["code"],
                                                              "starred": True}
    agenda_page = client.get(f"/{event.slug}/agenda/").content.decode()
    assert f'href="/{event.slug}/talks/{talk["code"]}/"' in agenda_page
    feed = AgendaFeed.objects.get(event=event, user=participant)
    client.logout()
    feed_entries = Calendar.from_ical(
        client.get(f"/{event.slug}/agenda/{feed.token}.ics").content).walk("VEVENT")
    assert [str(e["UID"]).split("@")[0] for e in feed_entries] == [talk["guid"]]
    names = [people[c]["name"] for c in talk["speakers"]]
    if names:
        assert all(name in str(feed_entries[0]["DESCRIPTION"]) for name in names)

    # The programme page names the speakers.
    for item in expected[:5]:
        for person in item["persons"]:
            assert person["name"].replace("'", "&#x27;") in html


def test_an_indico_session_slot_is_a_session_holding_its_contributions(client, event,
                                                                        organiser, clock):
    """An Indico session slot is a session of the programme (its title, room, times and
    conveners as chairs) holding its contributions, each a talk of its own session inside
    it: the public page shows them in the slot, programme.json links them both ways, frab
    gives the slot as their track and lists no event for the slot, and the programme's
    calendar has the contributions, not the slot (the convener's calendar has the slot)."""
    data = (FIXTURES / "indico-timetable-pwi2025.json").read_bytes()
    preview = previews.prepare(event, previews.read_upload(data))
    assert preview["counts"]["containers"] == 4 and preview["counts"]["talks"] == 12
    from fusionforum.programme.imports.apply import apply_preview

    apply_preview(event, preview, by=organiser, extend_dates=True)
    releases.release(event, by=organiser, comment="Imported from Indico.")
    document = client.get(f"/{event.slug}/programme/programme.json").json()
    validator = jsonschema.Draft202012Validator(own_json.schema(),
                                                format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []
    people = {p["code"]: p for p in document["speakers"]}
    rooms = {r["id"]: r["name"] for r in document["rooms"]}
    sessions = {s["id"]: s for s in document["sessions"]}
    slot_title = "Plasma-facing components: Tungsten under load"
    [slot] = [s for s in document["sessions"] if s["title"] == slot_title]
    [talk] = [t for t in document["talks"]
              if t["title"] == "Recrystallisation of ITER-grade tungsten after transient heat "
                               "loads"]
    own = sessions[talk["session"]]
    # The slot: its room, times and convener; no talk of its own.
    assert rooms[slot["room"]] == "Auditorium A"
    assert (slot["start"][11:16], slot["end"][11:16]) == ("09:15", "10:55")
    assert slot["chair_names"] == ["Marie-Line Mayoral"]
    assert "talk" not in slot and slot["talks"] == [] and "parent" not in slot
    # Its contributions name it; it lists them in order. Its coffee break is in the foyer:
    # a break of its own there, not inside the slot.
    parts = [sessions[i] for i in slot["children"]]
    assert [p["title"] for p in parts] == [
        "Recrystallisation of ITER-grade tungsten after transient heat loads",
        "Deuterium retention in damaged W: a multi-code benchmark",
        "Fuzz growth in helium plasmas at Magnum-PSI"]
    [coffee] = [s for s in document["sessions"]
                if s["title"] == "Coffee break" and s["start"][11:16] == "10:10"]
    assert rooms[coffee["room"]] == "Foyer" and "parent" not in coffee
    assert all(p["parent"] == slot["id"] and p["room"] == slot["room"] for p in parts)
    assert all(slot["start"] <= p["start"] and p["end"] <= slot["end"] for p in parts)
    assert own["parent"] == slot["id"] and own["chair_names"] == []
    assert rooms[talk["room"]] == "Auditorium A"
    assert "Session:" not in talk["abstract"]
    assert [people[c]["name"] for c in talk["speakers"]] == ["Yuji Hatano", "Gerald Pintsuk"]
    assert own["track"] == slot_title

    # The public programme shows the slot with its contributions inside.
    html = client.get(f"/{event.slug}/programme/").content.decode()
    block = html[html.index(f'id="session-{slot["id"]}"'):]
    block = block[:block.index("</article>")]
    assert "Marie-Line Mayoral" in block
    for part in parts:
        assert f'id="session-{part["id"]}"' in block and html_escape(part["title"]) in block
    assert f'href="/{event.slug}/talks/{talk["code"]}/"' in block

    # The talk page names the slot as its session, with its convener.
    page = client.get(f"/{event.slug}/talks/{talk['code']}/").content.decode()
    assert "Marie-Line Mayoral" in page and slot_title in page

    # frab: the slot is the track of each contribution, and no event of its own.
    schedule = client.get(f"/{event.slug}/programme/schedule.json").json()
    events = _json_events(schedule)
    tracks = {e["title"]: e["track"] for e in events}
    talk_parts = [p for p in parts if p["kind"] != "break"]
    assert {tracks[p["title"]] for p in talk_parts} == {slot_title}
    assert slot_title not in tracks
    track_names = {t["name"] for t in schedule["schedule"]["conference"]["tracks"]}
    assert slot_title in track_names and "Plasma-facing components" not in track_names
    xml = client.get(f"/{event.slug}/programme/schedule.xml").content.decode()
    assert f"<title>{slot_title}</title>" not in xml

    # iCalendar: each contribution an entry with the slot as its category; not the slot.
    calendar = Calendar.from_ical(client.get(f"/{event.slug}/programme/programme.ics").content)
    entries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert slot_title not in entries
    entry = entries[talk["title"]]
    assert entry["CATEGORIES"].to_ical().decode() == slot_title
    assert f"Session: {slot_title}" in str(entry["DESCRIPTION"])
    assert "Chair: Marie-Line Mayoral" in str(entry["DESCRIPTION"])
    # The convener's calendar has the slot she chairs.
    convener = slot["chairs"][0]
    mine = Calendar.from_ical(client.get(f"/{event.slug}/speakers/{convener}.ics").content)
    chaired = {str(e["SUMMARY"]): e for e in mine.walk("VEVENT")}
    assert slot_title in chaired and talk["title"] not in chaired
    assert talk["title"] in str(chaired[slot_title]["DESCRIPTION"])


def test_an_imported_entry_released_before_as_a_session_goes_on_counting_as_a_talk():
    """Releases made before imported talks existed published an imported entry as a session
    alone, whose calendar UID was the source's guid, as the talk's is now: the talk's
    SEQUENCE goes on from the session's, so calendar clients take it as the newer copy."""
    from fusionforum.programme import snapshot

    guid = "4f2b9a44-1f39-4b7c-9a55-2b8d6f0c1e01"
    session = {"id": 5, "kind": "talks", "title": "Tungsten under load", "description": "",
               "room": 1, "start": "2027-05-26T09:00:00+02:00",
               "end": "2027-05-26T09:30:00+02:00", "chairs": [], "chair_names": [],
               "stream": None, "talks": [], "speakers": ["AAAAAA"], "guid": guid}
    base = {"rooms": [{"id": 1, "name": "Hall"}],
            "speakers": [{"code": "AAAAAA", "name": "Ada"}], "talks": []}
    previous = {**base, "sessions": [{**session, "sequence": 3}]}
    talk = {"code": "S00005", "guid": guid, "title": "Tungsten under load", "abstract": "",
            "session": 5, "room": 1, "start": session["start"], "end": session["end"],
            "duration_minutes": 30, "speakers": ["AAAAAA"], "imported": True}
    current = {**base, "sessions": [{**session, "talks": ["S00005"], "talk": "S00005"}],
               "talks": [talk]}
    numbered = snapshot.with_sequences(previous, current)
    assert numbered["talks"][0]["sequence"] == 4
    assert numbered["sessions"][0]["sequence"] == 4
    # From then on, the talk counts on its own.
    again = snapshot.with_sequences(numbered, current)
    assert again["talks"][0]["sequence"] == 4
