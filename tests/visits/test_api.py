"""The site visits API: tours with their runs and seat counts, a person's own seats and
waiting places, taking and giving up a seat through the visits page's services; never a
site-access value."""

from __future__ import annotations

import pytest
from django.test import Client

from fusionforum.visits.models import Seat, SeatStatus
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db


def url(event, part=""):
    return f"/api/v1/events/{event.slug}/{part}"


@pytest.fixture
def ada(make_participant):
    return make_participant("Ada")


def test_tours_runs_and_counts(event, tours, ada, allocated, clearances):
    Seat.objects.create(run=tours["cryo_am"], user=ada, status=SeatStatus.HELD,
                        created_at=allocated.allocated_at, updated_at=allocated.allocated_at)
    body = token_client(ada, scope="read").get(url(event, "tours/")).json()
    assert [t["name"] for t in body["results"]] == ["Main tour", "Cryogenics plant"]
    main, cryo = body["results"]
    assert main["closed_shoes"] is True
    assert [r["meeting_point"] for r in main["runs"]] == ["Gate A", "Gate A"]
    assert (cryo["runs"][0]["capacity"], cryo["runs"][0]["held"], cryo["runs"][0]["free"],
            cryo["runs"][0]["waiting"]) == (1, 1, 0, 0)
    assert Client().get(url(event, "tours/")).status_code == 401


def test_taking_and_giving_up_seats_as_on_the_page(event, tours, make_participant, allocated,
                                                   clearances):
    ada, bo = make_participant("Ada"), make_participant("Bo")
    cryo = tours["cryo_am"]
    as_ada, as_bo = token_client(ada), token_client(bo)
    taken = as_ada.post(url(event, f"tours/runs/{cryo.pk}/take/"))
    assert taken.status_code == 201, taken.content
    assert taken.json()["status"] == "held" and taken.json()["waiting_position"] is None
    clearances[bo.pk] = "approved"
    waiting = as_bo.post(url(event, f"tours/runs/{cryo.pk}/take/"))
    assert waiting.json()["status"] == "waitlisted" and waiting.json()["waiting_position"] == 1
    mine = as_bo.get(url(event, "my-seats/")).json()["results"]
    assert [s["run"]["tour"] for s in mine] == ["Cryogenics plant"]
    # Twice: the page's refusal, 409.
    again = as_bo.post(url(event, f"tours/runs/{cryo.pk}/take/"))
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    # Bo may not give up Ada's seat; Ada may, and Bo is promoted.
    seat = Seat.objects.get(user=ada)
    assert as_bo.post(url(event, f"my-seats/{seat.pk}/free/")).status_code == 404
    freed = as_ada.post(url(event, f"my-seats/{seat.pk}/free/"))
    assert freed.status_code == 200 and freed.json()["status"] == "cancelled"
    assert Seat.objects.get(user=bo).status == SeatStatus.HELD
    read = token_client(ada, scope="read")
    assert read.post(url(event, f"tours/runs/{cryo.pk}/take/")).status_code == 403


def test_before_the_allocation_the_service_refuses(event, tours, ada, clearances):
    response = token_client(ada).post(url(event, f"tours/runs/{tours['main_am'].pk}/take/"))
    assert response.status_code == 409
    assert "allocated" in response.json()["detail"]
    assert not Seat.objects.exists()


def test_another_events_run_is_not_found(event, tours, ada, allocated, make_event):
    from fusionforum.visits.models import TourRun, TourType

    other = make_event(slug="other-2027")
    run = TourRun.objects.create(tour=TourType.objects.create(event=other, name="Other",
                                                              description="x"),
                                 start=tours["main_am"].start, meeting_point="x")
    assert token_client(ada).post(url(event, f"tours/runs/{run.pk}/take/")).status_code == 404
