"""Exports of the released programme: frab schedule.xml (strict XSD), schedule.json (v1 JSON
Schema), programme.json (our schema), iCalendar (parsed back with icalendar); caching per
release; nothing that is not public."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from icalendar import Calendar
from lxml import etree

from fusionforum.programme.exports import common, own_json

from .conftest import CONFIDENTIAL_PHRASE

FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"
AGGREGATE_PHRASE = "Omicron-aggregate-tritium-breeding-5521"
XSS_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> & co'
INTL_TITLE = "Plasma 🔥 résultats — بلازما مستقرة — פלזמה"
SLUG = "fusion-forum-2026"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def frab_xsd():
    return xmlschema.XMLSchema(str(FORMATS / "schedule.xml.xsd"))


@pytest.fixture(scope="session")
def frab_json_schema():
    return json.loads((FORMATS / "schedule.schema.json").read_text())


@pytest.fixture
def event(make_event):
    # A slug the frab acronym pattern forbids as is (hyphens before a non-year part).
    return make_event(slug=SLUG, title="Fusion Forum 2026 — synthetic test")


def make_release(event, version=None, comment=""):
    from fusionforum.core import clock
    from fusionforum.programme import snapshot
    from fusionforum.programme.models import Release

    version = version or (Release.objects.filter(event=event).count() + 1)
    return Release.objects.create(event=event, version=version, released_at=clock.now(),
                                  comment=comment, snapshot=snapshot.build(event))


@pytest.fixture
def programme(event, sessions, placed_talks, make_submission, make_participant,
              make_cfp_organisation, place, clock):
    """The conftest's programme plus: a chair, a talk with two speakers and an XSS title, a
    talk with emoji and right-to-left text, an aggregate-only answer, key figures."""
    from fusionforum.cfp.models import SpeakerProfile

    chair = make_participant(make_cfp_organisation("Fictional Chairing Institute",
                                                   kind="academia", approach=""),
                             email="carla.chair@test.invalid", full_name="Carla Chair")
    sessions["tokamak"].chairs.set([chair])
    org = make_cfp_organisation("Fictional Quench <b>Labs</b>")
    first = make_participant(org, email="q1@test.invalid", full_name="Quinn <i>Quench</i>")
    second = make_participant(org, email="q2@test.invalid", full_name="Rafaël Ümlaut")
    xss = make_submission(author=first, speakers=[first, second], state="accepted",
                          title=XSS_TITLE, abstract="Abstract <script>x()</script>",
                          key_figures=[("Plasma current", "1.2", "MA")],
                          iter_help=f"Please: {AGGREGATE_PHRASE}",
                          iter_help_visibility="aggregate")
    intl = make_submission(state="confirmed", title=INTL_TITLE,
                           breakthroughs="שלום — مرحبا — 🔥", breakthroughs_visibility="public")
    place(xss, sessions["stellarator"], "10:00", 30)
    place(intl, sessions["suppliers"], "09:00", 45)
    SpeakerProfile.objects.get_or_create(event=event, user=first)
    return {"chair": chair, "xss": xss, "intl": intl, "sessions": sessions,
            "placed": placed_talks}


@pytest.fixture
def released(programme, event):
    return make_release(event, comment="First programme.")


def get(client, path, **headers):
    return client.get(path, headers=headers)


# frab schedule.xml ---------------------------------------------------------------------------


def test_schedule_xml_validates_strictly_and_carries_the_programme(client, released, frab_xsd,
                                                                   programme):
    response = client.get(f"/{SLUG}/programme/schedule.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    body = response.content
    frab_xsd.validate(body)  # raises on the first error
    assert not list(frab_xsd.iter_errors(body))

    root = etree.fromstring(body)
    assert root.findtext("conference/acronym") == "fusion_forum_2026"
    assert root.findtext("version") == "v1"
    assert root.findtext("conference/time_zone_name") == "Europe/Paris"
    days = root.findall("day")
    assert [d.get("date") for d in days] == ["2027-05-26", "2027-05-27"]
    assert days[0].get("start") == "2027-05-26T09:00:00+02:00"
    events = root.findall("day/room/event")
    codes = {e.get("code") for e in events if e.get("code")}
    assert {programme["xss"].code, programme["intl"].code} <= codes
    assert len(codes) == 5
    # The plenary without talks is listed; breaks are not.
    titles = [e.findtext("title") for e in events]
    assert "Opening" in titles and "Coffee break" not in titles and "Lunch" not in titles
    # Texts survive exactly (escaped by the serializer, not mangled).
    xss = next(e for e in events if e.get("code") == programme["xss"].code)
    assert xss.findtext("title") == XSS_TITLE
    assert xss.findtext("room") == "Room B"
    assert xss.findtext("start") == "10:00" and xss.findtext("duration") == "00:30"
    assert xss.findtext("date") == "2027-05-26T10:00:00+02:00"
    assert xss.findtext("track") == "Stellarator session"
    assert xss.get("guid") == str(programme["xss"].guid)
    assert [p.text for p in xss.findall("persons/person")] == ["Quinn <i>Quench</i>",
                                                               "Rafaël Ümlaut"]
    assert "1.2 MA" in xss.findtext("description")
    assert b"<script>" not in body
    intl = next(e for e in events if e.get("code") == programme["intl"].code)
    assert intl.findtext("title") == INTL_TITLE
    # Tracks of the conference are the session titles.
    assert {t.get("name") for t in root.findall("conference/track")} >= {
        "Tokamak panel", "Stellarator session", "Suppliers"}


def test_frab_identifiers_are_stable_across_releases(client, released, event, programme):
    first = etree.fromstring(client.get(f"/{SLUG}/programme/schedule.xml").content)
    make_release(event)
    second = etree.fromstring(client.get(f"/{SLUG}/programme/schedule.xml").content)
    assert second.findtext("version") == "v2"

    def ids(root):
        return sorted((e.get("guid"), e.get("id"), e.get("code"))
                      for e in root.findall("day/room/event"))

    assert ids(first) == ids(second)


# frab schedule.json --------------------------------------------------------------------------


def test_schedule_json_validates_against_v1_schema(client, released, frab_json_schema,
                                                   programme):
    response = client.get(f"/{SLUG}/programme/schedule.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    validator = jsonschema.Draft6Validator(frab_json_schema,
                                           format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "fusion_forum_2026"
    assert conference["daysCount"] == 2
    assert {r["name"] for r in conference["rooms"]} == {"Main auditorium", "Room B"}
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    xss = next(e for e in events if e.get("code") == programme["xss"].code)
    assert xss["title"] == XSS_TITLE
    assert [p["name"] for p in xss["persons"]] == ["Quinn <i>Quench</i>", "Rafaël Ümlaut"]
    assert all("answers" not in e for e in events)
    assert all("answers" not in p for e in events for p in e["persons"])
    assert all(re.fullmatch(r"[A-Z0-9]+", e["code"]) for e in events if "code" in e)
    # Same identifiers as schedule.xml.
    root = etree.fromstring(client.get(f"/{SLUG}/programme/schedule.xml").content)
    assert sorted(e["guid"] for e in events) == sorted(
        e.get("guid") for e in root.findall("day/room/event"))


@pytest.mark.parametrize("slug, expected", [
    ("fusion-forum-2026", "fusion_forum_2026"),
    ("iter", "iter"),
    ("ab", "ab__"),
    ("Démo-Workshop", "demo_workshop"),
    ("36c3", "36c3"),
    ("x--y", "x_y_"),
])
def test_acronym_mapping_is_deterministic_and_valid(slug, expected, frab_json_schema):
    acronym = common.acronym(slug)
    assert acronym == expected
    pattern = frab_json_schema["definitions"]["Conference"]["properties"]["acronym"]["pattern"]
    assert re.search(pattern, acronym)
    assert re.fullmatch(r"[a-z0-9_-]{4,}", acronym)


def test_schedule_json_keeps_to_the_keys_the_schema_names(client, released, frab_json_schema,
                                                         programme):
    """The schema lets ``schedule`` carry any key, but only version, base_url and conference
    have a place when other tools turn the document into schedule.xml (an extra
    ``schedule.url`` landed where the XSD allows nothing). Same keys as pretalx writes."""
    document = client.get(f"/{SLUG}/programme/schedule.json").json()
    named = {name for name, rule in
             frab_json_schema["definitions"]["Schedule"]["properties"].items() if rule}
    assert set(document["schedule"]) <= named
    assert set(document) <= set(frab_json_schema["properties"])
    sample = json.loads((FORMATS / "samples" / "voc-pretalx-democon.schedule.json").read_text())
    assert set(document["schedule"]) == set(sample["schedule"])
    # The document's own address is where the XSD has a place for it: schedule.xml's <url>.
    root = etree.fromstring(client.get(f"/{SLUG}/programme/schedule.xml").content)
    assert root.findtext("url").endswith(f"/{SLUG}/programme/schedule.xml")


# programme.json ------------------------------------------------------------------------------


def test_programme_json_is_the_snapshot_with_release_data(client, released, programme):
    response = client.get(f"/{SLUG}/programme/programme.json")
    assert response.status_code == 200
    document = response.json()
    validator = jsonschema.Draft202012Validator(own_json.schema(),
                                                format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    assert document["version"] == 1
    assert document["release_comment"] == "First programme."
    assert document["released_at"] == "2027-05-20T12:00:00+02:00"
    # The snapshot as readers of the event's default language see it (one language per
    # document: no "translations"; ?lang= asks for another).
    assert document["language"] == "en"
    localised = common.localise(released.snapshot, "en")
    snapshot_without_format = {k: v for k, v in localised.items() if k != "format"}
    for key, value in snapshot_without_format.items():
        assert document[key] == value
    xss = next(t for t in document["talks"] if t["code"] == programme["xss"].code)
    assert "iter_help" not in xss["answers"]  # aggregate only
    assert xss["answers"]["breakthroughs"]["key_figures"] == [
        {"label": "Plasma current", "value": "1.2", "unit": "MA"}]


# iCalendar -----------------------------------------------------------------------------------


def assert_well_formed_ics(body: bytes) -> Calendar:
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")  # CRLF everywhere, no bare LF
    assert b"\r" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    calendar = Calendar.from_ical(body)
    assert calendar.get("version") == "2.0"
    assert calendar.get("prodid")
    timezones = calendar.walk("VTIMEZONE")
    assert [str(t["tzid"]) for t in timezones] == ["Europe/Paris"]
    entries = calendar.walk("VEVENT")
    uids = [str(e["uid"]) for e in entries]
    assert len(uids) == len(set(uids))
    for entry in entries:
        assert entry.get("dtstamp") is not None
        assert isinstance(entry.get("sequence"), int) and entry["sequence"] >= 0
        assert entry["dtstart"].params["TZID"] == "Europe/Paris"
        assert entry["dtend"].params["TZID"] == "Europe/Paris"
        assert entry.decoded("dtend") > entry.decoded("dtstart")
        assert str(entry["summary"])
    return calendar


def test_programme_ics(client, released, programme, settings):
    response = client.get(f"/{SLUG}/programme/programme.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = assert_well_formed_ics(response.content)
    entries = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"Opening", "Compact torus results", "HTS magnet campaign",
                            "Stellarator coil winding", XSS_TITLE, INTL_TITLE,
                            "Coffee break", "Lunch"}
    # Breaks are in the calendar, as time that stays free; everything else is busy time.
    for name in ("Coffee break", "Lunch"):
        assert str(entries[name]["transp"]) == "TRANSPARENT"
        assert str(entries[name]["location"]) == "All rooms"
    assert entries["Lunch"].decoded("dtstart") == dt.datetime(2027, 5, 27, 10, 0, tzinfo=dt.UTC)
    assert all(str(e.get("transp", "OPAQUE")) == "OPAQUE" for name, e in entries.items()
               if name not in ("Coffee break", "Lunch"))
    xss = entries[XSS_TITLE]
    host = settings.SITE_URL.split("//")[1].split(":")[0].split("/")[0]
    assert str(xss["uid"]) == f"{programme['xss'].guid}@{host}"
    assert str(xss["location"]) == "Room B"
    assert xss.decoded("dtstart") == dt.datetime(2027, 5, 26, 8, 0, tzinfo=dt.UTC)
    assert xss.decoded("dtend") == dt.datetime(2027, 5, 26, 8, 30, tzinfo=dt.UTC)
    description = str(xss["description"])
    assert "Abstract <script>x()</script>" in description
    assert "Speakers: Quinn <i>Quench</i>, Rafaël Ümlaut" in description
    talk_url = f"{settings.SITE_URL}/{SLUG}/talks/{programme['xss'].code}/"
    assert talk_url in description
    assert str(xss["url"]) == talk_url
    assert str(entries[INTL_TITLE]["summary"]) == INTL_TITLE


def test_room_ics_lists_that_room_only(client, released, programme, rooms):
    response = client.get(f"/{SLUG}/programme/rooms/{rooms['second'].pk}.ics")
    assert response.status_code == 200
    calendar = assert_well_formed_ics(response.content)
    entries = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    # The room's talks, and the breaks of every room.
    assert set(entries) == {"Stellarator coil winding", XSS_TITLE, "Coffee break", "Lunch"}
    assert {str(e["location"]) for name, e in entries.items()
            if str(e.get("transp", "")) != "TRANSPARENT"} == {"Room B"}
    assert client.get(f"/{SLUG}/programme/rooms/999999.ics").status_code == 404


def test_person_ics_has_their_talks_and_the_sessions_they_chair(client, released, programme,
                                                                event):
    from fusionforum.cfp.models import SpeakerProfile

    chair_code = SpeakerProfile.objects.get(event=event, user=programme["chair"]).code
    response = client.get(f"/{SLUG}/speakers/{chair_code}.ics")
    assert response.status_code == 200
    calendar = assert_well_formed_ics(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Tokamak panel"
    assert "Chair: Carla Chair" in str(entry["description"])
    assert "Compact torus results" in str(entry["description"])

    speaker = programme["xss"].speaker_links.order_by("position").last().user
    code = SpeakerProfile.objects.get(event=event, user=speaker).code
    calendar = assert_well_formed_ics(client.get(f"/{SLUG}/speakers/{code}.ics").content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [XSS_TITLE]
    assert client.get(f"/{SLUG}/speakers/NOBODY.ics").status_code == 404


def test_build_calendar_is_reusable_for_a_personal_agenda(released, programme, clock):
    from fusionforum.programme.exports.ical import build_calendar

    body = build_calendar(released.snapshot, [programme["intl"].code], name="My agenda",
                          site_url="https://forum.example.invalid")
    calendar = assert_well_formed_ics(body)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["uid"]) == f"{programme['intl'].guid}@forum.example.invalid"
    assert str(calendar["x-wr-calname"]) == "My agenda"


def test_ics_daylight_saving_change(client, make_event, make_room, make_submission, place,
                                    clock, frab_xsd):
    """Talks on both sides of the spring change (28 March 2027 in Europe/Paris) and on the
    autumn change day (31 October 2027) get the right offsets, and the VTIMEZONE says so."""
    from fusionforum.programme.models import ProgrammeSession, Room

    dst = make_event(slug="dst-forum", title="DST forum", start_date=dt.date(2027, 3, 27),
                     end_date=dt.date(2027, 3, 28), with_days=False)
    room = Room.objects.create(event=dst, name="Hall")

    def session(start, end):
        return ProgrammeSession.objects.create(event=dst, kind="talks", title="Talks",
                                               room=room, start=start, end=end)

    paris = dst.tz
    saturday = session(dt.datetime(2027, 3, 27, 10, 0, tzinfo=paris),
                       dt.datetime(2027, 3, 27, 11, 0, tzinfo=paris))
    sunday = session(dt.datetime(2027, 3, 28, 10, 0, tzinfo=paris),
                     dt.datetime(2027, 3, 28, 11, 0, tzinfo=paris))
    october = session(dt.datetime(2027, 10, 31, 10, 0, tzinfo=paris),
                      dt.datetime(2027, 10, 31, 11, 0, tzinfo=paris))
    from fusionforum.programme.models import TalkSlot

    talks = {}
    for name, block in (("sat", saturday), ("sun", sunday), ("oct", october)):
        submission = make_submission(state="accepted", title=f"DST talk {name}")
        submission.event = dst
        submission.save(update_fields=["event"])
        TalkSlot.objects.create(submission=submission, session=block, start=block.start,
                                duration_minutes=30)
        talks[name] = submission
    make_release(dst)
    body = client.get("/dst-forum/programme/programme.ics").content
    calendar = assert_well_formed_ics(body)
    starts = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert starts["DST talk sat"].astimezone(dt.UTC) == dt.datetime(2027, 3, 27, 9, 0,
                                                                    tzinfo=dt.UTC)
    assert starts["DST talk sun"].astimezone(dt.UTC) == dt.datetime(2027, 3, 28, 8, 0,
                                                                    tzinfo=dt.UTC)
    assert starts["DST talk oct"].astimezone(dt.UTC) == dt.datetime(2027, 10, 31, 9, 0,
                                                                    tzinfo=dt.UTC)
    text = body.decode()
    assert "DTSTART;TZID=Europe/Paris:20270328T100000" in text
    # The VTIMEZONE itself carries the EU rules: a client that ignores the TZID name and
    # only reads the VTIMEZONE computes the same offsets.
    [vtimezone] = calendar.walk("VTIMEZONE")
    observances = {c.name: c for c in vtimezone.subcomponents}
    assert dict(observances["DAYLIGHT"]["rrule"]) == {"FREQ": ["YEARLY"], "BYDAY": ["-1SU"],
                                                      "BYMONTH": [3]}
    assert dict(observances["STANDARD"]["rrule"]) == {"FREQ": ["YEARLY"], "BYDAY": ["-1SU"],
                                                      "BYMONTH": [10]}
    assert observances["DAYLIGHT"].decoded("dtstart").time() == dt.time(2, 0)
    assert observances["STANDARD"].decoded("dtstart").time() == dt.time(3, 0)
    assert observances["DAYLIGHT"]["tzoffsetto"].td == dt.timedelta(hours=2)
    assert observances["STANDARD"]["tzoffsetto"].td == dt.timedelta(hours=1)
    tz = vtimezone.to_tz()
    for local, offset in ((dt.datetime(2027, 3, 27, 10, 0), 1),
                          (dt.datetime(2027, 3, 28, 10, 0), 2),
                          (dt.datetime(2027, 10, 30, 10, 0), 2),
                          (dt.datetime(2027, 10, 31, 10, 0), 1)):
        assert local.replace(tzinfo=tz).utcoffset() == dt.timedelta(hours=offset), local
    # schedule.xml of the same event writes the offsets too, and still validates.
    xml = client.get("/dst-forum/programme/schedule.xml").content
    frab_xsd.validate(xml)
    assert b"2027-03-28T10:00:00+02:00" in xml and b"2027-03-27T10:00:00+01:00" in xml


# What never leaves -------------------------------------------------------------------------


EXPORTS = ("programme/schedule.xml", "programme/schedule.json", "programme/programme.json",
           "programme/programme.ics")


def test_no_confidential_or_aggregate_answer_in_any_export(client, released, programme, rooms,
                                                           event):
    from fusionforum.cfp.models import SpeakerProfile

    paths = [f"/{SLUG}/{p}" for p in EXPORTS]
    paths += [f"/{SLUG}/programme/rooms/{r.pk}.ics" for r in rooms.values()]
    paths += [f"/{SLUG}/speakers/{p.code}.ics"
              for p in SpeakerProfile.objects.filter(event=event)]
    for path in paths:
        response = client.get(path)
        if response.status_code == 404:
            continue
        assert response.status_code == 200, path
        body = response.content.decode()
        assert CONFIDENTIAL_PHRASE not in body, path
        assert AGGREGATE_PHRASE not in body, path
        assert "internal" not in body.lower() or path.endswith(".json"), path


def test_the_working_copy_never_shows_and_a_release_changes_the_etag(client, released,
                                                                     programme, event, clock):
    path = f"/{SLUG}/programme/schedule.xml"
    first = client.get(path)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    assert first["Last-Modified"]
    assert first["X-Programme-Version"] == "1"

    talk = programme["intl"]
    talk.title = "Renamed in the working copy only"
    talk.save(update_fields=["title"])
    for export in EXPORTS:
        assert b"Renamed in the working copy only" not in client.get(
            f"/{SLUG}/{export}").content

    again = client.get(path)
    assert again["ETag"] == etag
    assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    not_modified = client.get(path, headers={"if-modified-since": first["Last-Modified"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    clock.advance(minutes=5)
    make_release(event)
    fresh = client.get(path, headers={"if-none-match": etag})
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert fresh["X-Programme-Version"] == "2"
    assert b"Renamed in the working copy only" in fresh.content
    for export in EXPORTS:
        assert b"Renamed in the working copy only" in client.get(f"/{SLUG}/{export}").content


def test_exports_are_cached_per_release(client, released, programme, django_assert_max_num_queries):
    path = f"/{SLUG}/programme/schedule.json"
    client.get(path)
    with django_assert_max_num_queries(4):
        assert client.get(path).status_code == 200


def test_a_cached_export_is_served_from_memory_until_anything_public_changes(
        client, released, programme, event, organiser, django_assert_num_queries, clock):
    """An anonymous request for an export already served costs no query at all; a release,
    unpublishing the event or a signed-in organiser each take the full path again."""
    from ..conftest import login_verified

    for export in EXPORTS:
        first = client.get(f"/{SLUG}/{export}")
        with django_assert_num_queries(0):
            again = client.get(f"/{SLUG}/{export}")
        assert again.content == first.content and again["ETag"] == first["ETag"]
        with django_assert_num_queries(0):
            packed = client.get(f"/{SLUG}/{export}", headers={"accept-encoding": "gzip"})
        assert packed["Content-Encoding"] == "gzip"
    # ?lang= is its own document.
    french = client.get(f"/{SLUG}/programme/programme.json?lang=fr")
    assert french.json()["language"] == "fr"
    assert client.get(f"/{SLUG}/programme/programme.json").json()["language"] == "en"

    clock.advance(minutes=5)
    programme["intl"].title = "Renamed for version 2"
    programme["intl"].save(update_fields=["title"])
    make_release(event)
    assert b"Renamed for version 2" in client.get(f"/{SLUG}/programme/schedule.xml").content

    event.status = "draft"
    event.save()
    assert client.get(f"/{SLUG}/programme/schedule.xml").status_code == 404
    login_verified(client, organiser)
    response = client.get(f"/{SLUG}/programme/schedule.xml")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_visitors_without_a_session_are_answered_before_the_middleware(client, released,
                                                                      programme, event,
                                                                      monkeypatch, settings):
    """programme.middleware: the second anonymous request of an export never reaches the view,
    and gets the same bytes and headers (those the middleware added to the first one too);
    a session cookie or a new version token takes the full path."""
    from fusionforum.programme.views import exports as export_views

    calls = []
    real = export_views._serve
    monkeypatch.setattr(export_views, "_serve",
                        lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    for export in (*EXPORTS, "programme/programme.json?lang=fr"):
        path = f"/{SLUG}/{export}"
        for headers in ({}, {"accept-encoding": "gzip"}):
            first = client.get(path, headers=headers)
            assert first.status_code == 200 and not first.cookies
            calls.clear()
            again = client.get(path, headers=headers)
            assert calls == [], path
            assert again.content == first.content
            assert {k: v for k, v in again.items() if k != "Date"} == {
                k: v for k, v in first.items() if k != "Date"}, path
            assert "Cookie" in again["Vary"] and "Accept-Encoding" in again["Vary"]
            assert client.get(path, headers={**headers, "if-none-match": again["ETag"]}
                              ).status_code == 304
    path = f"/{SLUG}/programme/schedule.xml"
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    calls.clear()
    assert client.get(path).status_code == 200 and len(calls) == 1
    del client.cookies[settings.SESSION_COOKIE_NAME]
    from fusionforum.core import pagecache

    pagecache.invalidate()
    calls.clear()
    client.get(path)
    assert len(calls) == 1
    # Other query strings are not remembered.
    calls.clear()
    client.get(path + "?x=1")
    client.get(path + "?x=1")
    assert len(calls) == 2


def test_each_calendar_entry_has_a_sequence_that_grows_when_it_changes(client, event, organiser,
                                                                      programme, sessions,
                                                                      clock):
    """Released through the service: a talk whose title changed, a session that moved and a
    break that did not change between releases; calendar clients replace changed copies."""
    from fusionforum.programme import releases

    def sequences():
        calendar = assert_well_formed_ics(client.get(f"/{SLUG}/programme/programme.ics").content)
        return {str(e["summary"]): e["sequence"] for e in calendar.walk("VEVENT")}

    releases.release(event, by=organiser)
    first = sequences()
    assert set(first.values()) == {0}
    clock.advance(minutes=5)
    programme["intl"].title = "Retitled talk"
    programme["intl"].save(update_fields=["title"])
    sessions["opening"].end = sessions["opening"].end.replace(minute=25)
    sessions["opening"].save(update_fields=["end"])
    releases.release(event, by=organiser)
    second = sequences()
    assert second["Retitled talk"] == 1 and second["Opening"] == 1
    assert second["Lunch"] == 0 and second["Stellarator coil winding"] == 0
    clock.advance(minutes=5)
    programme["intl"].title = "Retitled again"
    programme["intl"].save(update_fields=["title"])
    releases.release(event, by=organiser)
    third = sequences()
    assert third["Retitled again"] == 2 and third["Opening"] == 1 and third["Lunch"] == 0
    # Nothing changed: nothing to release, whatever the numbers stored.
    with pytest.raises(releases.ReleaseRefused, match="Nothing changed"):
        releases.release(event, by=organiser)
    # programme.json carries the same numbers (its schema documents them).
    payload = client.get(f"/{SLUG}/programme/programme.json").json()
    jsonschema.Draft202012Validator(own_json.schema()).validate(payload)
    assert {t["title"]: t["sequence"] for t in payload["talks"]}["Retitled again"] == 2
    assert {s["title"]: s["sequence"] for s in payload["sessions"]}["Opening"] == 1


def test_programme_json_carries_the_breaks(client, released, programme):
    payload = client.get(f"/{SLUG}/programme/programme.json").json()
    breaks = {s["title"]: s for s in payload["sessions"] if s["kind"] == "break"}
    assert set(breaks) == {"Coffee break", "Lunch"}
    assert breaks["Lunch"]["room"] is None and breaks["Lunch"]["start"].startswith("2027-05-27T12")


def test_before_any_release_every_export_is_a_clear_404(client, programme):
    for export in EXPORTS:
        response = client.get(f"/{SLUG}/{export}")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/plain")
        assert b"No programme has been released" in response.content


def test_unpublished_event_exports_are_hidden_from_the_public(client, released, event,
                                                              organiser):
    from ..conftest import login_verified

    event.status = "draft"
    event.save()
    assert client.get(f"/{SLUG}/programme/schedule.xml").status_code == 404
    login_verified(client, organiser)
    response = client.get(f"/{SLUG}/programme/schedule.xml")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_unknown_event_is_404(client, db):
    assert client.get("/no-such-event/programme/schedule.xml").status_code == 404


def test_exports_are_sent_gzip_compressed_to_clients_that_accept_it(client, released,
                                                                     programme):
    import gzip

    path = f"/{SLUG}/programme/schedule.json"
    plain = client.get(path)
    packed = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert "Content-Encoding" not in plain
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    again = client.get(path, headers={"accept-encoding": "gzip", "if-none-match": packed["ETag"]})
    assert again.status_code == 304


def test_legacy_numbers_stay_unique_for_imported_guids_that_differ_only_at_the_end():
    from fusionforum.programme.exports import common

    guids = [f"a1f7d2c4-9b3e-4e51-8d77-2f0c6e9b1a0{n}" for n in (1, 2, 3)]
    entries = [{"guid": g, "id": common.uuid_number(g)} for g in guids]
    assert len({e["id"] for e in entries}) == 1  # the top 48 bits alone collide
    common.unique_numbers(entries)
    assert len({e["id"] for e in entries}) == 3
    again = [{"guid": g, "id": common.uuid_number(g)} for g in reversed(guids)]
    common.unique_numbers(again)
    assert {e["guid"]: e["id"] for e in again} == {e["guid"]: e["id"] for e in entries}
