"""Importing a programme from frab, pretalx and Indico files: the real samples of
../shared/formats/samples, hostile and broken files, the transactional apply, and who may."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.apply import ImportRefused, apply_preview
from fusionforum.programme.imports.base import MAX_UPLOAD_BYTES, FileRejected
from fusionforum.programme.models import ProgrammeSession, Room

from ..conftest import login_verified

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "formats" / "samples"

pytestmark = pytest.mark.django_db


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# Parsing the real files -------------------------------------------------------------------


def test_lswt2019_schedule_xml_is_read_leniently():
    parsed = previews.read_upload(sample("lswt2019-schedule.xml"))
    assert parsed["format"] == "frab-xml"
    assert parsed["title"] == "7th Leipzig Semantic Web Day"
    assert len(parsed["items"]) == 31
    welcome = parsed["items"][0]
    assert welcome == {
        "title": "Welcome", "date": "2019-05-22", "start": "09:00", "minutes": 10,
        "room": "Vorträge", "speakers": ["Sebastian Tramp", "Andreas Heinecke"],
        "abstract": "", "track": "Vorträge", "kind": "plenary",
        "where": "day 1, room “Vorträge”, event 101",
        "persons": [
            {"name": "Sebastian Tramp", "title": "Dr.", "affiliation": "", "bio": "",
             "source_id": "", "role": "speaker"},
            {"name": "Andreas Heinecke", "title": "", "affiliation": "", "bio": "",
             "source_id": "", "role": "speaker"}],
        "source_id": "id:101", "code": "", "group": None, "container": False,
    }
    coffee = next(i for i in parsed["items"] if i["title"] == "Kaffeepause und Postersession")
    assert coffee["kind"] == "break"
    messages = " ".join(p["message"] for p in parsed["problems"])
    assert all(p["level"] == "warning" for p in parsed["problems"])
    assert "acronym is empty" in messages
    assert "date without a time" in messages
    assert "31 events have no guid" in messages
    assert "flat <person>" in messages


def test_pretalx_democon_schedule_json():
    parsed = previews.read_upload(sample("voc-pretalx-democon.schedule.json"))
    assert parsed["format"] == "frab-json"
    assert parsed["title"] == "DemoCon"
    assert len(parsed["items"]) == 36
    first = parsed["items"][0]
    assert (first["title"], first["date"], first["start"], first["minutes"], first["room"]) == (
        "Focused 5thgeneration hardware", "2020-12-14", "09:00", 30, "Gray Room")
    assert first["speakers"] == ["Brian Robinson"]
    assert {i["date"] for i in parsed["items"]} == {"2020-12-14", "2020-12-15", "2020-12-16"}


def test_invalid_example_is_imported_with_warnings():
    parsed = previews.read_upload(sample("voc-invalid-example.schedule.json"))
    assert parsed["format"] == "frab-json"
    assert [i["title"] for i in parsed["items"]] == ["Internal Penetration Testing Basics"]
    messages = " ".join(p["message"] for p in parsed["problems"])
    assert "answers" in messages and "text id" in messages


def test_schedule2_is_recognised_and_read_leniently():
    parsed = previews.read_upload(sample("voc-hub-schedule2.schedule.json"))
    assert parsed["format"] == "schedule2"
    assert "schedule2" in parsed["problems"][0]["message"]
    opening = parsed["items"][0]
    assert opening["title"] == "38C3: Opening Ceremony"
    assert (opening["date"], opening["start"], opening["minutes"]) == ("2024-12-27", "10:30", 30)
    assert opening["room"] == "Saal 1"
    assert opening["speakers"] == ["Gabriela Bogk", "Aline Blankertz"]


def test_indico_export_converts_to_the_events_zone():
    parsed = previews.read_upload(sample("xdc2021-indico-event-contributions.json"))
    assert parsed["format"] == "indico"
    assert parsed["title"] == "X.Org Developer Conference 2021"
    assert len(parsed["items"]) == 37
    talk = next(i for i in parsed["items"]
                if i["title"] == "Making bare-metal testing accessible to every developer")
    # 14:10 UTC on 17 September 2021 is 16:10 in Warsaw (the Indico event's zone).
    assert (talk["date"], talk["start"], talk["minutes"]) == ("2021-09-17", "16:10", 20)
    assert talk["speakers"] == ["Martin Peres"]
    assert talk["room"] == "Main Track"  # no room in Indico: the session's name
    messages = " ".join(p["message"] for p in parsed["problems"])
    assert "primary authors were taken as speakers" in messages
    assert "session's name was used as the room" in messages


@pytest.mark.parametrize("name", ["gpn11-schedule.csv", "voc-pretalx-submission.json",
                                  "voc-frab-event.submission.json"])
def test_other_files_are_refused_with_a_clear_message(name):
    with pytest.raises(FileRejected, match="not a format we can import"):
        previews.read_upload(sample(name))


# Hostile and broken files -----------------------------------------------------------------


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<schedule><version>1</version><conference><title>&secret;</title></conference></schedule>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<schedule><conference><title>&lol4;</title></conference></schedule>"""


@pytest.mark.parametrize("data, message", [
    (XXE, "DTD or entities"),
    (BILLION_LAUGHS, "DTD or entities"),
    (sample("lswt2019-schedule.xml")[:5000], "not well-formed XML"),
    (sample("voc-pretalx-democon.schedule.json")[:5000], "not valid JSON"),
    ("<?xml version='1.0' encoding='UTF-8'?><schedule><conference><title>Caf\xe9"
     "</title></conference></schedule>".encode("latin-1"), "not well-formed XML"),
    ('{"schedule": {"conference": {"title": "Caf\xe9"}}}'.encode("latin-1"), "not UTF-8"),
    ('{"schedule": 1}'.encode("utf-16"), "UTF-16"),
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|not a format"),
    (b"<html><body>Not a schedule</body></html>", "not a frab schedule"),
    (b'{"results": []}', "no event"),
    (b'{"results": [{"title": "x"}]}', "detail=contributions"),
    (b'{"schedule": {"conference": {}}}', "no conference days"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a format we can import"),
])
def test_hostile_or_broken_files_are_refused(data, message):
    with pytest.raises(FileRejected, match=message):
        previews.read_upload(data)


def test_a_huge_file_is_refused_before_parsing():
    with pytest.raises(FileRejected, match="larger than 5 MB"):
        previews.read_upload(b"{" + b" " * MAX_UPLOAD_BYTES + b"}")


def test_entries_without_title_are_left_out_and_without_time_kept_to_place():
    data = b"""<schedule><conference><title>T</title></conference>
      <day index="1" date="2027-05-26" start="2027-05-26T08:00:00+02:00"
           end="2027-05-26T20:00:00+02:00">
        <room name="Hall">
          <event id="1" guid="00000000-0000-0000-0000-000000000001"><title>No time</title></event>
          <event id="2"><title></title><start>10:00</start><duration>00:30</duration></event>
          <event id="3"><title>Kept</title><date>2027-05-26T11:00:00+02:00</date>
            <start>11:00</start><duration>01:00:00</duration><persons><person id="4">A
            Person</person></persons><code>ABCDEF</code>
            <links><link><type>web</type><title>x</title></link></links></event>
        </room></day></schedule>"""
    parsed = previews.read_upload(data)
    assert [i["title"] for i in parsed["items"]] == ["Kept"]
    assert parsed["items"][0]["minutes"] == 60
    assert parsed["items"][0]["speakers"] == ["A Person"]
    messages = [p["message"] for p in parsed["problems"]]
    assert [i["title"] for i in parsed["unplaced"]] == ["No time"]
    assert any("“No time” has no time in the file" in m for m in messages)
    assert any("no title" in m for m in messages)
    assert any("<code> element" in m for m in messages)
    assert any("nested <link>" in m for m in messages)


# Preview and apply ------------------------------------------------------------------------


def test_prepare_maps_days_in_order_and_keeps_times(event):
    parsed = previews.read_upload(sample("voc-pretalx-democon.schedule.json"))
    preview = previews.prepare(event, parsed, filename="democon.json")
    assert preview["errors"] == []
    assert [d["date"] for d in preview["days"]] == ["2027-05-26", "2027-05-27", "2027-05-28"]
    assert preview["days"][0]["label"] == "Day 1: breakthroughs"
    first = preview["days"][0]["sessions"][0]
    assert first["start"] == "2027-05-26T09:00:00+02:00"
    assert first["time"] == "09:00–09:30"
    assert first["speakers"] == ["Brian Robinson"]
    assert "Brian Robinson" not in first["description"]  # a person, not text
    assert any("moved onto the event's days" in w["message"] for w in preview["warnings"])
    assert preview["counts"]["sessions"] == 36
    assert {r["name"] for r in preview["rooms"]} == {"Gray Room", "Tan Room"}


def test_more_days_than_the_event_offers_to_extend_its_dates(make_event, organiser):
    from fusionforum.events.models import TeamMembership

    short = make_event(slug="one-day", start_date=dt.date(2027, 5, 26),
                       end_date=dt.date(2027, 5, 26), with_days=False)
    TeamMembership.objects.create(event=short, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    preview = previews.prepare(short, previews.read_upload(
        sample("voc-pretalx-democon.schedule.json")))
    assert preview["errors"] == []
    assert preview["extend"] == {"start_date": "2027-05-26", "end_date": "2027-05-28",
                                 "added": ["2027-05-27", "2027-05-28"],
                                 "label": "26 May 2027 to 28 May 2027"}
    assert any("extends the event's dates to 26 May 2027 to 28 May 2027 (2 days added)"
               in w["message"] for w in preview["warnings"])
    assert [d["date"] for d in preview["days"]] == ["2027-05-26", "2027-05-27", "2027-05-28"]
    with pytest.raises(ImportRefused, match="confirm the extension"):
        apply_preview(short, preview, by=organiser)
    assert ProgrammeSession.objects.filter(event=short).count() == 0
    short.refresh_from_db()
    assert short.end_date == dt.date(2027, 5, 26)
    apply_preview(short, preview, by=organiser, extend_dates=True)
    short.refresh_from_db()
    assert short.end_date == dt.date(2027, 5, 28)
    assert ProgrammeSession.objects.filter(event=short).count() == 36


def test_a_file_of_another_year_is_moved_and_the_event_extended(make_event, organiser):
    short = make_event(slug="two-days", start_date=dt.date(2027, 5, 26),
                       end_date=dt.date(2027, 5, 27), with_days=False)
    preview = previews.prepare(short, previews.read_upload(
        sample("voc-pretalx-democon.schedule.json")))  # 14-16 December 2020
    assert preview["extend"]["start_date"] == "2027-05-26"
    assert preview["extend"]["end_date"] == "2027-05-28"
    assert preview["sessions"][0]["start"].startswith("2027-05-26T09:00")


@pytest.mark.parametrize("name, sessions, rooms", [
    ("lswt2019-schedule.xml", 31, 4),
    ("voc-pretalx-democon.schedule.json", 36, 2),
    ("voc-invalid-example.schedule.json", 1, 1),
    ("voc-hub-schedule2.schedule.json", 2, None),
    ("xdc2021-indico-event-contributions.json", 37, 3),
])
def test_every_sample_imports(event, organiser, name, sessions, rooms):
    preview = previews.prepare(event, previews.read_upload(sample(name)), filename=name)
    assert preview["errors"] == []
    counts = apply_preview(event, preview, by=organiser)
    assert counts["sessions"] == sessions
    assert ProgrammeSession.objects.filter(event=event).count() == sessions
    if rooms is not None:
        assert Room.objects.filter(event=event).count() == rooms
    for session in ProgrammeSession.objects.filter(event=event):
        assert session.end > session.start
        assert event.start_date <= session.start.astimezone(event.tz).date() <= event.end_date
    # Importing the same file again updates what it imported: no overlap, no duplicate.
    again = previews.prepare(event, previews.read_upload(sample(name)))
    assert again["errors"] == []
    assert again["counts"]["updated"] == sessions and again["counts"]["new"] == 0
    counts = apply_preview(event, again, by=organiser)
    assert (counts["sessions"], counts["updated"], counts["persons"]) == (0, sessions, 0)
    assert ProgrammeSession.objects.filter(event=event).count() == sessions


def test_imported_sessions_keep_the_file_content(event, organiser):
    preview = previews.prepare(event, previews.read_upload(sample("lswt2019-schedule.xml")))
    apply_preview(event, preview, by=organiser)
    welcome = ProgrammeSession.objects.get(event=event, title="Welcome")
    assert welcome.kind == "plenary"
    assert welcome.room.name == "Vorträge"
    assert welcome.start == dt.datetime(2027, 5, 26, 9, 0, tzinfo=event.tz)
    assert welcome.end == dt.datetime(2027, 5, 26, 9, 10, tzinfo=event.tz)
    assert [(link.profile.name, link.profile.honorific, link.role)
            for link in welcome.person_links.select_related("profile")] == [
        ("Sebastian Tramp", "Dr.", "speaker"), ("Andreas Heinecke", "", "speaker")]
    assert all(link.profile.user is None for link in welcome.person_links.all())
    coffee = ProgrammeSession.objects.filter(title="Kaffeepause und Postersession")
    assert coffee.exists() and {s.kind for s in coffee} == {"break"}


def test_existing_rooms_are_reused(event, organiser, make_room):
    gray = make_room("gray room", 3)
    preview = previews.prepare(event, previews.read_upload(
        sample("voc-pretalx-democon.schedule.json")))
    assert {r["name"]: r["exists"] for r in preview["rooms"]} == {"gray room": True,
                                                                 "Tan Room": False}
    apply_preview(event, preview, by=organiser)
    assert Room.objects.filter(event=event).count() == 2
    assert ProgrammeSession.objects.filter(room=gray).count() > 0
    assert Room.objects.get(event=event, name="Tan Room").position == 4


def test_nothing_is_written_when_one_entry_fails(event, organiser):
    preview = previews.prepare(event, previews.read_upload(
        sample("voc-pretalx-democon.schedule.json")))
    preview["sessions"][-1]["kind"] = "not-a-kind"  # fails model validation at the end
    rooms_before = Room.objects.count()
    with pytest.raises(ImportRefused, match="nothing was imported"):
        apply_preview(event, preview, by=organiser)
    assert ProgrammeSession.objects.filter(event=event).count() == 0
    assert Room.objects.count() == rooms_before


def test_only_organisers_can_apply(event, make_user):
    from django.core.exceptions import PermissionDenied

    preview = previews.prepare(event, previews.read_upload(
        sample("voc-invalid-example.schedule.json")))
    with pytest.raises(PermissionDenied):
        apply_preview(event, preview, by=make_user())
    assert not ProgrammeSession.objects.filter(event=event).exists()


def test_xss_in_a_file_stays_text(event, organiser, client):
    document = {"schedule": {"version": "1", "conference": {
        "title": "<script>alert(1)</script>", "days": [{"index": 1, "date": "2027-05-26",
            "rooms": {"<img src=x onerror=alert(2)>": [{
                "title": "<b onmouseover=alert(3)>Talk</b>", "date": "2027-05-26T10:00:00+02:00",
                "start": "10:00", "duration": "00:30",
                "abstract": "<script>alert(4)</script>Plain",
                "persons": [{"name": "<svg onload=alert(5)>"}]}]}}]}}}
    parsed = previews.read_upload(json.dumps(document).encode())
    preview = previews.prepare(event, parsed)
    [session] = preview["sessions"]
    assert "<" not in session["title"] and "alert(3)" not in session["title"]
    login_verified(client, organiser)
    token = previews.store(preview, user=organiser, event=event)
    response = client.get(f"/manage/{event.slug}/programme/import/preview/{token}/")
    assert response.status_code == 200
    assert b"<script>alert" not in response.content
    assert b"<img src=x" not in response.content


# The pages and who may use them -----------------------------------------------------------


def upload(client, event, name, content=None):
    data = content if content is not None else sample(name)
    return client.post(f"/manage/{event.slug}/programme/import/",
                       {"schedule": SimpleUploadedFile(name, data)})


def test_upload_preview_confirm(client, event, organiser):
    login_verified(client, organiser)
    page = client.get(f"/manage/{event.slug}/programme/import/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    response = upload(client, event, "lswt2019-schedule.xml")
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "7th Leipzig Semantic Web Day" in html
    assert "Knowledge Graphs for Scholarly Communication" in html
    assert "acronym is empty" in html
    assert "09:10–09:30" in html
    assert not ProgrammeSession.objects.filter(event=event).exists()
    confirmed = client.post(preview_url)
    assert confirmed.status_code == 302
    assert ProgrammeSession.objects.filter(event=event).count() == 31
    # The preview is used up.
    assert client.post(preview_url).status_code == 410
    assert ProgrammeSession.objects.filter(event=event).count() == 31


def test_a_bad_upload_answers_400_with_the_reason(client, event, organiser):
    login_verified(client, organiser)
    response = upload(client, event, "evil.xml", XXE)
    assert response.status_code == 400
    assert "DTD or entities" in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    response = client.post(f"/manage/{event.slug}/programme/import/", {})
    assert response.status_code == 400
    assert not ProgrammeSession.objects.filter(event=event).exists()


def test_a_blocked_preview_cannot_be_confirmed(client, event, organiser, make_session):
    make_session("talks", "Existing", day=1, start="08:00", end="18:00")
    Room.objects.filter(event=event, name="Main auditorium").update(name="Vorträge")
    login_verified(client, organiser)
    preview_url = upload(client, event, "lswt2019-schedule.xml")["Location"]
    page = client.get(preview_url).content.decode()
    assert "block" in page and "already in the programme" in page
    assert client.post(preview_url).status_code == 409
    assert ProgrammeSession.objects.filter(event=event).count() == 1


def test_a_preview_is_bound_to_its_owner(client, event, organiser, make_user):
    from fusionforum.events.models import TeamMembership

    other = make_user("second.organiser@test.invalid")
    TeamMembership.objects.create(event=event, user=other, role=TeamMembership.Role.ORGANISER)
    login_verified(client, organiser)
    preview_url = upload(client, event, "voc-invalid-example.schedule.json")["Location"]
    login_verified(client, other)
    assert client.get(preview_url).status_code == 410
    assert client.post(preview_url).status_code == 410
    assert not ProgrammeSession.objects.filter(event=event).exists()


@pytest.fixture
def people(event, make_user, make_participant, make_reviewer, other_event_organiser,
           organiser):
    return {
        "participant": make_participant(),
        "reviewer": make_reviewer(),
        "other_organiser": other_event_organiser,
        "organiser": organiser,
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_authorization(client, event, people, method):
    organiser_preview = previews.store(previews.prepare(event, previews.read_upload(
        sample("voc-invalid-example.schedule.json"))), user=people["organiser"], event=event)
    urls = [f"/manage/{event.slug}/programme/import/",
            f"/manage/{event.slug}/programme/import/preview/{organiser_preview}/"]

    def call(url):
        if method == "get":
            return client.get(url)
        return client.post(url, {"schedule": SimpleUploadedFile(
            "s.json", sample("voc-invalid-example.schedule.json"))})

    for url in urls:
        response = call(url)  # anonymous
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    for role in ("participant", "reviewer", "other_organiser"):
        login_verified(client, people[role])
        for url in urls:
            response = call(url)
            assert response.status_code == 404, (role, url)
        client.logout()
    client.force_login(people["organiser"])  # no second factor in this session
    for url in urls:
        response = call(url)
        assert response.status_code == 302 and "verify" in response["Location"], url
    assert not ProgrammeSession.objects.filter(event=event).exists()
