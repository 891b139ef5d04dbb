"""The heaviest pages stay cheap: a ceiling on the database queries of each, on the demo.

The counts of these pages must not grow with the data (a query per request, per meeting, per
talk, per source of a theme): each page loads its lists in a fixed number of queries. The
ceilings are today's counts on the demo plus a small margin, so a change that adds a query per
row (an N+1) fails here with the page named, long before it slows the URL matrix, the form round
trip and a production page down. When a page gains a legitimate query or two, raise its ceiling
in the same change and say why.

The same world as the URL matrix (the demo and a second event, one client per role), each
request in a savepoint rolled back.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.rolled_back import rolled_back

from .conftest import SLUG

pytestmark = pytest.mark.django_db

# (role, method, URL name) -> most queries the answer may send; ``ARGS``: URL arguments besides
# the event's slug. Counts on the demo before the pages loaded their lists at once (December
# 2026) -> now: meetings requests 283 -> 15, meetings schedule 202 -> 15, meetings overview
# 217 -> 44, outcomes editor 157 -> 36 (and each refused form of the editor, which shows it
# again, 158 -> 37), call export 76 -> 16, programme releases 218 -> 146.
# KNOWN: the releases page still checks each talk and session of the working copy against the
# others with a few queries each (programme/conflicts.py, ``working_copy_problems``); its
# ceiling grows with the programme.
CEILINGS = {
    ("organiser", "GET", "meetings_manage:overview"): 50,
    ("organiser", "GET", "meetings_manage:requests"): 20,
    ("organiser", "GET", "meetings_manage:schedule"): 20,
    ("organiser", "GET", "outcomes_manage:editor"): 42,
    ("organiser", "POST", "outcomes_manage:add_priority"): 42,
    ("organiser", "GET", "outcomes_manage:preview"): 55,
    ("organiser", "GET", "programme_manage:releases"): 165,
    ("organiser", "GET", "programme_manage:editor"): 65,
    ("organiser", "GET", "cfp_manage:submissions"): 24,
    ("organiser", "GET", "cfp_manage:export"): 20,
    ("organiser", "GET", "registration:desk_registrations"): 22,
    # Cold: the working programme's conflict check (as on the releases page) is part of it;
    # see test_the_dashboard_reuses_the_programme_check for the warm count.
    ("organiser", "GET", "events_manage:dashboard"): 215,
    ("participant", "GET", "programme:programme"): 16,
    ("participant", "GET", "events:home"): 16,
    ("participant", "GET", "meetings:home"): 30,
    ("participant", "GET", "visits:home"): 28,
}
ARGS = {"cfp_manage:export": {"fmt": "csv"}}


def _queries(client, method, path) -> tuple[int, int]:
    with rolled_back():
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method.lower())(path)
        transaction.set_rollback(True)
    return response.status_code, len(queries.captured_queries)


def test_the_heaviest_pages_stay_under_their_query_ceilings(world, clients):
    over, counts = [], {}
    for (role, method, name), ceiling in CEILINGS.items():
        path = reverse(name, kwargs={"slug": SLUG, **ARGS.get(name, {})})
        status, count = _queries(clients[role], method, path)
        counts[name] = count
        assert status < 500, f"{method} {path} as {role}: HTTP {status}"
        if count > ceiling:
            over.append(f"{method} {path} as {role}: {count} queries (ceiling {ceiling})")
    assert not over, "pages over their query ceiling:\n" + "\n".join(over) + f"\n{counts}"


def test_the_dashboard_reuses_the_programme_check(world, clients):
    """The dashboard's programme to-dos check the working copy for conflicts (a few queries
    per session and talk) once per change of the working copy: a second look costs a fixed
    number of queries (on the demo 67: a query per app's permission, its counts, the
    programme's snapshot), whatever the size of the event."""
    path = reverse("events_manage:dashboard", kwargs={"slug": SLUG})
    _queries(clients["organiser"], "GET", path)
    status, count = _queries(clients["organiser"], "GET", path)
    assert status == 200
    assert count <= 72, f"GET {path} as organiser, warm: {count} queries (ceiling 72)"
