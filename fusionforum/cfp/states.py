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
from django.utils.translation import pgettext_lazy

from fusionforum.core.lifecycle import Machine


class SubmissionState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("submission state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("submission state", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("submission state", "Accepted")
    REJECTED = "rejected", pgettext_lazy("submission state", "Rejected")
    WAITLISTED = "waitlisted", pgettext_lazy("submission state", "Waiting list")
    CONFIRMED = "confirmed", pgettext_lazy("submission state", "Confirmed by the speaker")
    WITHDRAWN = "withdrawn", pgettext_lazy("submission state", "Withdrawn")


S = SubmissionState

# state -> {next state: the action that moves it there}
LIFE_CYCLE = Machine("submission", SubmissionState, {
    S.DRAFT: {S.SUBMITTED: "submit", S.WITHDRAWN: "withdraw"},
    S.SUBMITTED: {S.ACCEPTED: "decide", S.REJECTED: "decide", S.WAITLISTED: "decide",
                  S.WITHDRAWN: "withdraw"},
    S.WAITLISTED: {S.ACCEPTED: "decide", S.REJECTED: "decide", S.WITHDRAWN: "withdraw"},
    S.ACCEPTED: {S.CONFIRMED: "confirm", S.REJECTED: "decide", S.WAITLISTED: "decide",
                 S.WITHDRAWN: "withdraw"},
    S.REJECTED: {S.ACCEPTED: "decide", S.WAITLISTED: "decide"},
    S.CONFIRMED: {S.WITHDRAWN: "withdraw"},
    S.WITHDRAWN: {},
}, field="state", log="cfp.SubmissionTransition")
TRANSITIONS: dict[str, frozenset[str]] = LIFE_CYCLE.table
IllegalTransition = LIFE_CYCLE.IllegalTransition
check_transition = LIFE_CYCLE.check

# Decisions organisers take; the speaker's own moves are submit, confirm and withdraw.
DECISIONS = frozenset({S.ACCEPTED, S.REJECTED, S.WAITLISTED})
# Reviewers see and score these.
UNDER_REVIEW = frozenset({S.SUBMITTED, S.WAITLISTED, S.ACCEPTED, S.REJECTED, S.CONFIRMED})
# These may be placed in the programme.
SCHEDULABLE = frozenset({S.ACCEPTED, S.CONFIRMED})
# The speaker may still edit the content (until the deadline) in these.
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED})
