"""The site visits' part of the event's dashboard: tour seats, waiting lists, seats per run;
the allocation to run once sign-up has closed."""

import pytest

from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard
from fusionforum.events.models import TeamMembership
from fusionforum.visits.models import Seat
from fusionforum.visits.states import SeatStatus

from ..conftest import paris

pytestmark = pytest.mark.django_db


def _board(event, user):
    return dashboard.build(event, user, business_clock.now())


def _seat(run, user, status):
    moment = paris(2027, 5, 20)
    return Seat.objects.create(run=run, user=user, status=status, created_at=moment,
                               updated_at=moment)


def test_tour_seats_and_waiting_lists(event, organiser, tours, make_participant, clock):
    ada, bo, cy = make_participant("Ada"), make_participant("Bo"), make_participant("Cy")
    _seat(tours["main_am"], ada, SeatStatus.HELD)
    _seat(tours["cryo_am"], bo, SeatStatus.HELD)
    _seat(tours["cryo_am"], cy, SeatStatus.WAITLISTED)
    _seat(tours["main_pm"], cy, SeatStatus.CANCELLED)
    panel = next(p for p in _board(event, organiser).panels if p.key == "visits")
    assert {f.label: (f.value, f.out_of) for f in panel.figures} == {
        "Tour seats held": (2, 5), "On tour waiting lists": (1, None)}
    assert [count for _label, count in panel.breakdowns[0].rows] == [1, 1, 0]


def test_the_allocation_is_a_todo_between_close_and_allocation(event, organiser, tours, window,
                                                               clock):
    def keys():
        return {t.key for t in _board(event, organiser).todos if t.key.startswith("visits")}

    assert keys() == set()  # sign-up still open
    clock.set(paris(2027, 5, 23, 9))
    assert keys() == {"visits-allocation"}
    window.allocated_at = paris(2027, 5, 23, 8)
    window.save()
    assert keys() == set()


def test_the_security_office_sees_no_tours(event, tours, make_user, clock):
    officer = make_user("officer@test.invalid")
    TeamMembership.objects.create(event=event, user=officer,
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    clock.set(paris(2027, 5, 23, 9))
    board = _board(event, officer)
    assert "visits" not in {p.key for p in board.panels}
    assert not [t for t in board.todos if t.key.startswith("visits")]
