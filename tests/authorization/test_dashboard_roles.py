"""The demo's dashboard (/manage/demo-workshop/) is not empty, and each role sees its own part
of it: organisers the event's figures and to-dos, the reviewer their reviews, the security
office site-access data only; no one else's."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.rolled_back import rolled_back

from .conftest import SLUG

pytestmark = pytest.mark.django_db


def _parts(client) -> tuple[int, set[str], set[str]]:
    with rolled_back():
        response = client.get(reverse("events_manage:dashboard", kwargs={"slug": SLUG}))
    html = response.content.decode()
    return (response.status_code, set(re.findall(r'data-panel="([^"]+)"', html)),
            set(re.findall(r'data-todo="([^"]+)"', html)))


def test_each_role_sees_its_own_part_of_the_demo_dashboard(world, clients):
    status, panels, todos = _parts(clients["organiser"])
    assert status == 200
    assert panels == {"registration", "call", "programme", "meetings", "visits"}
    assert todos, "the demo's dashboard shows what needs the organisers"
    assert not {todo for todo in todos if todo.startswith("security")}

    status, panels, todos = _parts(clients["reviewer"])
    assert (status, panels) == (200, {"call"})
    assert all(todo == "call-my-reviews" for todo in todos)

    status, panels, todos = _parts(clients["security officer"])
    assert (status, panels) == (200, {"security"})
    assert all(todo.startswith("security") for todo in todos)

    status, panels, _todos = _parts(clients["platform admin"])
    assert status == 200 and "registration" in panels and "security" not in panels

    assert _parts(clients["other organiser"])[0] == 404
