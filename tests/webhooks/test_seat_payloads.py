# ruff: noqa: F811  (fixtures imported from tests/visits are used as arguments)
"""A tour seat held and freed reach the receiver, with no site-access value."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from fusionforum.visits import services as visits
from tests.visits.conftest import (  # noqa: F401 (fixtures)
    allocated,
    clearances,
    make_participant,
    tours,
    window,
)

pytestmark = pytest.mark.django_db


def test_a_seat_held_then_freed(endpoint, receiver, tours, allocated, clearances,
                                make_participant, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    person = make_participant("Vera Visitor")
    with django_capture_on_commit_callbacks(execute=True):
        seat = visits.take_seat(tours["main_am"], person, by=person)
    with django_capture_on_commit_callbacks(execute=True):
        visits.cancel(seat, by=person)
    payloads = [Webhook(secret).verify(r["body"], r["headers"]) for r in receiver.requests]
    assert [p["type"] for p in payloads] == ["visits.seat_held", "visits.seat_freed"]
    data = payloads[0]["data"]
    assert data["run"]["tour"] == "Main tour" and data["person"]["name"] == "Vera Visitor"
    assert data["status"] == "held" and payloads[1]["data"]["status"] == "cancelled"
    assert set(data) == {"id", "run", "person", "status", "source", "created_at", "updated_at"}
