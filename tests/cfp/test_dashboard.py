"""The call's part of the event's dashboard: submissions and reviews missing for organisers,
a reviewer's own reviews."""

import pytest
from django.urls import reverse

from fusionforum.cfp import review
from fusionforum.core import clock as business_clock
from fusionforum.events import dashboard

from ..conftest import paris

pytestmark = pytest.mark.django_db


def _panel(board, key):
    return next((panel for panel in board.panels if panel.key == key), None)


def _todo(board, key):
    return next((todo for todo in board.todos if todo.key == key), None)


@pytest.fixture
def under_review(call, make_submission, make_reviewer, organiser, event):
    call.review_closes_at = paris(2027, 5, 22, 18, 0)
    call.save()
    first, second = make_submission(state="submitted"), make_submission(state="submitted")
    make_submission()  # a draft: not counted as submitted
    reviewer = make_reviewer()
    review.assign(first, reviewer, by=organiser)
    review.assign(second, reviewer, by=organiser)
    return first, second, reviewer


def _submit_review(submission, reviewer):
    scores = {category.pk: 3 for category in review.score_categories(submission.event)}
    review.save_review(submission, reviewer, scores=scores, submit=True)


def test_organisers_see_submissions_and_reviews_missing(under_review, organiser, event):
    board = dashboard.build(event, organiser, business_clock.now())
    figures = {f.label: (f.value, f.out_of) for f in _panel(board, "call").figures}
    assert figures == {"Submitted": (2, None), "Waiting for a decision": (2, None),
                       "Reviews missing": (2, None)}
    assert dict(_panel(board, "call").breakdowns[0].rows) == {"Draft": 1, "Submitted": 2}


def test_reviews_late_become_a_todo_and_go_when_written(under_review, organiser, event, clock):
    first, second, reviewer = under_review
    # 20 May: reviewing closes on the 22nd, within three days.
    todo = _todo(dashboard.build(event, organiser, business_clock.now()), "call-reviews-overdue")
    assert todo.count == 2 and "still missing" in todo.text
    assert todo.url == reverse("cfp_decide:overview", args=[event.slug])
    _submit_review(first, reviewer)
    _submit_review(second, reviewer)
    assert _todo(dashboard.build(event, organiser, business_clock.now()),
                 "call-reviews-overdue") is None


def test_after_reviewing_closes_missing_reviews_are_overdue(under_review, organiser, event,
                                                           clock):
    clock.set(paris(2027, 5, 23, 9, 0))
    board = dashboard.build(event, organiser, business_clock.now())
    assert "overdue" in _todo(board, "call-reviews-overdue").text
    assert _todo(board, "call-decisions").count == 2


def test_a_reviewer_sees_their_own_reviews_only(under_review, event):
    first, _second, reviewer = under_review
    board = dashboard.build(event, reviewer, business_clock.now())
    panel = _panel(board, "call")
    assert panel.title == "Your reviews"
    assert [(f.value, f.out_of) for f in panel.figures] == [(0, 2)]
    assert {todo.key for todo in board.todos} == {"call-my-reviews"}
    assert _panel(board, "registration") is None
    _submit_review(first, reviewer)
    assert _todo(dashboard.build(event, reviewer, business_clock.now()),
                 "call-my-reviews").count == 1


def test_failed_emails_about_submissions_are_a_todo(under_review, organiser, event):
    from fusionforum.notifications.models import OutboundEmail
    from fusionforum.notifications.services import queue_email

    first, _second, reviewer = under_review
    assert _todo(dashboard.build(event, organiser, business_clock.now()),
                 "call-failed-emails") is None
    email = queue_email(to=["speaker@test.invalid"], subject="Decision", body="Synthetic.",
                        purpose="cfp_decision", related=first)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED)
    todo = _todo(dashboard.build(event, organiser, business_clock.now()), "call-failed-emails")
    assert todo.count == 1
    assert todo.url == reverse("cfp_decide:submission", args=[event.slug, first.code])
    assert _todo(dashboard.build(event, reviewer, business_clock.now()),
                 "call-failed-emails") is None
