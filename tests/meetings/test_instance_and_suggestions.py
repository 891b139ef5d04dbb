"""The optimiser's input built from the database (busy providers, the site-visit hook,
weights), suggestions ranking, and the calendar feed parsed back."""

import datetime as dt

import pytest
from icalendar import Calendar

from fusionforum.meetings import agenda, busy, publishing, services, suggest
from fusionforum.meetings import instance as instance_module
from fusionforum.meetings.models import Expert

from .conftest import paris

pytestmark = pytest.mark.django_db


def ask(event, user, **kw):
    values = {"topic": "Topic", "priority": 1, "attendees": [user]}
    values.update(kw)
    return services.submit_request(event, user, **values)


def test_instance_shape_and_weights(event, people, experts):
    r1 = ask(event, people["alice"], expert=experts["mara"], priority=2)
    r2 = ask(event, people["arno"], discipline="cryogenics", priority=1,
             attendees=[people["alice"], people["arno"]])
    ask(event, people["bea"], discipline="vacuum")
    data = instance_module.build(event)
    assert data["format"] == "fusion-matchmaking/2"
    assert [s["start"] for s in data["slots"]] == ["09:00", "09:30", "10:00", "10:30", "11:00",
                                                   "11:30"]
    assert data["rooms"] is None
    by_id = {r["id"]: r for r in data["requests"]}
    assert by_id[f"R{r2.pk}"]["weight"] == 10  # ranked first
    assert by_id[f"R{r1.pk}"]["weight"] == 8
    assert by_id[f"R{r1.pk}"]["target"] == {"expert": f"E{experts['mara'].pk}"}
    assert sorted(s["submitted"] for s in data["requests"]) == [0, 1, 2]
    vera = next(e for e in data["experts"] if e["id"] == f"E{experts['vera'].pk}")
    assert vera["available"] == [3, 4, 5] and vera["max_meetings"] == 2
    orgs = {o["name"]: o for o in data["organisations"]}
    assert {p["id"] for p in orgs["Alpha Fusion (test)"]["participants"]} == {
        f"P{people['alice'].pk}", f"P{people['arno'].pk}"}
    assert list(data["disciplines"])[:2] == ["magnets", "cryogenics"]


def test_weight_mapping():
    assert [instance_module.weight_for_rank(k) for k in range(1, 8)] == [10, 8, 6, 4, 2, 1, 1]


def test_lost_slot_tables_and_cancelled_expert(event, people, experts, organiser,
                                               meeting_settings):
    meeting_settings.tables = 4
    meeting_settings.save()
    ask(event, people["alice"], expert=experts["mara"])
    services.lose_slot(event, 1, by=organiser)
    services.cancel_expert(experts["cyril"], by=organiser)
    data = instance_module.build(event)
    assert data["rooms"] == [4, 0, 4, 4, 4, 4]
    experts_by_id = {e["id"]: e for e in data["experts"]}
    assert 1 not in experts_by_id[f"E{experts['mara'].pk}"]["available"]
    assert experts_by_id[f"E{experts['cyril'].pk}"]["available"] == []


def test_departed_attendee_and_request_without_attendees(event, people, experts):
    from fusionforum.registration.models import Registration

    ask(event, people["bea"], expert=experts["mara"])
    Registration.objects.filter(user=people["bea"]).update(status="cancelled")
    data = instance_module.build(event)
    assert data["requests"] == []
    assert data["organisations"] == []


def test_programme_talks_make_speakers_and_chairs_busy(event, people, experts, organiser):
    from fusionforum.cfp.models import SpeakerProfile
    from fusionforum.programme.models import Release

    alice, bea = people["alice"], people["bea"]
    alice_code = SpeakerProfile.objects.create(event=event, user=alice).code
    bea_code = SpeakerProfile.objects.create(event=event, user=bea).code
    snapshot = {
        "talks": [{"code": "TALK1", "title": "Our tokamak", "speakers": [alice_code],
                   "start": paris(2027, 5, 28, 9, 40).isoformat(),
                   "end": paris(2027, 5, 28, 10, 10).isoformat()}],
        "sessions": [{"id": 7, "title": "Suppliers", "chairs": [bea_code],
                      "start": paris(2027, 5, 28, 11, 0).isoformat(),
                      "end": paris(2027, 5, 28, 12, 0).isoformat()},
                     {"id": 8, "title": "Day 1", "chairs": [bea_code],
                      "start": paris(2027, 5, 26, 11, 0).isoformat(),
                      "end": paris(2027, 5, 26, 12, 0).isoformat()}],
    }
    Release.objects.create(event=event, version=1, released_at=paris(2027, 5, 10),
                           snapshot=snapshot)
    ask(event, alice, expert=experts["mara"])
    ask(event, bea, expert=experts["mara"])
    data = instance_module.build(event)
    unavailable = {p["id"]: p["unavailable"] for o in data["organisations"]
                   for p in o["participants"]}
    assert unavailable[f"P{alice.pk}"] == [1, 2]
    assert unavailable[f"P{bea.pk}"] == [4, 5]
    request = alice.meeting_requests.get()
    assert ("H4", f"{alice} is busy at 09:30–10:00 (Talk: Our tokamak).") in \
        services.check_placement(event, request, experts["mara"], 1)


def test_site_visit_hook_becomes_site_visits(event, people, experts):
    alice = people["alice"]

    def tours(event_, day):
        start = day.slots[2].start
        return [busy.Busy(key="visit-3", label="Magnet hall (run 1)",
                          user_ids=[alice.pk, 999999], site_visit=True, capacity=12,
                          slots=day.overlapping(start, start + dt.timedelta(minutes=50)))]

    busy.register(tours)
    try:
        ask(event, alice, expert=experts["mara"])
        data = instance_module.build(event)
    finally:
        busy.unregister(tours)
    assert data["site_visits"] == [{"id": "visit-3", "name": "Magnet hall (run 1)",
                                    "slots": [2, 3], "capacity": 12,
                                    "participants": [f"P{alice.pk}"]}]
    participant = data["organisations"][0]["participants"]
    assert all(p["unavailable"] == [] for p in participant)


def test_instance_accepted_by_the_core_checker(event, people, experts, organiser, fake_solver):
    from fusionforum.scheduling.checker import check

    ask(event, people["alice"], expert=experts["mara"])
    ask(event, people["bea"], discipline="cryogenics")
    data = instance_module.build(event)
    assert check(data, {"format": "fusion-matchmaking-solution/1", "meetings": []}) == []


# Suggestions ----------------------------------------------------------------------------------


def test_magnets_topic_ranks_magnet_expert_first(event, experts):
    found = suggest.rank(event, "We need advice on HTS cable testing for our magnet coils")
    assert found[0].expert == experts["mara"]
    assert "HTS cable testing" in found[0].reason
    found = suggest.rank(event, "helium refrigeration and cold boxes for the cryoplant")
    assert found[0].expert == experts["cyril"]
    assert suggest.rank(event, "") == []


def test_suggestions_use_own_call_answers_only(event, people, experts, orgs):
    from fusionforum.cfp.models import Submission

    a, b = orgs
    Submission.objects.create(event=event, organisation=a, title="T", abstract="A",
                              breakthroughs="B", challenges="C",
                              iter_help="Leak detection and cryopumps on our vessel",
                              iter_help_visibility="confidential", created_at=paris(2027, 5, 1))
    found = suggest.rank(event, "", organisation=a)
    assert found and found[0].expert == experts["vera"]
    assert suggest.rank(event, "", organisation=b) == []
    assert "Leak detection" not in suggest.organisation_context(event, b)


# Calendar -------------------------------------------------------------------------------------


def test_ics_parses_back_without_confidential_topic(event, people, experts, organiser,
                                                     fake_solver,
                                                     django_capture_on_commit_callbacks):
    ask(event, people["alice"], expert=experts["mara"], topic="Secret <b>quench</b>",
        confidential=True)
    ask(event, people["alice"], discipline="vacuum", priority=2, topic="Open leak topic")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(event, by=organiser)
    publishing.publish(event, by=organiser, close_requests=True)
    body = agenda.calendar(event, agenda.feed_meetings(event, people["alice"]),
                           site_url="https://ff.example", name="Mine")
    cal = Calendar.from_ical(body)
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    entries = cal.walk("VEVENT")
    assert len(entries) == 2
    for entry in entries:
        assert str(entry["UID"]).startswith("meeting-") and entry.get("DTSTAMP")
        assert entry.decoded("DTSTART").tzinfo is not None
    text = body.decode()
    assert "Secret" not in text and "Open leak topic" in text
    expert_feed = agenda.feed_meetings(event, experts["mara"].user)
    assert len(expert_feed) == 1


def test_expert_without_disciplines_profiles(event, meeting_settings):
    Expert.objects.create(event=event, name="Empty", disciplines=[], max_meetings=1)
    assert suggest.rank(event, "magnets") == []


def test_feed_sequence_grows_with_each_version_that_changes_a_meeting(event):
    """SEQUENCE (RFC 5545): a calendar replaces its copy of a meeting only when the number
    grows. Versions written directly: 1 has two meetings, 2 moves one, 3 changes nothing."""
    from fusionforum.core import clock
    from fusionforum.meetings.models import MeetingRelease

    def meeting(request, start):
        return {"request": request, "start": f"2027-05-28T{start}:00+02:00",
                "end": f"2027-05-28T{start[:2]}:30:00+02:00", "organisation": 1,
                "organisation_name": "Fictional Fusion", "expert": 1,
                "expert_name": "Mara Magnet", "attendees": [], "attendee_names": [],
                "location": "Table 1", "topic": "Open topic", "confidential": False}

    def publish(version, *meetings):
        MeetingRelease.objects.create(event=event, version=version, published_at=clock.now(),
                                      snapshot={"meetings": list(meetings)})
        return Calendar.from_ical(agenda.calendar(event, list(meetings),
                                                  site_url="https://ff.example", name="Mine"))

    def sequences(cal):
        return {str(e["UID"]).split("-")[1]: e["SEQUENCE"] for e in cal.walk("VEVENT")}

    assert sequences(publish(1, meeting(11, "09:00"), meeting(12, "10:00"))) == {
        "11": 0, "12": 0}
    assert sequences(publish(2, meeting(11, "09:00"), meeting(12, "11:00"))) == {
        "11": 0, "12": 1}
    assert sequences(publish(3, meeting(11, "09:00"), meeting(12, "11:00"))) == {
        "11": 0, "12": 1}
