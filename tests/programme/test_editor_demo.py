"""The demo programme: rooms, two days of sessions, talks placed without conflicts, the
plenary livestream, versions 1 and 2; idempotent; follows the workshop to other days."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from fusionforum.cfp import lifecycle
from fusionforum.cfp.models import Submission
from fusionforum.cfp.states import SCHEDULABLE
from fusionforum.events.demo import EXTRA_LOADERS, load_demo
from fusionforum.programme import conflicts
from fusionforum.programme import demo as programme_demo
from fusionforum.programme.models import ProgrammeSession, Release, TalkSlot
from tests.demo_snapshot import load_full_demo

pytestmark = pytest.mark.django_db


def load_everything(today):
    event = load_demo(today=today)
    for loader in EXTRA_LOADERS:
        if loader is not programme_demo.load:
            loader(event)
    # The review demo decides; if it accepted nothing, accept a dozen here.
    submissions = Submission.objects.filter(event=event)
    if not submissions.filter(state__in=SCHEDULABLE).exists():
        for submission in submissions.filter(state="submitted")[:12]:
            lifecycle.move(submission, "accepted")
    return event, programme_demo.load(event)


def test_demo_programme_is_placed_released_and_idempotent(clock):
    # The demo as `load_demo` leaves it (restored: the snapshot was made by a real load).
    clock.set(dt.datetime(2027, 5, 26, 8, tzinfo=dt.UTC))
    event = load_full_demo(dt.date(2027, 5, 26))
    schedulable = Submission.objects.filter(event=event, state__in=SCHEDULABLE).count()
    assert TalkSlot.objects.filter(session__event=event).count() == schedulable > 0
    assert conflicts.working_copy_problems(event) == []
    titles = set(ProgrammeSession.objects.filter(event=event).values_list("title", flat=True))
    assert {"Tokamak panel", "Stellarator panel", "Codes, standards and licensing",
            "Suppliers and the supply chain", "Coffee break", "Lunch"} <= titles
    days = {s.start.astimezone(event.tz).date()
            for s in ProgrammeSession.objects.filter(event=event)}
    assert days == {dt.date(2027, 5, 26), dt.date(2027, 5, 27)}
    for plenary in ProgrammeSession.objects.filter(event=event, kind="plenary"):
        assert plenary.stream is not None
    versions = list(Release.objects.filter(event=event).order_by("version"))
    assert [r.version for r in versions] == [1, 2]
    assert versions[1].changes["moved"] or versions[1].changes["sessions_changed"]
    assert "stream.demo.fusionforum.invalid" not in json.dumps(versions[1].snapshot)

    before = list(TalkSlot.objects.order_by("id").values_list("id", "session_id", "start"))
    again = programme_demo.load(event)
    assert again.endswith("(kept)")
    assert list(TalkSlot.objects.order_by("id").values_list("id", "session_id", "start")) \
        == before
    assert Release.objects.filter(event=event).count() == 2

    # Loading on a later day (for real) rebuilds the programme and moves it with the workshop.
    clock.set(dt.datetime(2027, 6, 2, 8, tzinfo=dt.UTC))
    event, summary = load_everything(dt.date(2027, 6, 2))
    assert "versions 1 and 2 released" in summary
    days = {s.start.astimezone(event.tz).date()
            for s in ProgrammeSession.objects.filter(event=event)}
    assert days == {dt.date(2027, 6, 2), dt.date(2027, 6, 3)}
    assert conflicts.working_copy_problems(event) == []
    assert Release.objects.filter(event=event).count() == 2
