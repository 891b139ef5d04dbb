"""The programme API reads the latest release, as the public pages do, and releases through
the releases page's service."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fusionforum.programme.models import Release

from .conftest import CONFIDENTIAL_PHRASE

pytestmark = pytest.mark.django_db


def api(event, part):
    return f"/api/v1/events/{event.slug}/programme/{part}"


def test_before_the_first_release_the_lists_are_empty(client, event, placed_talks):
    assert client.get(api(event, "talks/")).json()["results"] == []
    assert client.get(api(event, "releases/")).json()["results"] == []
    assert client.get(api(event, "talks/ANY/")).status_code == 404


def test_the_released_programme(client, event, release_v1, placed_talks):
    talks = client.get(api(event, "talks/")).json()["results"]
    assert {t["title"] for t in talks} == {"Compact torus results", "HTS magnet campaign",
                                           "Stellarator coil winding"}
    talk = next(t for t in talks if t["title"] == "Compact torus results")
    assert talk["start"] == "2027-05-26T09:30:00+02:00" and talk["duration_minutes"] == 20
    assert talk["url"] == f"http://testserver/{event.slug}/talks/{talk['code']}/"
    # The confidential answer never entered the release, so the API has none of it.
    assert all(answer["key"] != "challenges" for answer in talk["answers"])
    detail = client.get(api(event, f"talks/{talk['code']}/")).json()
    assert detail == talk
    session = client.get(api(event, f"sessions/{talk['session']}/")).json()
    assert talk["code"] in session["talks"] and session["kind"] == "panel"
    speaker = client.get(api(event, f"speakers/{talk['speakers'][0]}/")).json()
    assert speaker["name"] == "Tess Torus" and speaker["talks"] == [talk["code"]]
    rooms = client.get(api(event, "rooms/")).json()["results"]
    assert [room["name"] for room in rooms] == ["Main auditorium", "Room B"]


def test_no_answer_the_public_may_not_read_in_any_programme_answer(client, event, release_v1):
    for part in ("talks/", "sessions/", "speakers/", "rooms/", "releases/", "releases/1/"):
        assert CONFIDENTIAL_PHRASE not in client.get(api(event, part)).content.decode()


def test_filters_as_the_programme_page(client, event, release_v1, rooms, sessions):
    day_1 = client.get(api(event, "sessions/?date=2027-05-26")).json()["results"]
    assert {s["title"] for s in day_1} >= {"Opening", "Tokamak panel"}
    assert all(s["date"] == "2027-05-26" for s in day_1)
    in_room_b = client.get(api(event, f"sessions/?room={rooms['second'].pk}")).json()["results"]
    assert all(s["room"] in (rooms["second"].pk, None) for s in in_room_b)
    talks = client.get(api(event, f"talks/?session={sessions['tokamak'].pk}")).json()["results"]
    assert len(talks) == 2
    bad = client.get(api(event, "talks/?date=tomorrow"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "date"


def test_the_reader_language(client, event, release_v1):
    from fusionforum.programme.models import ProgrammeSession

    ProgrammeSession.objects.filter(title="Opening").update(title_fr="Ouverture")
    from fusionforum.programme import releases

    releases.release(event, by=None, comment="French titles", notify=False)
    french = client.get(api(event, "sessions/?date=2027-05-26"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Ouverture" in {s["title"] for s in french.json()["results"]}
    english = client.get(api(event, "sessions/?date=2027-05-26"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Opening" in {s["title"] for s in english.json()["results"]}


def test_releases_and_their_changes(client, event, release_v1):
    listed = client.get(api(event, "releases/")).json()["results"]
    assert [r["version"] for r in listed] == [1]
    assert listed[0]["counts"]["added"] == 3
    detail = client.get(api(event, "releases/1/")).json()
    assert len(detail["changes"]["added"]) == 3 and detail["comment"] == "First programme."


def test_an_organiser_releases_with_a_write_token_through_the_service(
        event, organiser, release_v1, placed_talks):
    from fusionforum.api import services
    from fusionforum.programme import services as programme_services
    from tests.conftest import login_verified

    login_verified(Client(), organiser)
    _token, raw = services.create_token(organiser, name="CI", scope="write",
                                        expires_in_days=7, all_events=True, verified=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    programme_services.set_duration(placed_talks["stellarator_1"], 25, by=organiser)
    response = client.post(api(event, "releases/"), json.dumps({"comment": "Shorter talk."}),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2 and body["changes"]["moved"][0]["code"]
    assert "from" in body["changes"]["moved"][0]
    release = Release.objects.get(event=event, version=2)
    assert release.released_by == organiser and release.comment == "Shorter talk."
    from fusionforum.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="programme.released", actor=organiser).exists()
    again = client.post(api(event, "releases/"), "{}", content_type="application/json")
    assert again.status_code == 409 and "Nothing changed" in again.json()["detail"]
