"""A clearance moves through its life cycle (``vault/states.py``): the decision is the move
submitted -> approved | refused, announced after commit; a decided clearance moves no more."""

import pytest

from fusionforum.core import lifecycle
from fusionforum.vault import services
from fusionforum.vault.models import AccessRecord
from fusionforum.vault.states import LIFE_CYCLE

pytestmark = pytest.mark.django_db


def test_the_decision_is_a_move_announced_after_commit(
        event, submitted, alice, officer, django_capture_on_commit_callbacks):
    heard = []

    def listen(sender, instance, from_state, to_state, actor, **kwargs):
        heard.append((instance.user_id, from_state, to_state, actor))

    lifecycle.moved.connect(listen, sender=AccessRecord, weak=False)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            record = services.decide(event, officer, alice, approve=True)
            assert heard == []
        for callback in callbacks:
            callback()
    finally:
        lifecycle.moved.disconnect(listen, sender=AccessRecord)
    assert heard == [(alice.pk, "submitted", "approved", officer)]
    stored = AccessRecord.objects.get(pk=record.pk)
    assert (stored.status, stored.decided_by, stored.reason) == ("approved", officer, "")
    with pytest.raises(LIFE_CYCLE.IllegalTransition,
                       match="A clearance that is “approved” cannot become “refused”."):
        LIFE_CYCLE.check(stored.status, "refused")
