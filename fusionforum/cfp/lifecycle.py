"""The one place a submission changes state: checked, written, logged (who, when, from, to)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from fusionforum.core import audit, clock

from .models import Submission, SubmissionTransition
from .states import SubmissionState, check_transition

# Sent after the change is written, inside the caller's transaction:
# sender=Submission, submission, from_state, to_state, by.
state_changed = Signal()


def move(submission: Submission, target: str, *, by=None, note: str = "") -> Submission:
    """Move ``submission`` to ``target`` or raise IllegalTransition; the caller checks who may.

    The row is re-read under a lock so two organisers deciding at once cannot both act on the
    same old state.
    """
    with transaction.atomic():
        current = (Submission.objects.select_for_update().only("state")
                   .get(pk=submission.pk).state)
        check_transition(current, target)
        now = clock.now()
        changes = {"state": target, "updated_at": now}
        if target == SubmissionState.SUBMITTED and not submission.submitted_at:
            changes["submitted_at"] = now
        Submission.objects.filter(pk=submission.pk).update(**changes)
        for name, value in changes.items():
            setattr(submission, name, value)
        actor = by if getattr(by, "is_authenticated", False) else None
        SubmissionTransition.objects.create(
            submission=submission, from_state=current, to_state=target, at=now, by=actor,
            note=note[:300],
        )
        audit.record("cfp.transition", submission, actor=actor,
                     summary=f"{current} → {target}", from_state=current, to_state=target)
        state_changed.send(sender=Submission, submission=submission, from_state=current,
                           to_state=target, by=actor)
    return submission
