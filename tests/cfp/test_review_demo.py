"""The demo's review: reviewers with backup codes, reviews for every submission, about twenty
accepted talks (most confirmed), some waitlisted and rejected; loading twice changes nothing."""

import datetime as dt
from collections import Counter

import pytest

from fusionforum.cfp import demo, demo_review, review
from fusionforum.cfp.models import Review, ReviewAssignment, Submission
from fusionforum.events.demo import DEMO_BACKUP_CODES, load_demo
from fusionforum.events.models import TeamMembership
from fusionforum.registration import demo as registration_demo

pytestmark = pytest.mark.django_db


def test_demo_review_and_decisions(clock):
    clock.set(dt.datetime(2027, 5, 26, 10, tzinfo=dt.UTC))
    event = load_demo(today=dt.date(2027, 5, 26))
    registration_demo.load(event)
    demo.load(event)
    summary = demo_review.load(event)
    assert "accepted" in summary
    reviewers = list(review.reviewers(event))
    assert len(reviewers) == 3
    assert "reviewer@demo.fusionforum.invalid" in {r.email for r in reviewers}
    robin = next(r for r in reviewers if r.email == "reviewer@demo.fusionforum.invalid")
    assert robin.check_password("demo-organiser-password")
    assert sorted(t.token for t in robin.staticdevice_set.get().token_set.all()) == sorted(
        DEMO_BACKUP_CODES)
    states = Counter(Submission.objects.filter(event=event).values_list("state", flat=True))
    assert states["accepted"] + states["confirmed"] == 20
    assert states["confirmed"] >= 15
    assert states["waitlisted"] >= 3 and states["rejected"] >= 3 and states["submitted"] >= 1
    for assignment in ReviewAssignment.objects.filter(submission__event=event):
        assert not review.conflict_reason(assignment.reviewer, assignment.submission)
    scores = list(Review.objects.filter(submission__event=event, submitted_at__isnull=False)
                  .values_list("weighted_score", flat=True))
    assert len(set(scores)) > 10 and min(scores) < 50 < max(scores)
    assert any(row.disagreement for row in review.ranking(event))
    # Robin still has reviews to write on the undecided submissions.
    assert any(not a.review or not a.review.submitted_at
               for a in review.assignments_of(event, robin))
    before = (sorted(Review.objects.values_list("id", "weighted_score")),
              sorted(Submission.objects.values_list("id", "state")))
    demo_review.load(event)
    assert (sorted(Review.objects.values_list("id", "weighted_score")),
            sorted(Submission.objects.values_list("id", "state"))) == before
    assert TeamMembership.objects.filter(event=event, role="reviewer").count() == 3
