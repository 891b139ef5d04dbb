"""Authorization matrix: every editor URL × every role. Only a verified organiser of the
event gets in; everyone else is sent to log in (anonymous), to the second factor (organiser
without a verified session) or gets a 404 that tells nothing, and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fusionforum.programme.models import ProgrammeSession, Release, Room, TalkSlot

from ..conftest import login_verified


@pytest.fixture
def targets(event, placed_talks, sessions, rooms, release_v1, make_submission):
    waiting = make_submission(state="accepted", title="Waiting")
    code = placed_talks["tokamak_1"].submission.code
    slug = event.slug

    def u(name, *args):
        return reverse(f"programme_manage:{name}", args=[slug, *args])

    place = {f"talk-{waiting.code}-session": sessions["tokamak"].pk,
             f"talk-{waiting.code}-start": "10:30", f"talk-{waiting.code}-duration": "20"}
    return [
        ("get", u("editor"), None),
        ("post", u("talk_place", waiting.code), place),
        ("post", u("talk_unplace", code), {}),
        ("get", u("rooms"), None),
        ("post", u("rooms"), {"name": "Intruder room"}),
        ("get", u("room", rooms["main"].pk), None),
        ("post", u("room", rooms["main"].pk), {"name": "Renamed"}),
        ("post", u("room_delete", rooms["second"].pk), {}),
        ("get", u("session_new"), None),
        ("post", u("session_new"), {"kind": "talks", "title": "Intruder", "day": "2027-05-27",
                                    "room": rooms["main"].pk, "start_time": "15:00",
                                    "end_time": "16:00"}),
        ("get", u("session", sessions["tokamak"].pk), None),
        ("post", u("session", sessions["tokamak"].pk), {"kind": "talks", "title": "Hijacked"}),
        ("post", u("session_delete", sessions["suppliers"].pk), {}),
        ("get", u("releases"), None),
        ("post", u("releases"), {"comment": "Intruder release"}),
        ("get", u("release", 1), None),
    ]


def state():
    return (sorted(TalkSlot.objects.values_list("submission_id", "session_id", "start")),
            sorted(ProgrammeSession.objects.values_list("id", "title")),
            sorted(Room.objects.values_list("id", "name")),
            Release.objects.count())


def request(client, method, address, data):
    return client.get(address) if method == "get" else client.post(address, data)


def test_anonymous_is_sent_to_log_in(client, targets):
    before = state()
    for method, address, data in targets:
        response = request(client, method, address, data)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("accounts:login")), address
    assert state() == before


@pytest.mark.parametrize("role", ["participant", "speaker", "reviewer", "other_organiser",
                                  "reviewer_unverified"])
def test_other_roles_get_404(client, targets, role, make_participant, placed_talks,
                             make_reviewer, other_event_organiser):
    person = {
        "participant": lambda: make_participant(full_name="Plain Participant"),
        "speaker": lambda: placed_talks["tokamak_1"].submission.speakers.get(),
        "reviewer": make_reviewer,
        "reviewer_unverified": make_reviewer,
        "other_organiser": lambda: other_event_organiser,
    }[role]()
    if role == "reviewer_unverified":
        client.force_login(person)
    else:
        login_verified(client, person)
    before = state()
    for method, address, data in targets:
        response = request(client, method, address, data)
        assert response.status_code == 404, (role, address)
        assert b"Tokamak panel" not in response.content
    assert state() == before


def test_organiser_without_verified_second_factor_is_sent_to_verify(client, targets,
                                                                   organiser):
    client.force_login(organiser)
    before = state()
    for method, address, data in targets:
        response = request(client, method, address, data)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("accounts:two_factor_verify")), address
    assert state() == before


def test_organiser_gets_in(organiser_client, targets):
    for method, address, data in targets:
        response = request(organiser_client, method, address, data)
        assert response.status_code in (200, 302, 400, 409), address
        if method == "get":
            assert response.status_code == 200, address
            assert response["Cache-Control"] == "private, no-store"
