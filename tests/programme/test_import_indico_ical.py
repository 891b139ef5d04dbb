"""Importing Indico exports (timetable, event with sessions) and iCalendar files.

Fixtures in ``fixtures/imports/`` are written the way the other systems write them: the Indico
timetable follows the HTTP API's structure (results → event id → YYYYMMDD → entry id), the
event export with sessions extends the real XDC 2021 export of ../shared/formats/samples, and
the iCalendar files are as Google Calendar, Outlook, Apple Calendar, pretalx and Indico write
them, plus one file per fault real feeds have.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest

from fusionforum.programme.imports import ical, indico
from fusionforum.programme.imports import preview as previews
from fusionforum.programme.imports.base import FileRejected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "formats" / "samples"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read(name: str, zone: str = "Europe/Paris") -> dict:
    return previews.read_upload(fixture(name), zone=zone)


def everything(parsed: dict) -> list[dict]:
    return parsed["items"] + parsed["unplaced"]


def by_title(parsed: dict, title: str) -> dict:
    [found] = [i for i in everything(parsed) if i["title"] == title]
    return found


def by_source(parsed: dict, source_id: str) -> dict:
    [found] = [i for i in everything(parsed) if i["source_id"] == source_id]
    return found


def people(item: dict, role: str | None = None) -> list[tuple[str, str, str]]:
    return [(p["name"], p["title"], p["affiliation"]) for p in item["persons"]
            if role is None or p["role"] == role]


def messages(parsed: dict) -> str:
    return "\n".join(f"{p['where']}: {p['message']}" for p in parsed["problems"])


# Indico timetable export -------------------------------------------------------------------


def test_indico_timetable_is_recognised_and_read():
    parsed = read("indico-timetable-pwi2025.json")
    assert parsed["format"] == "indico-timetable"
    assert parsed["source_system"] == "indico"
    assert parsed["timezone"] == "Europe/Zurich"
    # The empty day ({}) is a declared day all the same.
    assert parsed["days"] == ["2025-05-12", "2025-05-13", "2025-05-14"]
    # 15 contributions and breaks (10 of them in slots), 4 session slots holding them.
    assert len(parsed["items"]) == 15 + 4 and parsed["unplaced"] == []
    assert sorted(i["source_id"] for i in parsed["items"] if i["container"]) == [
        "slot-301", "slot-302", "slot-303", "slot-304"]
    assert all(p["level"] == "warning" for p in parsed["problems"])


def test_indico_timetable_session_slots_group_their_contributions():
    parsed = read("indico-timetable-pwi2025.json")
    talk = by_title(parsed, "Recrystallisation of ITER-grade tungsten after transient heat "
                            "loads")
    assert (talk["date"], talk["start"], talk["minutes"]) == ("2025-05-12", "09:15", 30)
    assert talk["room"] == "Auditorium A"
    assert talk["group"] == {"source_id": "slot-301",
                             "title": "Plasma-facing components: Tungsten under load"}
    assert talk["source_id"] == "5102"
    assert talk["track"] == "Plasma-facing components"
    assert talk["speakers"] == ["Yuji Hatano", "Gerald Pintsuk"]
    assert people(talk, "speaker") == [("Yuji Hatano", "", "University of Toyama"),
                                       ("Gerald Pintsuk", "", "Forschungszentrum Jülich GmbH")]
    # The slot is an entry of its own: its room, times and convener (her title kept
    # apart); its contributions do not copy the convener.
    assert people(talk, "chair") == []
    slot = by_source(parsed, "slot-301")
    assert slot["container"] is True and slot["group"] is None
    assert slot["title"] == "Plasma-facing components: Tungsten under load"
    assert (slot["date"], slot["start"], slot["minutes"], slot["room"]) == (
        "2025-05-12", "09:15", 100, "Auditorium A")
    assert people(slot, "chair") == [("Marie-Line Mayoral", "Dr.", "CEA Cadarache")]
    assert slot["kind"] == "talks" and slot["speakers"] == []
    # A break inside a slot is a break of that slot.
    coffee = [i for i in parsed["items"] if i["title"] == "Coffee break"]
    assert [c["kind"] for c in coffee] == ["break", "break"]
    assert coffee[0]["group"]["source_id"] == "slot-301" and coffee[1]["group"] is None
    assert coffee[0]["source_id"] == "break-701"
    # The same session in another slot is another group.
    lithium = by_title(parsed, "Capillary porous systems with lithium: ten years on")
    assert lithium["group"] == {"source_id": "slot-304",
                                "title": "Plasma-facing components: Liquid metals"}
    # Top-level contributions and breaks have no group.
    assert by_title(parsed, "Welcome and introduction")["group"] is None
    assert by_title(parsed, "Welcome and introduction")["kind"] == "plenary"


def test_indico_timetable_names_become_readable():
    parsed = read("indico-timetable-pwi2025.json")
    names = {p["name"]: p["title"] for i in parsed["items"] for p in i["persons"]}
    assert names["Ambrogio Fasoli"] == ""            # "FASOLI, Ambrogio"
    assert names["Thomas Morgan"] == "Prof."         # "Prof. MORGAN, Thomas"
    assert names["Jiří Horáček"] == ""               # "HORÁČEK, Jiří"
    assert names["Gijs Gerrit van Eden"] == ""       # only "name": "van EDEN, Gijs Gerrit"
    assert "FASOLI" not in json.dumps(parsed["items"])


def test_indico_timetable_slot_past_midnight_is_read_once():
    parsed = read("indico-timetable-pwi2025.json")
    [table] = [i for i in parsed["items"] if i["title"].startswith("Round table")]
    assert (table["date"], table["start"], table["minutes"]) == ("2025-05-12", "22:30", 120)
    assert table["group"]["title"] == "Evening discussion: Open questions"
    slot = by_source(parsed, "slot-303")
    assert (slot["date"], slot["start"], slot["minutes"]) == ("2025-05-12", "22:30", 120)
    assert people(slot, "chair") == [("Ambrogio Fasoli", "", "EPFL - Swiss Plasma Center")]


def test_indico_timetable_contribution_without_presenter_is_chaired_by_its_slot():
    parsed = read("indico-timetable-pwi2025.json")
    item = by_title(parsed, "Alternative divertor configurations for DEMO")
    assert item["speakers"] == [] and item["persons"] == []
    slot = by_source(parsed, item["group"]["source_id"])
    assert people(slot, "chair") == [("Holger Reimerdes", "", "EPFL - Swiss Plasma Center")]


def _timetable() -> dict:
    return json.loads(fixture("indico-timetable-pwi2025.json"))


def test_indico_timetable_entries_in_utc_are_converted_to_the_zone_the_others_name():
    document = _timetable()
    day = document["results"]["1342"]["20250512"]
    # An entry written in UTC by a user whose display zone is UTC: 07:00 UTC = 09:00 Zurich.
    day["c5101"]["startDate"] = {"date": "2025-05-12", "time": "07:00:00", "tz": "UTC"}
    day["c5101"]["endDate"] = {"date": "2025-05-12", "time": "07:15:00", "tz": "UTC"}
    parsed = previews.read_upload(json.dumps(document).encode())
    welcome = by_title(parsed, "Welcome and introduction")
    assert (welcome["date"], welcome["start"], welcome["minutes"]) == ("2025-05-12", "09:00", 15)


def test_indico_timetable_older_versions_and_odd_entries():
    document = _timetable()
    day = document["results"]["1342"]["20250513"]
    # Indico 2.x wrote a presenter's name as a one-element list and no first/family name.
    day["c5112"]["presenters"] = [{"name": ["Prof. DUVAL, Basil"], "affiliation": "EPFL"}]
    # An entry typed only by entryType, and one of a type nobody knows.
    del day["b703"]["_type"]
    day["x1"] = dict(day["c5112"], id="x1", _type="PosterSchEntry", entryType="Poster",
                     title="Poster session", contributionId=9999)
    # A slot without contributions is an entry of its own.
    slot = copy.deepcopy(document["results"]["1342"]["20250512"]["s2002"])
    slot.update(id="s2099", sessionSlotId=399, entries={}, slotTitle="Poster walk")
    slot["startDate"] = {"date": "2025-05-13", "time": "14:00:00", "tz": "Europe/Zurich"}
    slot["endDate"] = {"date": "2025-05-13", "time": "15:30:00", "tz": "Europe/Zurich"}
    day["s2099"] = slot
    parsed = previews.read_upload(json.dumps(document).encode())
    closing = by_title(parsed, "Closing remarks")
    assert people(closing) == [("Basil Duval", "Prof.", "EPFL")]
    assert by_title(parsed, "Poster session")["source_id"] == "9999"
    assert [i["kind"] for i in parsed["items"] if i["source_id"] == "break-703"] == ["break"]
    walk = by_title(parsed, "Divertor physics: Poster walk")
    assert (walk["start"], walk["minutes"], walk["source_id"]) == ("14:00", 90, "slot-399")
    assert people(walk, "chair") == [("Holger Reimerdes", "", "EPFL - Swiss Plasma Center")]
    assert "unknown type" in messages(parsed)


def test_an_empty_indico_timetable_is_refused_with_the_reason():
    document = {"count": 1, "_type": "HTTPAPIResult", "results": {
        "1342": {"20250512": {}, "20250513": {}}}}
    with pytest.raises(FileRejected, match="every day of event 1342 is empty"):
        previews.read_upload(json.dumps(document).encode())


def test_indico_timetable_is_no_longer_refused_as_an_event_without_contributions():
    # The old reader said "This Indico export has no contributions" for a timetable.
    parsed = read("indico-timetable-pwi2025.json")
    assert "no contributions" not in messages(parsed)


# Indico event export -----------------------------------------------------------------------


def test_indico_event_export_with_sessions_conveners_and_unscheduled_contributions():
    parsed = read("indico-event-sessions-xdc2021.json")
    assert parsed["format"] == "indico"
    assert parsed["timezone"] == "Europe/Warsaw"
    # 37 contributions and breaks, 6 session slots holding them.
    assert len(parsed["items"]) == 37 + 6
    assert sum(i["container"] for i in parsed["items"]) == 6
    # Contributions with null dates are kept to place, with their speakers and duration.
    assert [(i["title"], i["minutes"], i["date"]) for i in parsed["unplaced"]] == [
        ("Panfrost on Mali Valhall: first light", 20, ""),
        ("Wayland colour management: where are we?", 45, ""),
        ("Lightning talk slot (to be assigned)", 5, "")]
    pekka = parsed["unplaced"][1]
    assert people(pekka) == [("Pekka Paalanen", "Dr.", "Collabora")]
    assert pekka["source_id"] == "42"
    assert "3 items have no time in the file" in messages(parsed)
    talk = by_title(parsed, "Making bare-metal testing accessible to every developer")
    assert (talk["date"], talk["start"], talk["minutes"]) == ("2021-09-17", "16:10", 20)
    assert talk["group"] == {"source_id": "slot-15", "title": "Main Track"}
    assert people(talk, "speaker") == [("Martin Peres", "", "X.Org")]
    assert people(talk, "chair") == []
    assert people(by_source(parsed, "slot-15"), "chair") == [
        ("Mark Filion", "", ""), ("Samuel Iglesias Gonsálvez", "", "Igalia")]
    workshop = by_title(parsed, "X.Org security BoF")
    assert workshop["group"]["source_id"] == "slot-16"
    assert people(by_source(parsed, "slot-16"), "chair") == [("Martin Roukala", "Dr.", "Valve")]
    # Grouped warnings, not one per contribution.
    assert sum("primary authors" in p["message"] for p in parsed["problems"]) == 1
    grouped = next(p for p in parsed["problems"] if p["kind"] == "indico_authors")
    assert grouped["count"] == 32 and len(grouped["places"]) == 32


def test_the_real_xdc2021_export_keeps_persons_ids_and_fixes_stray_commas():
    parsed = previews.read_upload((SAMPLES / "xdc2021-indico-event-contributions.json")
                                  .read_bytes())
    accelerator = next(i for i in parsed["items"]
                       if i["title"].startswith("Enabling Level zero Sysman"))
    # The real file has "last_name": "Ganapathi,", "first_name": " Ravindra Babu".
    assert "Ravindra Babu Ganapathi" in accelerator["speakers"]
    assert {p["source_id"] for p in accelerator["persons"]} == {"27", "28"}
    assert accelerator["source_id"] == "9"
    assert accelerator["group"] == {"source_id": "", "title": "Main Track"}


def test_indico_event_export_keeps_unscheduled_contributions_to_place():
    parsed = read("indico-event-contributions-unscheduled.json")
    assert len(parsed["items"]) == 37
    assert [i["title"] for i in parsed["unplaced"]] == [
        "Panfrost on Mali Valhall: first light", "Wayland colour management: where are we?"]


def test_an_indico_event_without_contributions_or_sessions_names_the_exports_to_use():
    with pytest.raises(FileRejected, match="detail=sessions.*export/timetable"):
        previews.read_upload(b'{"results": [{"title": "x", "timezone": "UTC"}]}')


def test_timetable_detection():
    assert indico.is_timetable({"results": {"1": {"20250101": {}}}})
    assert not indico.is_timetable({"results": [{"contributions": []}]})
    assert not indico.is_timetable({"results": {"title": "x", "contributions": []}})
    assert not indico.is_timetable({"results": {"1": {"not-a-day": {}}}})


# iCalendar: files as systems write them --------------------------------------------------


def test_google_calendar_file():
    parsed = read("ical-google.ics")
    assert parsed["format"] == "ical"
    assert parsed["source_system"] == "Google Calendar"
    assert parsed["title"] == "Stellarator Summer School 2025"
    assert parsed["timezone"] == "Europe/Berlin"
    lecture = by_title(parsed, "Introduction to stellarator optimisation")
    assert (lecture["date"], lecture["start"], lecture["minutes"]) == ("2025-07-07", "09:30",
                                                                       90)
    assert lecture["room"] == "IPP Greifswald, Lecture Hall"
    assert lecture["speakers"] == ["Per Helander"]
    assert lecture["source_id"] == "0p9o8i7u6z5t4r3e2w1q0a9s8d@google.com"
    # ROLE=CHAIR is a chair; the calendar's own ORGANIZER is nobody's speaker.
    assert people(by_title(parsed, "Welcome and practical information")) == [
        ("Thomas Klinger", "", "")]
    assert by_title(parsed, "Welcome and practical information")["persons"][0]["role"] == \
        "chair"
    # TRANSP:TRANSPARENT is a break.
    assert by_title(parsed, "Coffee")["kind"] == "break"
    # "Speaker: …" in the description is a person and leaves the abstract.
    neoclassical = by_title(parsed, "Neoclassical transport in 3D fields")
    assert people(neoclassical) == [("Craig Beidler", "", "IPP")]
    assert neoclassical["abstract"] == "Lecture 2 of 4."
    # RRULE:FREQ=DAILY;COUNT=4 → four entries with their own ids.
    standups = [i for i in parsed["items"] if i["title"] == "Morning stand-up"]
    assert [s["date"] for s in standups] == ["2025-07-08", "2025-07-09", "2025-07-10",
                                             "2025-07-11"]
    assert len({s["source_id"] for s in standups}) == 4
    assert "4 occurrences were imported" in messages(parsed)
    # An all-day entry has no time of day: to place.
    assert [i["title"] for i in parsed["unplaced"]] == ["Excursion to Wendelstein 7-X"]


def test_outlook_file_with_windows_zone_names():
    parsed = read("ical-outlook.ics")
    assert parsed["source_system"] == "Microsoft Outlook"
    assert parsed["timezone"] == "Europe/Berlin"
    assert "“W. Europe Standard Time” was read as the IANA zone Europe/Berlin" in \
        messages(parsed)
    opening = by_title(parsed, "Opening: Fusion for Energy procurement outlook 2026-2030")
    assert (opening["date"], opening["start"], opening["minutes"]) == ("2025-09-23", "09:00",
                                                                       45)
    # The speakers line wins over the attendee list; the organiser's office is not a speaker.
    assert opening["speakers"] == ["Marc Lachaise", "Jean-Marc Filhol"]
    assert by_title(parsed, "Coffee break")["kind"] == "break"  # BUSYSTATUS:FREE
    panel = by_title(parsed, "Panel: qualifying nuclear-grade components")
    assert panel["kind"] == "panel"
    assert people(panel) == [("Ruiz Ana", "", "ENEA"), ("Novak Petr", "", ""),
                             ("Okafor Chidi", "", "")]
    assert by_title(parsed, "B2B meetings with ITER suppliers")["speakers"] == []
    # Outlook's UIDs are 112 characters that differ only at the end: ids stay distinct.
    ids = [i["source_id"] for i in parsed["items"]]
    assert len(set(ids)) == 4 and all(len(i) <= 100 for i in ids)


def test_apple_calendar_file():
    parsed = read("ical-apple.ics")
    assert parsed["source_system"] == "Apple Calendar"
    assert parsed["timezone"] == "America/New_York"
    lightning = by_title(parsed, "Lightning talks: edge turbulence")
    assert lightning["room"] == "Hyatt Regency, Celestin A"  # first line of LOCATION
    assert lightning["speakers"] == ["Maria Gonzalez", "Wei Chen", "Ahmed Hassan"]
    sprint = by_title(parsed, "Late-night code sprint")  # 23:00-00:30
    assert (sprint["date"], sprint["start"], sprint["minutes"]) == ("2025-11-10", "23:00", 90)


def test_pretalx_file():
    parsed = read("ical-pretalx.ics")
    assert parsed["source_system"] == "pretalx"
    talk = by_title(parsed, "Re-engineered zero tolerance open architecture - a retrospective")
    assert talk["speakers"] == ["Tasha Steele", "Amy Gonzales"]
    assert talk["track"] == "Design"
    assert talk["source_id"] == "pretalx-democon-8XCYV9@pretalx.com"
    assert by_title(parsed, "Focused 5thgeneration hardware")["room"] == "Gray Room"


def test_indico_ics_in_utc_is_shown_in_the_events_zone():
    parsed = read("ical-indico.ics", zone="Europe/Zurich")
    assert parsed["source_system"] == "Indico"
    assert parsed["timezone"] == "Europe/Zurich"
    talk = by_title(parsed, "Recrystallisation of ITER-grade tungsten after transient heat "
                            "loads")
    assert (talk["date"], talk["start"], talk["minutes"]) == ("2025-05-12", "09:15", 30)
    assert talk["room"] == "Auditorium A"
    assert people(talk) == [("Yuji Hatano", "", "University of Toyama"),
                            ("Gerald Pintsuk", "", "Forschungszentrum Jülich GmbH")]
    assert "Speakers" not in talk["abstract"]
    assert "converted to Europe/Zurich" in messages(parsed)


# iCalendar: the faults real feeds have ------------------------------------------------------


def test_tzid_without_vtimezone_uses_the_iana_zone():
    parsed = read("ical-fault-tzid-without-vtimezone.ics")
    assert parsed["timezone"] == "Europe/Lisbon"
    assert [(i["start"], i["minutes"]) for i in parsed["items"]] == [("09:30", 60),
                                                                     ("11:00", 30)]
    [problem] = parsed["problems"]
    assert problem["where"].startswith("line 4")
    assert "“Europe/Lisbon” has no VTIMEZONE in the file; the IANA zone Europe/Lisbon was " \
           "used" in problem["message"]


def test_a_vtimezone_that_disagrees_with_iana_loses_to_iana():
    parsed = read("ical-fault-adelaide-truncated.ics")
    assert parsed["timezone"] == "Australia/Adelaide"
    assert [i["start"] for i in parsed["items"]] == ["09:00", "10:30"]
    [problem] = parsed["problems"]
    assert problem["where"].startswith("line 21")
    assert "gives UTC+09:00 on 2025-07-14 but the IANA zone Australia/Adelaide has " \
           "UTC+09:30; the IANA definition was used" in problem["message"]


def test_the_iana_zone_gives_the_right_absolute_time():
    # The file says 09:00 in Adelaide; converted elsewhere it must use +09:30, not +09:00.
    parsed = ical.parse(fixture("ical-fault-adelaide-truncated.ics"))
    item = parsed["items"][0]
    moment = dt.datetime.fromisoformat(f"{item['date']}T{item['start']}").replace(
        tzinfo=zoneinfo.ZoneInfo(parsed["timezone"]))
    assert moment.astimezone(dt.UTC).strftime("%H:%M") == "23:30"


def test_duplicate_uids():
    parsed = read("ical-fault-duplicate-uids.ics")
    titles = [i["title"] for i in parsed["items"]]
    assert titles == ["Bienvenida", "TJ-II results 2024", "IFMIF-DONES status"]
    ids = [i["source_id"] for i in parsed["items"]]
    assert ids == ["event@ciemat-workshop.example.es", "event@ciemat-workshop.example.es#2",
                   "talk-7@ciemat-workshop.example.es"]
    text = messages(parsed)
    assert "2 different entries share the UID event@ciemat-workshop.example.es" in text
    assert "the copy with the highest SEQUENCE (line 30) was kept" in text


def test_unfolded_long_lines_and_broken_folds():
    parsed = read("ical-fault-unfolded-lines.ics")
    first, second = parsed["items"]
    assert first["title"].endswith("the path to DEMO qualification testing")
    assert first["speakers"] == ["Elena Visca", "Henri Greuner"]
    assert second["abstract"] == ("Status of the DTT building and the procurement of the "
                                  "toroidal field\ncoils. Questions from the floor afterwards.")
    long = next(p for p in parsed["problems"] if p["kind"] == "ical_long_line")
    assert long["count"] == 3 and long["places"] == ["line 9", "line 10", "line 19"]
    broken = next(p for p in parsed["problems"] if p["kind"] == "ical_broken_fold")
    assert broken["where"] == "line 20"
    assert "continues the DESCRIPTION of line 19" in broken["message"]


def test_dtstamp_with_a_tzid():
    parsed = read("ical-fault-dtstamp-tzid.ics")
    assert [i["title"] for i in parsed["items"]] == ["Kolloquium: Wendelstein 7-X OP 2.2"]
    problem = next(p for p in parsed["problems"] if p["kind"] == "ical_dtstamp_tzid")
    assert problem["where"] == "line 6"


def test_vcalendar_1_0_parameters():
    parsed = read("ical-fault-vcalendar10.ics")
    meeting, lunch = parsed["items"]
    assert meeting["title"] == "Réunion du comité de programme"
    assert meeting["abstract"] == ("Ordre du jour :\n1. Sélection des présentations\n"
                                   "2. Calendrier")
    assert meeting["room"] == "Salle Jean Perrin"
    assert meeting["track"] == ""  # CATEGORIES:MEETING is a kind of appointment, not a track
    # 08:00 UTC in May is 10:00 in Paris, the event's zone.
    assert (meeting["date"], meeting["start"], meeting["minutes"]) == ("2025-05-15", "10:00",
                                                                       90)
    assert lunch["title"] == "Déjeuner" and lunch["kind"] == "break"
    text = messages(parsed)
    assert "vCalendar 1.0 file" in text
    assert "line 18: SUMMARY has a parameter without a name" in text


def test_stray_lines():
    parsed = read("ical-fault-stray-lines.ics")
    assert [i["title"] for i in parsed["items"]] == [
        "COMPASS-U commissioning", "Runaway electrons: mitigation experiments"]
    text = messages(parsed)
    assert "line 13: SUMMARY appears outside any event" in text
    stray = next(p for p in parsed["problems"] if p["kind"] == "ical_stray")
    assert stray["places"] == ["line 15", "line 16"]
    assert "ends before END:VCALENDAR" in text


# iCalendar: more of what real files hold ---------------------------------------------------


def calendar(*lines: str, head: tuple[str, ...] = ("VERSION:2.0", "PRODID:-//Test//EN")) -> bytes:
    return "\r\n".join(["BEGIN:VCALENDAR", *head, *lines, "END:VCALENDAR", ""]).encode()


def vevent(uid: str, start: str, end: str, summary: str, *extra: str,
           tz: str = "Europe/Paris") -> list[str]:
    return ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20250101T000000Z",
            f"DTSTART;TZID={tz}:{start}", f"DTEND;TZID={tz}:{end}", f"SUMMARY:{summary}",
            "LOCATION:Hall", *extra, "END:VEVENT"]


def test_repeats_with_exceptions_overrides_and_an_open_end():
    data = calendar(
        *vevent("day1", "20270526T090000", "20270526T100000", "Talk one"),
        *vevent("day3", "20270528T090000", "20270528T100000", "Talk three"),
        *vevent("standup", "20270526T083000", "20270526T084500", "Stand-up",
                "RRULE:FREQ=DAILY", "EXDATE;TZID=Europe/Paris:20270527T083000"),
        *vevent("weekly", "20270526T120000", "20270526T130000", "Lunch",
                "RRULE:FREQ=DAILY;UNTIL=20270527T220000Z"),
        *vevent("weekly", "20270527T123000", "20270527T133000", "Late lunch",
                "RECURRENCE-ID;TZID=Europe/Paris:20270527T120000"))
    parsed = ical.parse(data)
    starts = sorted((i["title"], i["date"], i["start"]) for i in parsed["items"])
    assert starts == [
        ("Late lunch", "2027-05-27", "12:30"), ("Lunch", "2027-05-26", "12:00"),
        ("Stand-up", "2027-05-26", "08:30"), ("Stand-up", "2027-05-28", "08:30"),
        ("Talk one", "2027-05-26", "09:00"), ("Talk three", "2027-05-28", "09:00")]


def test_an_open_ended_repeat_in_a_one_day_file_is_imported_once_with_a_warning():
    parsed = ical.parse(calendar(*vevent("x", "20270526T090000", "20270526T100000", "Weekly",
                                         "RRULE:FREQ=WEEKLY")))
    assert len(parsed["items"]) == 1
    assert "repeats without end" in messages(parsed)


def test_cancelled_private_and_banner_entries_are_left_out_with_warnings():
    parsed = ical.parse(calendar(
        *vevent("a", "20270526T090000", "20270526T100000", "Kept"),
        *vevent("b", "20270526T100000", "20270526T110000", "Gone", "STATUS:CANCELLED"),
        *vevent("c", "20270526T110000", "20270526T120000", "Dentist", "CLASS:PRIVATE"),
        "BEGIN:VEVENT", "UID:d", "DTSTART;VALUE=DATE:20270526", "DTEND;VALUE=DATE:20270529",
        "SUMMARY:Fusion Forum 2027", "END:VEVENT"))
    assert [i["title"] for i in parsed["items"]] == ["Kept"]
    assert parsed["unplaced"] == []
    text = messages(parsed)
    assert "“Gone” is cancelled" in text
    assert "“Dentist” is marked private" in text
    assert "“Fusion Forum 2027” spans 3 whole days" in text


def test_attendees_rooms_and_invitation_lists():
    invitees = [f"ATTENDEE;CN=Person {n};ROLE=REQ-PARTICIPANT:mailto:p{n}@example.org"
                for n in range(6)]
    parsed = ical.parse(calendar(
        *vevent("a", "20270526T090000", "20270526T100000", "All hands", *invitees),
        "BEGIN:VEVENT", "UID:b", "DTSTART:20270526T100000Z", "DURATION:PT45M",
        "SUMMARY:Board", "ATTENDEE;CUTYPE=ROOM;CN=Salle 2:mailto:salle2@example.org",
        "ATTENDEE;CN=\"Doe, Jane (ITER)\";ROLE=CHAIR:mailto:jane@example.org",
        "ATTENDEE;CN=Declined Person;PARTSTAT=DECLINED:mailto:no@example.org",
        "END:VEVENT"), zone_hint="Europe/Paris")
    hands = by_title(parsed, "All hands")
    assert hands["persons"] == []
    assert "6 attendees are invited to “All hands”" in messages(parsed)
    board = by_title(parsed, "Board")
    assert (board["start"], board["minutes"], board["room"]) == ("12:00", 45, "Salle 2")
    assert people(board) == [("Jane Doe", "", "ITER")]
    assert board["persons"][0]["role"] == "chair"


def test_zone_names_from_other_systems():
    assert ical.iana_name("W. Europe Standard Time") == "Europe/Berlin"
    assert ical.iana_name('"Romance Standard Time"') == "Europe/Paris"
    assert ical.iana_name("/mozilla.org/20050126_1/Europe/Berlin") == "Europe/Berlin"
    assert ical.iana_name("/freeassociation.sourceforge.net/Tzfile/America/New_York") == \
        "America/New_York"
    assert ical.iana_name("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna") == \
        "Europe/Amsterdam"
    assert ical.iana_name("Customized Time Zone") == ""


def test_a_zone_only_the_file_defines_is_used_from_its_vtimezone():
    data = calendar(
        "BEGIN:VTIMEZONE", "TZID:Customized Time Zone", "BEGIN:STANDARD",
        "DTSTART:16010101T000000", "TZOFFSETFROM:+0530", "TZOFFSETTO:+0530", "END:STANDARD",
        "END:VTIMEZONE",
        *vevent("a", "20270526T090000", "20270526T100000", "Talk", tz="Customized Time Zone"))
    parsed = ical.parse(data, zone_hint="Europe/Paris")
    assert parsed["items"][0]["start"] == "09:00"
    assert "file's own definition" in messages(parsed)
    unknown = ical.parse(calendar(*vevent("a", "20270526T090000", "20270526T100000", "Talk",
                                          tz="Nowhere Standard Time")))
    assert unknown["items"][0]["start"] == "09:00"
    assert "“Nowhere Standard Time” is unknown" in messages(unknown)


def test_a_file_that_is_not_utf8_is_read_as_windows_1252():
    data = calendar(*vevent("a", "20270526T090000", "20270526T100000", "Caf\u00e9")).replace(
        "Café".encode(), "Café".encode("cp1252"))
    parsed = ical.parse(data)
    assert parsed["items"][0]["title"] == "Café"
    assert "read as Windows-1252" in messages(parsed)


def test_entries_without_start_are_kept_to_place():
    parsed = ical.parse(calendar("BEGIN:VEVENT", "UID:x", "SUMMARY:Undated", "END:VEVENT"))
    assert [i["title"] for i in parsed["unplaced"]] == ["Undated"]


@pytest.mark.parametrize("data, message", [
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n", "vCard file"),
    (b"BEGIN:VTODO\r\nSUMMARY:x\r\nEND:VTODO\r\n", "does not begin with BEGIN:VCALENDAR"),
    (calendar("BEGIN:VTODO", "SUMMARY:Write abstract", "END:VTODO"), "only VTODO"),
    (calendar(), "holds no events"),
    ("BEGIN:VCALENDAR\r\n".encode("utf-16"), "UTF-16"),
])
def test_refusals_say_what_was_wrong(data, message):
    with pytest.raises(FileRejected, match=message):
        previews.read_upload(data)


def test_hostile_text_in_a_calendar_stays_text():
    parsed = ical.parse(calendar(*vevent(
        "a", "20270526T090000", "20270526T100000", "<script>alert(1)</script>Talk",
        "DESCRIPTION:<img src=x onerror=alert(2)>Text")))
    item = parsed["items"][0]
    assert "<" not in item["title"] and "<" not in item["abstract"]


@pytest.mark.parametrize("zone", ["America", "Europe", "../../../etc/passwd", "/etc/localtime",
                                  "Europe/Nowhere", "\x00"])
def test_a_zone_name_from_a_file_is_never_a_path(zone):
    parsed = ical.parse(calendar(*vevent("a", "20270526T090000", "20270526T100000", "Talk",
                                         tz=zone)))
    assert parsed["items"][0]["start"] == "09:00"
    document = _timetable()
    for entry in document["results"]["1342"]["20250512"].values():
        entry["startDate"]["tz"] = entry["endDate"]["tz"] = zone
    assert previews.read_upload(json.dumps(document).encode())["items"]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_cut_or_garbled_files_are_read_or_refused_never_crash(name):
    import random

    data = fixture(name)
    rng = random.Random(name)
    variants = [data[:cut] for cut in range(1, len(data), max(1, len(data) // 25))]
    for _ in range(25):
        garbled = bytearray(data)
        for _ in range(5):
            garbled[rng.randrange(len(garbled))] = rng.choice(b':;="\\\n\r ,TZ019{}[]')
        variants.append(bytes(garbled))
    for variant in variants:
        with contextlib.suppress(FileRejected):
            previews.read_upload(variant, zone="Europe/Paris")


def test_a_contribution_listed_in_a_slot_and_at_the_top_level_is_read_once():
    document = json.loads(fixture("indico-event-sessions-xdc2021.json"))
    event = document["results"][0]
    event["contributions"].append(copy.deepcopy(event["sessions"][0]["contributions"][0]))
    parsed = previews.read_upload(json.dumps(document).encode())
    assert len(parsed["items"]) == 37 + 6
    assert "appears twice in the export" in messages(parsed)


def test_an_indico_timetable_exported_in_utc_is_shown_in_the_events_zone():
    document = _timetable()
    for day in document["results"]["1342"].values():
        for entry in day.values():
            for child in [entry, *entry.get("entries", {}).values()]:
                for key in ("startDate", "endDate"):
                    moment = dt.datetime.fromisoformat(
                        f"{child[key]['date']}T{child[key]['time']}").replace(
                        tzinfo=zoneinfo.ZoneInfo("Europe/Zurich"))
                    utc = moment.astimezone(dt.UTC)
                    child[key] = {"date": f"{utc:%Y-%m-%d}", "time": f"{utc:%H:%M:%S}",
                                  "tz": "UTC"}
    parsed = previews.read_upload(json.dumps(document).encode(), zone="Europe/Zurich")
    assert parsed["timezone"] == "Europe/Zurich"
    talk = by_title(parsed, "Recrystallisation of ITER-grade tungsten after transient heat "
                            "loads")
    assert (talk["date"], talk["start"]) == ("2025-05-12", "09:15")
    assert "every time in UTC" in messages(parsed)


@pytest.mark.parametrize("rule", ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
                                  "FREQ=SECONDLY;COUNT=100000", "FREQ=HOURLY;BYSETPOS=3;COUNT=5",
                                  "FREQ=DAILY;UNTIL=20270601T000000;BYMONTHDAY=31"])
def test_repeat_rules_no_date_matches_cannot_stall_the_import(rule):
    import time

    started = time.perf_counter()
    parsed = ical.parse(calendar(*vevent("a", "20270526T090000", "20270526T100000", "Talk",
                                         f"RRULE:{rule}")))
    assert time.perf_counter() - started < 2
    assert len(parsed["items"]) == 1
    assert "not one a programme has" in messages(parsed)


def test_a_vtimezone_with_a_rule_no_date_matches_is_not_followed():
    import time

    data = calendar(
        "BEGIN:VTIMEZONE", "TZID:Odd Zone", "BEGIN:STANDARD", "DTSTART:19700101T000000",
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE",
        *vevent("a", "20270526T090000", "20270526T100000", "Talk", tz="Odd Zone"))
    started = time.perf_counter()
    parsed = ical.parse(data)
    assert time.perf_counter() - started < 2
    assert parsed["items"][0]["start"] == "09:00"
