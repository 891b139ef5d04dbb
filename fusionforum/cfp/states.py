"""The life cycle of a submission: every allowed transition, in one place.

    draft ──submit──► submitted ──decide──► accepted ──confirm (speaker)──► confirmed
      │                  │  └──decide──► rejected
      │                  └──decide──► waitlisted ──decide──► accepted | rejected
      └──────────── withdraw (speaker, any state before a final one) ──────► withdrawn

Organisers may correct a decision while the speaker has not confirmed (accepted, rejected
and waitlisted move among themselves). A confirmed talk can still be withdrawn.
"""

from __future__ import annotations

from django.db import models


class SubmissionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WAITLISTED = "waitlisted", "Waiting list"
    CONFIRMED = "confirmed", "Confirmed by the speaker"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = SubmissionState

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED, S.WAITLISTED, S.WITHDRAWN}),
    S.WAITLISTED: frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.CONFIRMED, S.REJECTED, S.WAITLISTED, S.WITHDRAWN}),
    S.REJECTED: frozenset({S.ACCEPTED, S.WAITLISTED}),
    S.CONFIRMED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}

# Decisions organisers take; the speaker's own moves are submit, confirm and withdraw.
DECISIONS = frozenset({S.ACCEPTED, S.REJECTED, S.WAITLISTED})
# Reviewers see and score these.
UNDER_REVIEW = frozenset({S.SUBMITTED, S.WAITLISTED, S.ACCEPTED, S.REJECTED, S.CONFIRMED})
# These may be placed in the programme.
SCHEDULABLE = frozenset({S.ACCEPTED, S.CONFIRMED})
# The speaker may still edit the content (until the deadline) in these.
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str):
        super().__init__(
            f"A submission that is “{SubmissionState(current).label.lower()}” cannot become "
            f"“{SubmissionState(target).label.lower()}”."
        )
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, target)
