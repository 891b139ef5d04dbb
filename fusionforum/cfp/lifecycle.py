"""The one place a submission changes state: its life cycle (``states.LIFE_CYCLE``) checks,
writes and logs the move (who, when, from, to); here the audit entry and ``state_changed``."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from fusionforum.core import audit, clock

from .models import Submission
from .states import LIFE_CYCLE, SubmissionState

# Sent after the change is written, inside the caller's transaction, for what must change
# with it or not at all (the programme unplaces a talk): sender=Submission, submission,
# from_state, to_state, by. ``core.lifecycle.moved`` follows after commit.
state_changed = Signal()


def move(submission: Submission, target: str, *, by=None, note: str = "") -> Submission:
    """Move ``submission`` to ``target`` or raise IllegalTransition; the caller checks who may.

    The row is re-read under a lock so two organisers deciding at once cannot both act on the
    same old state.
    """
    with transaction.atomic():
        now = clock.now()
        changes = {"updated_at": now}
        if target == SubmissionState.SUBMITTED and not submission.submitted_at:
            changes["submitted_at"] = now
        # One UPDATE, not save(): the times are the clock's (auto_now would take the wall's).
        done = LIFE_CYCLE.move(submission, target, actor=by, note=note, at=now,
                               changes=changes, lock=True, write="update")
        current, actor = done.from_state, done.actor
        audit.record("cfp.transition", submission, actor=actor,
                     summary=f"{current} → {target}", from_state=current, to_state=target)
        state_changed.send(sender=Submission, submission=submission, from_state=current,
                           to_state=target, by=actor)
    return submission
