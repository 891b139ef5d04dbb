"""Decisions: transitions through the life cycle, bulk decisions with per-row results, the
speakers' e-mails (content, opt-in reviewer comments, no template injection), the e-mail
template editor and the confirmation reminder."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fusionforum.cfp import emails, review
from fusionforum.cfp.models import CfpEmailTemplate, SubmissionTransition
from fusionforum.cfp.states import IllegalTransition
from fusionforum.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_speakers(make_participant, org_a, author):
    second = make_participant(org_a, email="second.speaker@test.invalid",
                              full_name="Bea Second")
    return [author, second]


def test_accept_moves_logs_sets_duration_and_emails_every_speaker(
        event, call, organiser, make_submission, two_speakers, settings,
        django_capture_on_commit_callbacks):
    submission = make_submission(author=two_speakers[0], speakers=two_speakers,
                                 state="submitted", title="Compact stellarator results")
    with django_capture_on_commit_callbacks(execute=False):
        review.decide(submission, "accepted", by=organiser, note="Strong reviews",
                      duration_minutes=30)
    submission.refresh_from_db()
    assert submission.state == "accepted" and submission.duration_minutes == 30
    log = SubmissionTransition.objects.filter(submission=submission).last()
    assert (log.from_state, log.to_state, log.by, log.note) == (
        "submitted", "accepted", organiser, "Strong reviews")
    sent = list(OutboundEmail.objects.filter(purpose="cfp-accepted").order_by("id"))
    assert [e.to for e in sent] == [["author@test.invalid"], ["second.speaker@test.invalid"]]
    body = sent[1].body
    assert body.startswith("Dear Bea,")
    assert "“Compact stellarator results”" in body and "30 minutes" in body
    assert f"{settings.SITE_URL}/{event.slug}/call/{submission.code}/confirm/" in body
    assert "Ada Author, Bea Second" in body
    assert sent[0].subject == f"{event.title}: your presentation is accepted"


def test_reviewer_comments_only_when_chosen(event, call, organiser, make_submission,
                                            make_reviewer, author):
    submission = make_submission(author=author, state="submitted")
    reviewer = make_reviewer()
    review.assign(submission, reviewer, by=organiser)
    scores = {c.pk: 3 for c in review.score_categories(event)}
    review.save_review(submission, reviewer, scores=scores, submit=True,
                       comment_to_speaker="Show the magnet quench data.",
                       comment_to_organisers="Private: borderline.")
    review.decide(submission, "waitlisted", by=organiser)
    first = OutboundEmail.objects.get(purpose="cfp-waitlisted")
    assert "magnet quench" not in first.body and "{{" not in first.body
    review.decide(submission, "rejected", by=organiser, include_reviewer_comments=True)
    second = OutboundEmail.objects.get(purpose="cfp-rejected")
    assert "Comments from the reviewers:" in second.body
    assert "Show the magnet quench data." in second.body
    assert "borderline" not in second.body and reviewer.email not in second.body


def test_placeholders_in_a_title_are_never_expanded(event, call, organiser, make_submission,
                                                    author):
    title = "{{ confirm_url }} <script>alert(1)</script> {% debug %}"
    submission = make_submission(author=author, state="submitted", title=title)
    review.decide(submission, "accepted", by=organiser)
    body = OutboundEmail.objects.get(purpose="cfp-accepted").body
    assert f"“{title}”" in body
    assert body.count("/confirm/") == 1


@pytest.mark.parametrize("path,target", [
    ("confirmed", "rejected"), ("confirmed", "waitlisted"), ("withdrawn", "accepted"),
    ("draft", "accepted"), ("accepted", "accepted"),
])
def test_illegal_decisions_are_refused_readably(event, call, organiser, make_submission,
                                                path, target):
    submission = make_submission(state=path)
    before = SubmissionTransition.objects.count()
    with pytest.raises(IllegalTransition) as caught:
        review.decide(submission, target, by=organiser)
    assert "cannot become" in str(caught.value)
    submission.refresh_from_db()
    assert submission.state == path
    assert SubmissionTransition.objects.count() == before
    assert not OutboundEmail.objects.filter(purpose__startswith="cfp-").exists()


def test_a_decision_can_be_corrected_until_the_speaker_confirms(event, call, organiser,
                                                                make_submission):
    submission = make_submission(state="submitted")
    for target in ("accepted", "waitlisted", "accepted", "rejected", "accepted"):
        review.decide(submission, target, by=organiser)
        assert submission.state == target
    assert OutboundEmail.objects.filter(purpose="cfp-accepted").count() == 3


def test_bad_decision_arguments(event, call, organiser, make_submission, make_reviewer,
                                other_event_organiser):
    submission = make_submission(state="submitted")
    with pytest.raises(review.ReviewError):
        review.decide(submission, "confirmed", by=organiser)
    with pytest.raises(review.ReviewError, match="only when accepting"):
        review.decide(submission, "rejected", by=organiser, duration_minutes=20)
    with pytest.raises(review.ReviewError, match="5 to 240"):
        review.decide(submission, "accepted", by=organiser, duration_minutes=999)
    for intruder in (make_reviewer(), other_event_organiser):
        with pytest.raises(PermissionDenied):
            review.decide(submission, "accepted", by=intruder)
    submission.refresh_from_db()
    assert submission.state == "submitted"


def test_bulk_decisions_report_each_row(event, call, organiser, make_submission, make_event):
    good = make_submission(state="submitted", title="Good one")
    waiting = make_submission(state="waitlisted", title="Waiting one")
    confirmed = make_submission(state="confirmed", title="Confirmed one")
    outcomes = review.bulk_decide(event, [good.pk, confirmed.pk, waiting.pk, 999999, good.pk],
                                  "accepted", by=organiser)
    assert [(o.who, o.ok) for o in outcomes] == [
        ("“Good one”", True), ("“Confirmed one”", False), ("“Waiting one”", True), ("", False)]
    assert "cannot become" in outcomes[1].message
    assert "not one of this event's" in outcomes[3].message
    assert OutboundEmail.objects.filter(purpose="cfp-accepted").count() == 2


def test_confirmation_reminders(event, call, organiser, make_submission):
    make_submission(state="accepted")
    make_submission(state="confirmed")
    assert review.send_confirmation_reminders(event, by=organiser) == 1
    reminder = OutboundEmail.objects.get(purpose="cfp-confirm_reminder")
    assert "/confirm/" in reminder.body


# E-mail templates ------------------------------------------------------------------------------


def test_templates_are_validated_and_used(event, call, organiser, make_submission):
    with pytest.raises(ValidationError) as caught:
        emails.save_template(event, "accepted", subject="Hi {{ password }}",
                             body="{% load evil %}{{ first_name }}", by=organiser)
    assert "Unknown placeholder" in str(caught.value) and "braces" in str(caught.value)
    with pytest.raises(ValidationError):
        emails.save_template(event, "rejected", subject="x", body="{{ confirm_url }}",
                             by=organiser)  # not allowed in this e-mail
    assert not CfpEmailTemplate.objects.exists()
    emails.save_template(event, "accepted", subject="Yes! {{ submission_code }}",
                         body="Hello {{ full_name }}: {{ confirm_url }}", by=organiser)
    submission = make_submission(state="submitted")
    review.decide(submission, "accepted", by=organiser)
    email = OutboundEmail.objects.get(purpose="cfp-accepted")
    assert email.subject == f"Yes! {submission.code}"
    assert email.body.startswith("Hello Speaker")
    assert emails.reset_template(event, "accepted", by=organiser) is True
    assert emails.reset_template(event, "accepted", by=organiser) is False


def test_only_organisers_edit_templates(event, call, make_reviewer, other_event_organiser):
    for intruder in (make_reviewer(), other_event_organiser):
        with pytest.raises(PermissionDenied):
            emails.save_template(event, "accepted", subject="x", body="y", by=intruder)
