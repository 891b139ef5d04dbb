"""Keep the working copy in step with the call: a talk that stops being schedulable
(withdrawn, or a decision changed to rejected or waiting list) leaves the programme at once.
The next release lists it as removed and tells its speakers."""

from __future__ import annotations

from django.dispatch import receiver

from fusionforum.cfp.lifecycle import state_changed
from fusionforum.cfp.states import SCHEDULABLE
from fusionforum.core import audit

from .models import TalkSlot


@receiver(state_changed, dispatch_uid="programme.unplace_unschedulable")
def unplace_unschedulable(sender, submission, from_state, to_state, by=None, **kwargs):
    if to_state in SCHEDULABLE:
        return
    deleted, _ = TalkSlot.objects.filter(submission_id=submission.pk).delete()
    if deleted:
        audit.record("programme.talk_unplaced", submission, actor=by,
                     summary=f"Left the programme ({to_state})", reason=to_state)
