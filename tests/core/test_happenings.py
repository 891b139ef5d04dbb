"""``core.happenings``: announced inside a transaction, told after its commit, never for a
rollback; a receiver's failure is logged and never reaches the service."""

from __future__ import annotations

import pytest
from django.db import transaction

from fusionforum.core import happenings

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    received = []

    def listen(sender, subject, event, at, **kwargs):
        received.append((sender, subject, event, at))

    happenings.happened.connect(listen, dispatch_uid="test.heard")
    yield received
    happenings.happened.disconnect(dispatch_uid="test.heard")


def test_told_after_the_commit_with_the_moment_of_the_announcement(
        heard, clock, django_capture_on_commit_callbacks):
    announced_at = clock.now()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        happenings.announce("checkin.created", "subject", event="event")
        clock.advance(minutes=1)
        assert heard == []
    assert heard == [("checkin.created", "subject", "event", announced_at)]


def test_nothing_is_told_for_a_rollback(heard, django_capture_on_commit_callbacks):
    class Failed(Exception):
        pass

    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(Failed),
          transaction.atomic()):
        happenings.announce("checkin.created", "subject", event="event")
        raise Failed
    assert heard == []


def test_a_failing_receiver_is_logged_not_raised(heard, caplog,
                                                 django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise ValueError("receiver bug")

    happenings.happened.connect(broken, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            happenings.announce("outcomes.published", "subject", event="event")
    finally:
        happenings.happened.disconnect(dispatch_uid="test.broken")
    assert heard and "receiver bug" in caplog.text
