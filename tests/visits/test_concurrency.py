"""Late sign-ups never oversell a run: many people take the last seats at the same moment
(threads, each with its own database connection, on PostgreSQL). The negative control
switches the run lock off and widens the gap between counting and writing: the race is then
seen, proof that the test can catch an oversell."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from fusionforum.visits import services
from fusionforum.visits.models import Seat
from fusionforum.visits.states import SeatStatus

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("sqlite" in settings.DATABASES["default"]["ENGINE"],
                       reason="threads on the in-memory SQLite test database share one "
                              "connection"),
]

PEOPLE = 12


def race(run, people):
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def sign_up(person):
        try:
            barrier.wait()
            services.take_seat(run, person, by=person)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_last_seats_are_never_oversold(event, tours, allocated, make_participant, clearances,
                                       monkeypatch):
    run = tours["main_pm"]  # two seats
    people = [make_participant() for _ in range(PEOPLE)]
    monkeypatch.setattr(services, "_pause", lambda: time.sleep(0.05))
    errors = race(run, people)
    assert errors == []
    assert Seat.objects.filter(run=run, status=SeatStatus.HELD).count() == run.capacity
    waiting = services.waiting_list(run)
    assert len(waiting) == PEOPLE - run.capacity
    assert [services.waiting_position(s) for s in waiting] == list(range(1, len(waiting) + 1))


def test_negative_control_without_the_lock_oversells(event, tours, allocated,
                                                     make_participant, clearances,
                                                     monkeypatch):
    run = tours["main_pm"]
    people = [make_participant() for _ in range(PEOPLE)]
    monkeypatch.setattr(services, "LOCKING", False)
    monkeypatch.setattr(services, "_pause", lambda: time.sleep(0.2))
    race(run, people)
    assert Seat.objects.filter(run=run, status=SeatStatus.HELD).count() > run.capacity
