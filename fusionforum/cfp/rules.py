"""Who may do what in the call for presentations: small named predicates, one place."""

from __future__ import annotations

import rules

from fusionforum.events.rules import can_manage_event, is_reviewer

from .models import ReviewAssignment, ReviewerConflict, Submission


@rules.predicate
def is_submission_author(user, submission: Submission | None):
    """The person who created the submission, or one of its speakers."""
    if submission is None or not user.is_authenticated or not user.is_active:
        return False
    if submission.created_by_id == user.pk:
        return True
    return submission.speaker_links.filter(user=user).exists()


@rules.predicate
def is_event_reviewer(user, submission: Submission | None):
    return submission is not None and is_reviewer(user, submission.event)


@rules.predicate
def is_assigned_reviewer(user, submission: Submission | None):
    if submission is None or not user.is_authenticated:
        return False
    return ReviewAssignment.objects.filter(submission=submission, reviewer=user).exists()


@rules.predicate
def has_conflict(user, submission: Submission | None):
    """The reviewer belongs to the submitting organisation or declared a conflict with it."""
    if submission is None or not user.is_authenticated:
        return False
    if user.organisation_id and user.organisation_id == submission.organisation_id:
        return True
    return ReviewerConflict.objects.filter(
        event_id=submission.event_id, reviewer=user, organisation_id=submission.organisation_id
    ).exists()


@rules.predicate
def manages_submission_event(user, submission: Submission | None):
    return submission is not None and can_manage_event(user, submission.event)


can_edit_own_submission = is_submission_author
can_review_submission = is_event_reviewer & is_assigned_reviewer & ~has_conflict

rules.add_perm("cfp.manage_call", can_manage_event)  # object: the Event
rules.add_perm("cfp.review_call", is_reviewer)  # object: the Event; organisers are not reviewers
# The speakers' pages: anyone signed in may write a submission; whether the call takes it, and
# which submissions a person sees, the services decide.
rules.add_perm("cfp.submit", rules.is_authenticated)
rules.add_perm("cfp.see_submission", is_submission_author | manages_submission_event
               | can_review_submission)
rules.add_perm("cfp.edit_own_submission", can_edit_own_submission)
rules.add_perm("cfp.review_submission", can_review_submission)
rules.add_perm("cfp.decide_submission", manages_submission_event)
for model in ("callsettings", "category", "submission", "keyfigure", "speaker",
              "speakerprofile", "submissiontransition", "scorecategory", "reviewerconflict",
              "reviewassignment", "review", "reviewscore", "cfpemailtemplate"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"cfp.{action}_{model}", can_manage_event)
