"""A meeting request moves through its life cycle (``meetings/states.py``): withdrawing checks
the table, is announced after commit, and a second press of the button changes nothing."""

import pytest

from fusionforum.core import lifecycle
from fusionforum.core.models import AuditEntry
from fusionforum.meetings import services
from fusionforum.meetings.models import MeetingRequest
from fusionforum.meetings.states import LIFE_CYCLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    received = []

    def listen(sender, instance, from_state, to_state, actor, **kwargs):
        received.append((instance.pk, from_state, to_state, actor))

    lifecycle.moved.connect(listen, sender=MeetingRequest, weak=False)
    yield received
    lifecycle.moved.disconnect(listen, sender=MeetingRequest)


def test_withdrawing_moves_the_request_and_announces_it_after_commit(
        event, people, experts, heard, django_capture_on_commit_callbacks):
    alice = people["alice"]
    request = services.submit_request(event, alice, expert=experts["mara"], topic="HTS tapes",
                                      priority=1, attendees=[alice])
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_request(request, alice)
        assert heard == []
    assert heard == [(request.pk, "active", "withdrawn", alice)]
    assert MeetingRequest.objects.get(pk=request.pk).status == MeetingRequest.Status.WITHDRAWN
    # Pressed again (a second tab): nothing moves, nothing is logged twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_request(request, alice)
    assert len(heard) == 1
    assert AuditEntry.objects.filter(action="meetings.request_withdrawn").count() == 1
    with pytest.raises(LIFE_CYCLE.IllegalTransition,
                       match="A meeting request that is “withdrawn” cannot become “active”."):
        LIFE_CYCLE.move(request, MeetingRequest.Status.ACTIVE)


def test_the_last_attendee_leaving_withdraws_through_the_life_cycle(
        event, people, experts, heard, organiser, django_capture_on_commit_callbacks):
    alice = people["alice"]
    request = services.submit_request(event, alice, expert=experts["mara"], topic="HTS tapes",
                                      priority=1, attendees=[alice])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.participant_leaves(event, alice, by=organiser) == 1
    assert heard == [(request.pk, "active", "withdrawn", organiser)]
