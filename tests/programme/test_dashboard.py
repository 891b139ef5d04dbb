"""The programme's part of the event's dashboard: sessions, talks placed, the last release;
conflicts in the working programme and unreleased changes as to-dos."""

import pytest
from django.core.cache import cache

from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard

pytestmark = pytest.mark.django_db


def _board(event, user):
    return dashboard.build(event, user, business_clock.now())


def _keys(board):
    return {todo.key for todo in board.todos if todo.key.startswith("programme")}


def test_figures_and_the_unreleased_programme(event, organiser, placed_talks, sessions):
    cache.clear()
    board = _board(event, organiser)
    panel = next(p for p in board.panels if p.key == "programme")
    assert {f.label: (f.value, f.out_of) for f in panel.figures} == {
        "Sessions": (6, None), "Talks placed": (3, 3), "Last release": ("—", None)}
    assert _keys(board) == {"programme-unreleased"}


def test_a_release_clears_the_todo_and_a_conflict_adds_one(release_v1, event, organiser,
                                                           sessions, place, make_submission):
    cache.clear()
    assert _keys(_board(event, organiser)) == set()
    clash = make_submission(state="accepted", title="Overlapping talk")
    slot = place(clash, sessions["tokamak"], "09:40", 20)
    board = _board(event, organiser)
    assert _keys(board) == {"programme-conflicts", "programme-unreleased"}
    assert next(t for t in board.todos if t.key == "programme-conflicts").count >= 1
    slot.delete()
    assert _keys(_board(event, organiser)) == set()


def test_a_reviewer_sees_no_programme(event, placed_talks, make_reviewer):
    board = _board(event, make_reviewer())
    assert "programme" not in {p.key for p in board.panels} and not _keys(board)
