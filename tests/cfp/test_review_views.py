"""The review pages with real input: bad scores and comments answer 400 with messages and write
nothing; XSS payloads from submissions stay inert on reviewer and organiser pages and in the
e-mails; the second factor is asked of reviewers at login; the organisers' pages work."""

import pytest
from django.test import Client
from django.urls import reverse

from fusionforum.cfp import review
from fusionforum.cfp.models import CfpEmailTemplate, Review, ReviewScore, ScoreCategory
from fusionforum.notifications.models import OutboundEmail

from ..conftest import login_verified

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>{{ confirm_url }}'


@pytest.fixture
def setup(event, call, organiser, make_submission, make_reviewer, author):
    submission = make_submission(author=author, state="submitted")
    reviewer = make_reviewer(full_name="Rhea Reviewer")
    review.assign(submission, reviewer, by=organiser)
    client = login_verified(Client(), reviewer)
    url = reverse("review:submission", kwargs={"slug": event.slug, "code": submission.code})
    return submission, reviewer, client, url


def form_data(event, value="3", **extra):
    data = {f"score_{c.pk}": value for c in review.score_categories(event)}
    data.update({"action": "submit", "comment_to_organisers": "", "comment_to_speaker": ""})
    data.update(extra)
    return data


@pytest.mark.parametrize("value,message", [
    ("9", "Give a score from 0 to 5"), ("-1", "Give a score from 0 to 5"),
    ("abc", "Give a whole number"), ("", "to submit the review"), ("2.5", "whole number"),
])
def test_bad_scores_answer_400_and_write_nothing(event, setup, value, message):
    _, _, client, url = setup
    data = form_data(event)
    first = review.score_categories(event)[0]
    data[f"score_{first.pk}"] = value
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Review.objects.exists() and not ReviewScore.objects.exists()


@pytest.mark.parametrize("field,text", [
    ("comment_to_organisers", "nul\x00byte"), ("comment_to_speaker", "x" * 5001),
    ("comment_to_organisers", "bidi \u202e trick"),
])
def test_bad_comments_answer_400(event, setup, field, text):
    _, _, client, url = setup
    response = client.post(url, form_data(event, **{field: text}))
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_missing_fields_on_a_draft_are_fine_and_empty_post_is_400(event, setup):
    _, reviewer, client, url = setup
    assert client.post(url, {"action": "submit"}).status_code == 400
    assert client.post(url, {"action": "save"}).status_code == 302
    assert Review.objects.get(reviewer=reviewer).submitted_at is None


def test_submit_then_edit_until_the_review_closes(event, call, setup, clock):
    _, reviewer, client, url = setup
    assert client.post(url, form_data(event, "5")).status_code == 302
    saved = Review.objects.get(reviewer=reviewer)
    assert saved.weighted_score == 100
    assert client.post(url, form_data(event, "0")).status_code == 302
    saved.refresh_from_db()
    assert saved.weighted_score == 0 and saved.submitted_at
    call.review_closes_at = clock.now()
    call.save()
    response = client.post(url, form_data(event, "4"))
    assert response.status_code == 400
    assert "Reviewing is closed" in response.content.decode()
    saved.refresh_from_db()
    assert saved.weighted_score == 0


def test_xss_from_a_submission_is_inert_everywhere(event, call, organiser, make_submission,
                                                   make_reviewer, make_participant,
                                                   make_cfp_organisation):
    evil_org = make_cfp_organisation(name="Evil <b>Org</b> <script>x()</script>")
    speaker = make_participant(evil_org, full_name='Mallory <script>alert("n")</script>')
    submission = make_submission(author=speaker, state="submitted", title=XSS, abstract=XSS,
                                 breakthroughs=XSS, challenges=XSS, iter_help=XSS,
                                 key_figures=[(XSS[:100], "1.5", "<i>MA</i>")])
    r1, r2 = make_reviewer(), make_reviewer()
    for person in (r1, r2):
        review.assign(submission, person, by=organiser)
    scores = {c.pk: 2 for c in review.score_categories(event)}
    review.save_review(submission, r2, scores=scores, submit=True, comment_to_organisers=XSS,
                       comment_to_speaker=XSS)
    review.save_review(submission, r1, scores=scores, submit=True, comment_to_organisers=XSS)
    reviewer_client = login_verified(Client(), r1)
    organiser_client = login_verified(Client(), organiser)
    slug = event.slug
    pages = [
        reviewer_client.get(reverse("review:home", kwargs={"slug": slug})),
        reviewer_client.get(reverse("review:submission",
                                    kwargs={"slug": slug, "code": submission.code})),
        organiser_client.get(reverse("cfp_decide:overview", kwargs={"slug": slug})),
        organiser_client.get(reverse("cfp_decide:submission",
                                     kwargs={"slug": slug, "code": submission.code})),
        organiser_client.get(reverse("cfp_decide:reviewers", kwargs={"slug": slug})),
        organiser_client.get(reverse("cfp_decide:reviewer", kwargs={"slug": slug, "pk": r1.pk})),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<script>x()" not in html and "<i>MA</i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[1].content.decode()
    review.decide(submission, "accepted", by=organiser, include_reviewer_comments=True)
    email = OutboundEmail.objects.get(purpose="cfp-accepted")
    # Plain-text e-mail: the text arrives as written, placeholders inside it are not expanded.
    assert XSS in email.body and email.body.count("/confirm/") == 1


def test_reviewer_login_asks_for_the_second_factor(event, call, make_reviewer):
    reviewer = make_reviewer(email="new.reviewer@test.invalid")
    client = Client()
    target = reverse("review:home", kwargs={"slug": event.slug})
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(f"/accounts/login/?next={target}",
                           {"username": reviewer.email, "password": "a-long-test-password"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/two-factor/?next=%2Freview%2F{event.slug}%2F"
    # Logged in with the password only: the review pages still ask for the second factor.
    response = client.get(target)
    assert response["Location"].startswith("/accounts/two-factor/verify/")


def test_organiser_pages_show_ranking_and_bulk_decisions(event, call, organiser,
                                                         make_submission, make_reviewer,
                                                         django_capture_on_commit_callbacks):
    first = make_submission(state="submitted", title="First talk")
    second = make_submission(state="confirmed", title="Already confirmed")
    client = login_verified(Client(), organiser)
    url = reverse("cfp_decide:overview", kwargs={"slug": event.slug})
    page = client.get(url).content.decode()
    assert "First talk" in page and "Already confirmed" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "accepted", "ids": [first.pk, second.pk]},
                               follow=True)
    html = response.content.decode()
    assert "1 submission accepted" in html
    assert "“Already confirmed”: not accepted." in html and "cannot become" in html
    first.refresh_from_db()
    assert first.state == "accepted"
    response = client.post(url, {"decision": "", "ids": [first.pk]}, follow=True)
    assert "Choose a decision" in response.content.decode()


def test_decision_form_errors_are_400(event, call, organiser, make_submission):
    submission = make_submission(state="confirmed")
    client = login_verified(Client(), organiser)
    url = reverse("cfp_decide:decide", kwargs={"slug": event.slug, "code": submission.code})
    response = client.post(url, {"decision": "rejected"})
    assert response.status_code == 400 and "cannot become" in response.content.decode()
    response = client.post(url, {"decision": "nonsense"})
    assert response.status_code == 400
    response = client.post(url, {"decision": "rejected", "duration_minutes": "30"})
    assert response.status_code == 400 and "only when accepting" in response.content.decode()
    submission.refresh_from_db()
    assert submission.state == "confirmed"


def test_score_category_and_template_editors_reject_bad_input(event, call, organiser):
    client = login_verified(Client(), organiser)
    scores = reverse("cfp_decide:scores", kwargs={"slug": event.slug})
    before = ScoreCategory.objects.count() or len(review.score_categories(event))
    response = client.post(scores, {"name": "X\x00", "weight": "-1", "max_score": "0",
                                    "position": "a"})
    assert response.status_code == 400
    assert ScoreCategory.objects.count() == before
    email = reverse("cfp_decide:email", kwargs={"slug": event.slug, "key": "accepted"})
    response = client.post(email, {"subject": "{{ secret_key }}", "body": "{% debug %}",
                                   "action": "save"})
    assert response.status_code == 400
    assert "Unknown placeholder" in response.content.decode()
    assert not CfpEmailTemplate.objects.exists()
    response = client.post(email, {"subject": "Hi {{ first_name }}",
                                   "body": "Go: {{ confirm_url }}", "action": "preview"})
    assert response.status_code == 200
    assert "Hi Alex" in response.content.decode()
    assert not CfpEmailTemplate.objects.exists()


def test_automatic_assignment_from_the_team_page(event, call, organiser, make_submission,
                                                 make_reviewer):
    make_submission(state="submitted", title="Lonely")
    make_reviewer()
    client = login_verified(Client(), organiser)
    response = client.post(reverse("cfp_decide:auto_assign", kwargs={"slug": event.slug}),
                           follow=True)
    html = response.content.decode()
    assert "1 assignment made" in html
    assert "“Lonely” has 1 of 2 reviewers" in html
