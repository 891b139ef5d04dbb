"""The security office's part of the event's dashboard: site-access data, to the security
office only."""

import pytest

from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard
from fusionforum.vault import services

from .conftest import identity, paris

pytestmark = pytest.mark.django_db


def _panel(board, key):
    return next((panel for panel in board.panels if panel.key == key), None)


def _keys(board):
    return {todo.key for todo in board.todos}


def test_missing_data_by_deadline_and_decisions(clock, event, officer, alice, bob, seats,
                                                make_user):
    carol = make_user("carol@test.invalid")
    seats.give(event, carol, due=paris(2027, 5, 26, 9, 0))
    board = dashboard.build(event, officer, business_clock.now())
    panel = _panel(board, "security")
    figures = {figure.label: figure.value for figure in panel.figures}
    assert figures == {"Missing": 3, "Awaiting a decision": 0, "Approved": 0}
    assert panel.breakdowns[0].rows == [("25 May 2027", 2), ("26 May 2027", 1)]
    # Six days before the first deadline: nothing to chase yet.
    assert _keys(board) == set()
    services.submit(event, alice, identity())
    board = dashboard.build(event, officer, business_clock.now())
    assert _keys(board) == {"security-decide"}
    clock.set(paris(2027, 5, 23, 9, 0))  # two days before the deadline
    board = dashboard.build(event, officer, business_clock.now())
    missing = next(todo for todo in board.todos if todo.key == "security-missing")
    assert missing.count == 2 and "25 May 2027, 09:00" in missing.text
    services.decide(event, officer, alice, approve=True)
    assert "security-decide" not in _keys(dashboard.build(event, officer, business_clock.now()))


def test_organisers_see_no_site_access_data(clock, event, organiser, alice, submitted):
    board = dashboard.build(event, organiser, business_clock.now())
    assert _panel(board, "security") is None
    assert not {key for key in _keys(board) if key.startswith("security")}
