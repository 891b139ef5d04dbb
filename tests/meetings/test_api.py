"""The meetings API: the experts' directory, a delegation's requests (asked for and withdrawn
through the request form's service), the published meetings day as each person's page shows
it; a confidential topic never leaves the platform, whoever asks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from fusionforum.core.models import AuditEntry
from fusionforum.meetings import publishing, services
from fusionforum.meetings.models import Expert, MeetingRequest
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db

SECRET = "CONFIDENTIAL-licensing-talk-8812"


@pytest.fixture
def back_to_english():
    """A French request leaves French active in this thread (LocaleMiddleware never resets it):
    the tests after it expect the default language."""
    yield
    translation.activate("en")


def url(event, part=""):
    return f"/api/v1/events/{event.slug}/{part}"


def test_the_experts_directory(event, people, experts, client):
    alice = token_client(people["alice"], scope="read")
    body = alice.get(url(event, "experts/")).json()
    assert [e["name"] for e in body["results"]] == ["Mara Magnet", "Cyril Cold", "Vera Vacuum"]
    assert body["results"][0]["location"] == "Table 1" and "email" not in body["results"][0]
    cryo = alice.get(url(event, "experts/?discipline=cryogenics")).json()["results"]
    assert [e["name"] for e in cryo] == ["Cyril Cold", "Vera Vacuum"]
    assert alice.get(url(event, "experts/?discipline=astrology")).status_code == 400
    assert client.get(url(event, "experts/")).status_code == 401


def test_only_those_who_take_part(event, people, experts, make_user, orgs):
    stranger = token_client(make_user("stranger@test.invalid"), scope="read")
    assert stranger.get(url(event, "experts/")).status_code == 404
    assert stranger.get(url(event, "meetings/")).status_code == 404


def test_asking_for_a_meeting_through_the_form_and_its_service(event, people, experts):
    alice = token_client(people["alice"])
    asked = alice.post(url(event, "meeting-requests/"), {
        "expert": experts["mara"].pk, "topic": f"Quench detection. {SECRET}",
        "attendees": [people["alice"].pk, people["arno"].pk], "confidential": True},
        content_type="application/json")
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert body["expert"] == experts["mara"].pk and body["confidential"] is True
    assert body["topic"] is None and SECRET not in asked.content.decode()
    assert sorted(body["attendees"]) == ["Alice Alpha", "Arno Alpha"]
    saved = MeetingRequest.objects.get()
    assert SECRET in saved.topic and saved.created_by == people["alice"]
    # The same expert twice: the service's refusal, nothing written.
    again = alice.post(url(event, "meeting-requests/"), {
        "expert": experts["mara"].pk, "topic": "Again"}, content_type="application/json")
    assert again.status_code in (400, 409) and MeetingRequest.objects.count() == 1
    by_discipline = alice.post(url(event, "meeting-requests/"), {
        "discipline": "cryogenics", "topic": "Cold box sizing", "priority": 2},
        content_type="application/json")
    assert by_discipline.status_code == 201, by_discipline.content
    # The delegation's colleague sees both; the other organisation none.
    listed = token_client(people["arno"], scope="read").get(url(event, "meeting-requests/"))
    assert len(listed.json()["results"]) == 2 and SECRET not in listed.content.decode()
    bea = token_client(people["bea"], scope="read").get(url(event, "meeting-requests/"))
    assert bea.json()["results"] == []


@pytest.mark.parametrize("body,field", [
    ({"topic": "No target"}, "expert"),
    ({"expert": 999999, "topic": "Unknown expert"}, "expert"),
    ({"discipline": "cryogenics", "topic": "x" * 1501}, "topic"),
    ({"discipline": "cryogenics", "topic": "Outsider", "attendees": [999999]}, "attendees"),
    ({"discipline": "cryogenics", "topic": "Too low", "priority": 0}, "priority"),
])
def test_bad_requests_answer_400_and_write_nothing(event, people, experts, body, field):
    response = token_client(people["alice"]).post(url(event, "meeting-requests/"), body,
                                                  content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not MeetingRequest.objects.exists()


def test_organisers_and_experts_do_not_ask(event, people, experts, organiser):
    response = token_client(organiser).post(url(event, "meeting-requests/"), {
        "discipline": "cryogenics", "topic": "Hm"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "no_delegation")
    assert not MeetingRequest.objects.exists()


def test_withdrawing_a_request(event, people, experts):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      topic="Quench", attendees=[people["alice"]])
    bea = token_client(people["bea"])
    assert bea.post(url(event, f"meeting-requests/{request.pk}/withdraw/")).status_code == 404
    arno = token_client(people["arno"])
    response = arno.post(url(event, f"meeting-requests/{request.pk}/withdraw/"))
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    # Twice is harmless, as on the page.
    assert arno.post(url(event, f"meeting-requests/{request.pk}/withdraw/")).status_code == 200


def test_the_published_day_as_each_page_shows_it(event, people, experts, organiser,
                                                 fake_solver,
                                                 django_capture_on_commit_callbacks):
    services.submit_request(event, people["alice"], expert=experts["mara"],
                            topic=f"Licences. {SECRET}", attendees=[people["alice"]],
                            confidential=True)
    services.submit_request(event, people["bea"], discipline="cryogenics",
                            topic="Cold box", attendees=[people["bea"]])
    alice = token_client(people["alice"], scope="read")
    before = alice.get(url(event, "meetings/")).json()
    assert before == {"release": None, "meetings": []}
    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(event, by=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(event, by=organiser, close_requests=True)
    answer = alice.get(url(event, "meetings/"))
    day = answer.json()
    assert day["release"]["version"] == 1 and day["release"]["meetings"] == 2
    assert [m["expert_name"] for m in day["meetings"]] == ["Mara Magnet"]
    assert day["meetings"][0]["mine"] is True and day["meetings"][0]["topic"] is None
    assert day["meetings"][0]["confidential"] is True
    bea = token_client(people["bea"], scope="read").get(url(event, "meetings/")).json()
    assert [m["topic"] for m in bea["meetings"]] == ["Cold box"]
    desk = token_client(organiser, scope="read").get(url(event, "meetings/"))
    assert len(desk.json()["meetings"]) == 2
    expert = token_client(experts["mara"].user, scope="read").get(url(event, "meetings/"))
    assert [m["organisation_name"] for m in expert.json()["meetings"]] == ["Alpha Fusion (test)"]
    for response in (answer, desk, expert):
        assert SECRET not in response.content.decode()
    assert Client().get(url(event, "meetings/")).status_code == 401


def test_changing_a_request_through_the_form_and_its_service(event, people, experts):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      topic="Quench", attendees=[people["alice"]])
    arno = token_client(people["arno"])
    changed = arno.put(url(event, f"meeting-requests/{request.pk}/"), {
        "discipline": "cryogenics", "topic": f"Cold box sizing. {SECRET}", "priority": 2,
        "attendees": [people["arno"].pk], "confidential": True},
        content_type="application/json")
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["id"] == request.pk and body["expert"] is None
    assert body["discipline"] == "cryogenics" and body["priority"] == 2
    assert body["topic"] is None and SECRET not in changed.content.decode()
    assert body["attendees"] == ["Arno Alpha"]
    request.refresh_from_db()
    assert SECRET in request.topic and request.expert is None and request.confidential
    assert AuditEntry.objects.filter(action="meetings.request_changed",
                                     actor=people["arno"]).exists()
    # A field the form refuses: 400 with its field, nothing changed.
    bad = arno.put(url(event, f"meeting-requests/{request.pk}/"), {
        "discipline": "cryogenics", "topic": "Outsider", "attendees": [people["bea"].pk]},
        content_type="application/json")
    assert bad.status_code == 400 and "attendees" in {e["field"] for e in bad.json()["errors"]}
    request.refresh_from_db()
    assert request.priority == 2


def test_another_organisations_request_is_not_found(event, people, experts):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      topic="Quench", attendees=[people["alice"]])
    bea = token_client(people["bea"])
    answer = bea.put(url(event, f"meeting-requests/{request.pk}/"), {
        "expert": experts["mara"].pk, "topic": "Mine now"}, content_type="application/json")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/problem+json"
    assert Client().put(url(event, f"meeting-requests/{request.pk}/"), {},
                        content_type="application/json").status_code == 401
    request.refresh_from_db()
    assert request.topic == "Quench"


def test_a_withdrawn_request_or_a_closed_window_is_a_conflict(event, people, experts, clock):
    import datetime as dt

    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      topic="Quench", attendees=[people["alice"]])
    alice = token_client(people["alice"])
    body = {"expert": experts["mara"].pk, "topic": "Changed"}
    clock.set(event.meeting_settings.requests_close_at + dt.timedelta(minutes=1))
    closed = alice.put(url(event, f"meeting-requests/{request.pk}/"), body,
                       content_type="application/json")
    assert closed.status_code == 409 and closed.json()["code"] == "conflict"
    assert closed.json()["detail"]
    clock.set(event.meeting_settings.requests_close_at - dt.timedelta(days=1))
    services.withdraw_request(request, people["alice"])
    withdrawn = alice.put(url(event, f"meeting-requests/{request.pk}/"), body,
                          content_type="application/json")
    assert withdrawn.status_code == 409
    assert withdrawn.json()["detail"] == "This request was withdrawn."
    request.refresh_from_db()
    assert request.topic == "Quench"


# The second seat of a request for two experts together ----------------------------------------


def requests_url(event, request=None):
    return url(event, f"meeting-requests/{request.pk}/" if request else "meeting-requests/")


def test_asking_for_two_experts_together(event, people, experts):
    alice = token_client(people["alice"])
    named = alice.post(requests_url(event), {
        "expert": experts["mara"].pk, "expert2": experts["cyril"].pk, "topic": "Cooling"},
        content_type="application/json")
    assert named.status_code == 201, named.content
    assert (named.json()["expert"], named.json()["expert2"]) == (experts["mara"].pk,
                                                                 experts["cyril"].pk)
    by_discipline = alice.post(requests_url(event), {
        "discipline": "magnets", "discipline2": "vacuum", "expert2": None, "topic": "Pumps",
        "priority": 2}, content_type="application/json")
    assert by_discipline.status_code == 201, by_discipline.content
    assert by_discipline.json()["discipline2"] == "vacuum"
    saved = MeetingRequest.objects.get(pk=by_discipline.json()["id"])
    assert saved.is_group and saved.seats == [(None, "magnets"), (None, "vacuum")]
    assert AuditEntry.objects.filter(action="meetings.request_submitted").count() == 2


@pytest.mark.parametrize("seats,field,message", [
    ({"expert": "mara", "expert2": "mara"}, "expert2", "Choose two different experts."),
    ({"expert": "mara", "expert2": 999999}, "expert2", "Select a valid choice."),
    ({"expert": "mara", "discipline2": "astrology"}, "discipline2", "Select a valid choice."),
    ({"expert": "mara", "expert2": "cyril", "discipline2": "vacuum"}, "discipline2",
     "Choose either an expert or a discipline."),
    ({"expert": "mara", "expert2": "gone"}, "expert2", "Select a valid choice."),
    ({"expert": "mara", "expert2": "refuses"}, "expert2", "cannot meet your organisation"),
    ({"expert": "mara", "discipline": "vacuum", "expert2": "cyril"}, "discipline",
     "Choose either an expert or a discipline."),
])
def test_a_bad_second_seat_answers_400_and_writes_nothing(event, people, experts, orgs,
                                                          organiser, seats, field, message):
    services.save_refusal(experts["vera"], orgs[0], by=organiser)
    experts["gone"] = Expert.objects.create(event=event, name="Gone Away",
                                            disciplines=["magnets"], is_active=False)
    experts["refuses"] = experts["vera"]
    body = {key: (experts[value].pk if isinstance(value, str) and value in experts else value)
            for key, value in seats.items()}
    response = token_client(people["alice"]).post(requests_url(event),
                                                  {**body, "topic": "Two of them"},
                                                  content_type="application/json")
    assert response.status_code == 400, response.content
    errors = {e["field"]: e["detail"] for e in response.json()["errors"]}
    assert field in errors and message in errors[field], errors
    assert not MeetingRequest.objects.exists()


def test_an_expert_asked_for_elsewhere_in_the_second_seat(event, people, experts):
    services.submit_request(event, people["alice"], expert=experts["cyril"], topic="Cold box",
                            attendees=[people["alice"]])
    response = token_client(people["arno"]).post(requests_url(event), {
        "discipline": "magnets", "expert2": experts["cyril"].pk, "topic": "Again"},
        content_type="application/json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"expert2"}
    assert MeetingRequest.objects.count() == 1


def test_changing_adding_keeping_and_clearing_the_second_seat(event, people, experts):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      topic="Quench", attendees=[people["alice"]])
    arno = token_client(people["arno"])
    base = {"expert": experts["mara"].pk, "topic": "Quench and cooling"}

    def put(**seats):
        response = arno.put(requests_url(event, request), {**base, **seats},
                            content_type="application/json")
        request.refresh_from_db()
        return response

    added = put(expert2=experts["cyril"].pk)
    assert added.status_code == 200, added.content
    assert added.json()["expert2"] == experts["cyril"].pk
    assert (request.expert2, request.discipline2) == (experts["cyril"], "")
    # Left out: the second seat stays (a client that knows only the first seat drops nothing).
    kept = put()
    assert kept.status_code == 200 and request.expert2 == experts["cyril"]
    assert request.topic == "Quench and cooling"
    changed = put(discipline2="vacuum")
    assert changed.status_code == 200, changed.content
    assert (request.expert2, request.discipline2) == (None, "vacuum")
    assert put().status_code == 200 and request.discipline2 == "vacuum"
    cleared = put(expert2=None)
    assert cleared.status_code == 200, cleared.content
    assert (request.expert2, request.discipline2) == (None, "")
    assert cleared.json()["discipline2"] == "" and not request.is_group
    put(discipline2="vacuum")
    assert put(discipline2=None).status_code == 200 and not request.is_group
    put(discipline2="vacuum")
    assert put(discipline2="", expert2=None).status_code == 200 and not request.is_group
    # A refused change: 400 on the seat's field, the request as it was.
    put(expert2=experts["cyril"].pk)
    bad = put(expert2=experts["mara"].pk)
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"expert2"}
    assert request.expert2 == experts["cyril"]
    assert AuditEntry.objects.filter(action="meetings.request_changed").count() == 10


def test_a_kept_second_seat_whose_expert_left_is_named_not_dropped(event, people, experts,
                                                                   organiser):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      expert2=experts["cyril"], topic="Quench",
                                      attendees=[people["alice"]])
    services.cancel_expert(experts["cyril"], by=organiser)
    alice = token_client(people["alice"])
    body = {"expert": experts["mara"].pk, "topic": "Quench, later"}
    kept = alice.put(requests_url(event, request), body, content_type="application/json")
    assert kept.status_code == 400
    assert {e["field"] for e in kept.json()["errors"]} == {"expert2"}
    request.refresh_from_db()
    assert request.topic == "Quench" and request.expert2 == experts["cyril"]
    cleared = alice.put(requests_url(event, request), {**body, "expert2": None},
                        content_type="application/json")
    assert cleared.status_code == 200
    request.refresh_from_db()
    assert request.topic == "Quench, later" and request.expert2 is None


def test_only_the_organisations_delegates_change_the_second_seat(event, people, experts):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      expert2=experts["cyril"], topic="Quench",
                                      attendees=[people["alice"]])
    body = {"expert": experts["mara"].pk, "expert2": None, "topic": "Quench"}
    bea = token_client(people["bea"]).put(requests_url(event, request), body,
                                          content_type="application/json")
    assert bea.status_code == 404
    reader = token_client(people["arno"], scope="read").put(requests_url(event, request), body,
                                                             content_type="application/json")
    assert reader.status_code == 403
    expert = token_client(experts["mara"].user).put(requests_url(event, request), body,
                                                     content_type="application/json")
    assert expert.status_code == 404
    assert Client().put(requests_url(event, request), body,
                        content_type="application/json").status_code == 401
    request.refresh_from_db()
    assert request.expert2 == experts["cyril"]


def test_the_published_day_shows_both_experts_in_the_readers_language(event, people, experts,
                                                                      organiser,
                                                                      back_to_english):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      expert2=experts["cyril"], topic="Cooling",
                                      attendees=[people["alice"]])
    services.place_meeting(event, request, experts["mara"], 0, by=organiser,
                           expert2=experts["cyril"])
    event.default_language = "en"
    event.save(update_fields=["default_language"])
    release = publishing.publish(event, by=organiser, close_requests=True)
    assert release.snapshot["meetings"][0]["expert_names"] == ["Mara Magnet", "Cyril Cold"]
    alice = token_client(people["alice"], scope="read")
    meeting = alice.get(url(event, "meetings/")).json()["meetings"][0]
    assert meeting["experts"] == [experts["mara"].pk, experts["cyril"].pk]
    assert meeting["expert_names"] == ["Mara Magnet", "Cyril Cold"]
    assert meeting["expert_name"] == "Mara Magnet and Cyril Cold"
    french = alice.get(url(event, "meetings/"), HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["meetings"][0]["expert_name"] == "Mara Magnet et Cyril Cold"
    desk = token_client(organiser, scope="read").get(url(event, "meetings/")).json()
    assert desk["meetings"][0]["experts"] == [experts["mara"].pk, experts["cyril"].pk]


def test_a_version_published_before_group_meetings_still_reads(event, people, experts,
                                                                organiser, back_to_english):
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      topic="Quench", attendees=[people["alice"]])
    services.place_meeting(event, request, experts["mara"], 0, by=organiser)
    release = publishing.publish(event, by=organiser, close_requests=True)
    for meeting in release.snapshot["meetings"]:
        del meeting["experts"], meeting["expert_names"]
    release.save(update_fields=["snapshot"])
    meeting = token_client(people["alice"], scope="read").get(
        url(event, "meetings/"), HTTP_ACCEPT_LANGUAGE="fr").json()["meetings"][0]
    assert (meeting["experts"], meeting["expert_names"], meeting["expert_name"]) == (
        [experts["mara"].pk], ["Mara Magnet"], "Mara Magnet")
