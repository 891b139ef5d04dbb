"""Done-when of the programme import, per file written by another system: an organiser
uploads it, checks the preview, confirms, fixes a session, releases, and every export
(schedule.xml, schedule.json, programme.json, iCalendar, the speaker pages and calendars)
carries the file's speakers, wall-clock times and ids. The files are in fixtures/imports
(sources in SOURCES.md)."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
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
from fusionforum.programme.models import ProgrammeSession

from ..conftest import login_verified

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"

pytestmark = pytest.mark.django_db

SAMPLES = ["lswt2019-schedule.xml", "voc-pretalx-democon.schedule.json",
           "voc-hub-schedule2.schedule.json", "voc-invalid-example.schedule.json",
           "xdc2021-indico-event-contributions.json"]


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
                                             name):
    data = (FIXTURES / name).read_bytes()
    parsed = previews.read_upload(data)
    expected = [item for item in parsed["items"] if item["kind"] != "break"]
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

    # programme.json: valid against our schema, every person a speaker with their sessions.
    response = client.get(f"/{event.slug}/programme/programme.json")
    document = response.json()
    validator = jsonschema.Draft202012Validator(own_json.schema(),
                                                format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []
    placed_names = {p["name"] for item in parsed["items"] for p in item["persons"]}
    assert {s["name"] for s in document["speakers"]} == placed_names
    for speaker in document["speakers"]:
        # A person who only chairs (an Indico convener) has no "sessions" of their own.
        assert speaker.get("sessions") or any(speaker["code"] in s["chairs"]
                                          for s in document["sessions"])

    # The programme's calendar: every entry, UIDs from the file's guids.
    calendar = Calendar.from_ical(client.get(f"/{event.slug}/programme/programme.ics").content)
    entries = list(calendar.walk("VEVENT"))
    assert len(entries) >= len(expected)
    uids = {str(e["UID"]).split("@")[0].lower() for e in entries}
    for item in expected:
        if _is_uuid(item["source_id"]):
            assert item["source_id"].lower() in uids

    # Speaker pages and calendars.
    if placed_names:
        speaker = document["speakers"][0]
        page = client.get(f"/{event.slug}/speakers/{speaker['code']}/")
        assert page.status_code == 200
        assert speaker["name"] in page.content.decode()
        ics = client.get(f"/{event.slug}/speakers/{speaker['code']}.ics")
        assert ics.status_code == 200
        own = Calendar.from_ical(ics.content).walk("VEVENT")
        theirs = {s["id"] for s in document["sessions"]
                  if speaker["code"] in s.get("speakers", []) + s["chairs"]}
        assert len(own) == len(theirs) >= 1
    # The programme page names the speakers.
    html = client.get(f"/{event.slug}/programme/").content.decode()
    for item in expected[:5]:
        for person in item["persons"]:
            assert person["name"].replace("'", "&#x27;") in html
