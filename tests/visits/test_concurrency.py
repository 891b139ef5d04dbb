"""Late sign-ups never oversell a run: many people take the last seats at the same moment
(threads, each with its own database connection, on PostgreSQL). The negative control
switches the run lock off and holds every thread between counting and writing until all have
counted (a barrier, not a sleep, so a slow machine cannot close the gap): the race is then seen,
every time, proof that the test can catch an oversell."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from fusionforum.visits import services
from fusionforum.visits.models import Seat, TourRun
from fusionforum.visits.states import SeatStatus

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("sqlite" in settings.DATABASES["default"]["ENGINE"],
                       reason="threads on the in-memory SQLite test database share one "
                              "connection"),
]

PEOPLE = 12


def all_count_before_anyone_writes(parties):
    """The negative controls' pause between counting and writing: nobody writes until all
    ``parties`` have counted. Without the lock nothing else holds a thread there."""
    return threading.Barrier(parties, timeout=60).wait


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
    monkeypatch.setattr(services, "_pause", all_count_before_anyone_writes(PEOPLE))
    race(run, people)
    assert Seat.objects.filter(run=run, status=SeatStatus.HELD).count() > run.capacity


def capacity_race(run, organiser, people, new_capacity):
    """An organiser lowers the run's capacity while ``people`` take seats on it, all at once.
    Each thread loads the run itself, as each request would. Returns (errors, saved): saved
    is False when the organiser's change was refused."""
    barrier = threading.Barrier(len(people) + 1)
    errors: list[BaseException] = []
    saved: list[bool] = []

    def lower():
        try:
            edited = TourRun.objects.select_related("tour__event").get(pk=run.pk)
            edited.capacity = new_capacity
            barrier.wait()
            services.save_run(edited, by=organiser)
            saved.append(True)
        except services.CapacityBelowHeld:
            saved.append(False)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def sign_up(person):
        try:
            own = TourRun.objects.select_related("tour__event").get(pk=run.pk)
            barrier.wait()
            services.take_seat(own, person, by=person)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=lower)]
    threads += [threading.Thread(target=sign_up, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors, saved[0] if saved else None


def _capacity_race_setup(run, make_participant):
    """Four seats, two held: lowering to two is allowed only while nobody else sits down."""
    TourRun.objects.filter(pk=run.pk).update(capacity=4)
    run.refresh_from_db()
    for _ in range(2):
        services.take_seat(run, make_participant())
    return make_participant(), [make_participant() for _ in range(6)]


def test_lowering_capacity_while_seats_are_taken_never_oversells(
        event, tours, allocated, make_participant, clearances, monkeypatch):
    run = tours["main_pm"]
    organiser, people = _capacity_race_setup(run, make_participant)
    monkeypatch.setattr(services, "_pause", lambda: time.sleep(0.05))
    errors, saved = capacity_race(run, organiser, people, new_capacity=2)
    assert errors == []
    run.refresh_from_db()
    held = Seat.objects.filter(run=run, status=SeatStatus.HELD).count()
    assert held <= run.capacity
    # Either the organiser came first (the newcomers wait) or was refused (they sat down).
    assert run.capacity == (2 if saved else 4)
    assert held == (2 if saved else 4)
    assert len(services.waiting_list(run)) == 2 + len(people) - held


def test_negative_control_lowering_capacity_without_the_lock_oversells(
        event, tours, allocated, make_participant, clearances, monkeypatch):
    run = tours["main_pm"]
    organiser, people = _capacity_race_setup(run, make_participant)
    monkeypatch.setattr(services, "LOCKING", False)
    monkeypatch.setattr(services, "_pause", all_count_before_anyone_writes(len(people) + 1))
    errors, saved = capacity_race(run, organiser, people, new_capacity=2)
    assert errors == [] and saved is True
    run.refresh_from_db()
    assert Seat.objects.filter(run=run, status=SeatStatus.HELD).count() > run.capacity == 2
