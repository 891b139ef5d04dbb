"""The meetings day's part of the event's dashboard: meetings requested against placed, and
the requests without a meeting once requests have closed."""

import pytest

from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard
from fusionforum.meetings import services

from .conftest import paris

pytestmark = pytest.mark.django_db


def _board(event, user):
    return dashboard.build(event, user, business_clock.now())


def test_requested_against_placed_and_the_todo(event, organiser, experts, people, clock):
    first = services.submit_request(event, people["alice"], expert=experts["mara"],
                                    topic="HTS cable quench tests",
                                    attendees=[people["alice"]])
    services.submit_request(event, people["bea"], expert=experts["cyril"],
                            topic="Cold box sizing", attendees=[people["bea"]])
    panel = next(p for p in _board(event, organiser).panels if p.key == "meetings")
    assert {f.label: (f.value, f.out_of) for f in panel.figures} == {
        "Meetings requested": (2, None), "Meetings placed": (0, 2), "Experts": (3, None)}
    assert not [t for t in _board(event, organiser).todos if t.key == "meetings-unplaced"]
    clock.set(paris(2027, 5, 26, 9))  # requests closed on the 25th
    [todo] = [t for t in _board(event, organiser).todos if t.key == "meetings-unplaced"]
    assert todo.count == 2
    services.place_meeting(event, first, experts["mara"], 0, by=organiser)
    [todo] = [t for t in _board(event, organiser).todos if t.key == "meetings-unplaced"]
    assert todo.count == 1
    panel = next(p for p in _board(event, organiser).panels if p.key == "meetings")
    assert panel.figures[1].value == 1
