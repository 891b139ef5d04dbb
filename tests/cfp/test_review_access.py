"""Who may use the review pages: every reviewer and organiser URL, GET and POST, for every kind
of visitor. Reviewers reach only the submissions assigned to them without a conflict;
organisers of the event with a verified second factor reach the decisions; everyone else gets
a plain 404 (anonymous visitors are sent to log in) and nothing is written."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from fusionforum.cfp import review
from fusionforum.cfp.models import (
    CfpEmailTemplate,
    Review,
    ReviewAssignment,
    ReviewerConflict,
    ScoreCategory,
    Submission,
)
from fusionforum.events.models import TeamMembership
from fusionforum.notifications.models import OutboundEmail
from tests.rolled_back import rolled_back

from ..conftest import login_verified
from .conftest import make_pdf

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Secret tokamak divertor result"


@pytest.fixture
def world(event, call, organiser, make_submission, make_reviewer, author, outsider,
          make_event, make_user, other_event_organiser, make_cfp_organisation):
    submission = make_submission(author=author, state="submitted", title=SECRET_TITLE)
    submission.slides.save("slides.pdf", ContentFile(make_pdf()), save=True)
    assigned = make_reviewer(full_name="Rhea Assigned")
    unassigned = make_reviewer(full_name="Uma Unassigned")
    conflicted = make_reviewer(full_name="Cora Conflicted")
    for person in (assigned, conflicted):
        review.assign(submission, person, by=organiser)
    conflict = ReviewerConflict.objects.create(event=event, reviewer=conflicted,
                                               organisation=submission.organisation)
    other_event = TeamMembership.objects.get(user=other_event_organiser).event
    foreign = make_user("foreign.reviewer@test.invalid", full_name="Fred Foreign")
    TeamMembership.objects.create(event=other_event, user=foreign, role="reviewer")
    unverified_reviewer = make_reviewer(full_name="Vic Unverified")
    review.assign(submission, unverified_reviewer, by=organiser)
    category = review.score_categories(event)[0]
    return {"event": event, "submission": submission, "organiser": organiser,
            "author": author, "participant": outsider, "assigned": assigned,
            "unassigned": unassigned, "conflicted": conflicted, "conflict": conflict,
            "foreign": foreign, "other_organiser": other_event_organiser,
            "unverified_reviewer": unverified_reviewer, "category": category}


ROLES = ["anonymous", "participant", "speaker", "reviewer_assigned", "reviewer_unassigned",
         "reviewer_conflict", "reviewer_other_event", "reviewer_unverified", "organiser",
         "organiser_other_event", "organiser_unverified"]


def client_for(role, world):
    client = Client()
    verified = {"speaker": None, "participant": None, "reviewer_assigned": "assigned",
                "reviewer_unassigned": "unassigned", "reviewer_conflict": "conflicted",
                "reviewer_other_event": "foreign", "organiser": "organiser",
                "organiser_other_event": "other_organiser"}
    if role == "anonymous":
        return client
    if role in ("speaker", "participant"):
        client.force_login(world["author" if role == "speaker" else "participant"])
    elif role == "reviewer_unverified":
        client.force_login(world["unverified_reviewer"])
    elif role == "organiser_unverified":
        client.force_login(world["organiser"])
    else:
        login_verified(client, world[verified[role]])
    return client


def r(name, w, **kwargs):
    return reverse(f"review:{name}", kwargs={"slug": w["event"].slug, **kwargs})


def d(name, w, **kwargs):
    return reverse(f"cfp_decide:{name}", kwargs={"slug": w["event"].slug, **kwargs})


def code(w):
    return {"code": w["submission"].code}


def full_review(w):
    data = {f"score_{c.pk}": "3" for c in review.score_categories(w["event"])}
    return {**data, "action": "submit", "comment_to_organisers": "Fine."}


# side: "reviewer" or "organiser"; (method, url, data, status for the allowed role)
ENDPOINTS = {
    "r_home": ("reviewer", "get", lambda w: r("home", w), None, 200),
    "r_conflicts": ("reviewer", "get", lambda w: r("conflicts", w), None, 200),
    "r_conflict_add": ("reviewer", "post", lambda w: r("conflicts", w),
                       lambda w: {"organisation": w["participant"].organisation_id}, 302),
    "r_conflict_withdraw": ("reviewer", "post",
                            lambda w: r("conflict_withdraw", w, pk=w["conflict"].pk), None, 302),
    "r_submission": ("reviewer", "get", lambda w: r("submission", w, **code(w)), None, 200),
    "r_review": ("reviewer", "post", lambda w: r("submission", w, **code(w)), full_review, 302),
    "r_slides": ("reviewer", "get", lambda w: r("slides", w, **code(w)), None, 200),
    "d_overview": ("organiser", "get", lambda w: d("overview", w), None, 200),
    "d_overview_filtered": ("organiser", "get",
                            lambda w: d("overview", w) + "?state=submitted&approach=tokamak",
                            None, 200),
    "d_bulk": ("organiser", "post", lambda w: d("overview", w),
               lambda w: {"decision": "accepted", "ids": [w["submission"].pk]}, 302),
    "d_submission": ("organiser", "get", lambda w: d("submission", w, **code(w)), None, 200),
    "d_slides": ("organiser", "get", lambda w: d("slides", w, **code(w)), None, 200),
    "d_decide": ("organiser", "post", lambda w: d("decide", w, **code(w)),
                 lambda w: {"decision": "rejected"}, 302),
    "d_assign": ("organiser", "post", lambda w: d("assign", w, **code(w)),
                 lambda w: {"reviewer": w["unassigned"].pk}, 302),
    "d_unassign": ("organiser", "post",
                   lambda w: d("unassign", w, reviewer_id=w["assigned"].pk, **code(w)), None,
                   302),
    "d_auto_assign": ("organiser", "post", lambda w: d("auto_assign", w), None, 302),
    "d_reminders": ("organiser", "post", lambda w: d("reminders", w), None, 302),
    "d_reviewers": ("organiser", "get", lambda w: d("reviewers", w), None, 200),
    "d_reviewer_add": ("organiser", "post", lambda w: d("reviewers", w),
                       lambda w: {"email": w["participant"].email}, 302),
    "d_reviewer": ("organiser", "get", lambda w: d("reviewer", w, pk=w["unassigned"].pk), None,
                   200),
    "d_reviewer_assign": ("organiser", "post", lambda w: d("reviewer", w, pk=w["unassigned"].pk),
                          lambda w: {"codes": [w["submission"].code]}, 302),
    "d_reviewer_remove": ("organiser", "post",
                          lambda w: d("reviewer_remove", w, pk=w["assigned"].pk), None, 302),
    "d_scores": ("organiser", "get", lambda w: d("scores", w), None, 200),
    "d_score_add": ("organiser", "post", lambda w: d("scores", w),
                    lambda w: {"name": "Novelty", "weight": "1", "max_score": "5",
                               "position": "50"}, 302),
    "d_score_edit": ("organiser", "get", lambda w: d("score_edit", w, pk=w["category"].pk), None,
                     200),
    "d_score_save": ("organiser", "post", lambda w: d("score_edit", w, pk=w["category"].pk),
                     lambda w: {"name": "Renamed", "weight": "2", "max_score": "5",
                                "position": "1"}, 302),
    "d_score_delete": ("organiser", "post", lambda w: d("score_delete", w, pk=w["category"].pk),
                       None, 302),
    "d_emails": ("organiser", "get", lambda w: d("emails", w), None, 200),
    "d_email": ("organiser", "get", lambda w: d("email", w, key="accepted"), None, 200),
    "d_email_save": ("organiser", "post", lambda w: d("email", w, key="accepted"),
                     lambda w: {"subject": "Yes", "body": "Hello {{ first_name }}",
                                "action": "save"}, 302),
    "d_email_reset": ("organiser", "post", lambda w: d("email_reset", w, key="accepted"), None,
                      302),
}

REVIEWER_ONLY_ASSIGNED = {"r_submission", "r_review", "r_slides"}


def expected(role, key):
    side, _, _, _, allowed_status = ENDPOINTS[key]
    if role == "anonymous":
        return "login"
    if side == "organiser":
        if role == "organiser":
            return allowed_status
        if role == "organiser_unverified":
            return "verify"
        return 404
    # Reviewer pages
    if role == "reviewer_unverified":
        return "verify"
    if role not in ("reviewer_assigned", "reviewer_unassigned", "reviewer_conflict"):
        return 404
    if key in REVIEWER_ONLY_ASSIGNED and role != "reviewer_assigned":
        return 404
    if key == "r_conflict_withdraw" and role != "reviewer_conflict":
        return 404
    return allowed_status


def snapshot(w):
    s = Submission.objects.get(pk=w["submission"].pk)
    return (s.state, s.duration_minutes, Review.objects.count(),
            sorted(ReviewAssignment.objects.values_list("submission_id", "reviewer_id")),
            ReviewerConflict.objects.count(), TeamMembership.objects.count(),
            sorted(ScoreCategory.objects.values_list("name", "weight")),
            CfpEmailTemplate.objects.count(), OutboundEmail.objects.count())


def check_endpoint(role, key, world):
    """One cell of the matrix: what is wrong with ``role`` asking ``key``, or None."""
    _, method, url_of, data_of, _ = ENDPOINTS[key]
    client = client_for(role, world)
    url = url_of(world)
    before = snapshot(world)
    data = data_of(world) if data_of else {}
    response = client.get(url) if method == "get" else client.post(url, data)
    want = expected(role, key)
    if want in ("login", "verify"):
        start = "/accounts/login/" if want == "login" else "/accounts/two-factor/verify/"
        if response.status_code != 302 or not response["Location"].startswith(start):
            return f"HTTP {response.status_code} {response.get('Location', '')}, want {want}"
    elif response.status_code != want:
        return f"HTTP {response.status_code}, want {want}: {response.content[:300]!r}"
    if want in ("login", "verify", 404):
        if snapshot(world) != before:
            return "refused but changed data"
        if want == 404:
            body = response.content.decode()
            leaked = [s for s in (SECRET_TITLE, "Rhea Assigned", "Olga Organiser") if s in body]
            if leaked:
                return f"the 404 page shows {leaked}"
        return None
    if "no-store" not in response["Cache-Control"]:
        return "may be cached"
    if key.endswith("slides") and (
            response["Content-Type"] != "application/pdf"
            or response["X-Content-Type-Options"] != "nosniff"
            or not response["Content-Disposition"].startswith("attachment")):
        return "slides not sent as an attachment PDF with nosniff"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world):
    """Every endpoint for one role; each request in a savepoint rolled back, so each sees the
    same world (built once per role rather than once per cell)."""
    failures = []
    for key in ENDPOINTS:
        with rolled_back():
            problem = check_endpoint(role, key, world)
            transaction.set_rollback(True)
        if problem:
            failures.append(f"{key}: {problem}")
    assert failures == [], f"{role}:\n" + "\n".join(failures)


def test_reviewer_sees_others_only_after_submitting(world):
    w = world
    event, submission = w["event"], w["submission"]
    scores = {c.pk: 4 for c in review.score_categories(event)}
    other = w["unverified_reviewer"]
    review.save_review(submission, other, scores=scores, submit=True,
                       comment_to_organisers="Hidden judgement of Vic")
    client = client_for("reviewer_assigned", w)
    url = r("submission", w, **code(w))
    page = client.get(url).content.decode()
    assert "Hidden judgement of Vic" not in page
    assert "once you have submitted your own" in page
    client.post(url, {**full_review(w), "action": "save"})  # a draft is not enough
    assert "Hidden judgement of Vic" not in client.get(url).content.decode()
    response = client.post(url, full_review(w))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Hidden judgement of Vic" in page
    assert "Vic Unverified" not in page  # reviews are shown unsigned to other reviewers


def test_reviewer_page_shows_confidential_answers_and_says_so(world):
    Submission.objects.filter(pk=world["submission"].pk).update(
        challenges="Our confidential quench margin", challenges_visibility="confidential",
        iter_help="Aggregate-only wish", iter_help_visibility="aggregate")
    page = client_for("reviewer_assigned", world).get(
        r("submission", world, **code(world))).content.decode()
    assert "Our confidential quench margin" in page and "Aggregate-only wish" in page
    assert "Confidential: organisers and reviewers only" in page
    assert "Do not quote or pass them on" in page


def test_conflicted_submission_is_not_listed(world):
    page = client_for("reviewer_conflict", world).get(r("home", world)).content.decode()
    assert SECRET_TITLE not in page
    page = client_for("reviewer_assigned", world).get(r("home", world)).content.decode()
    assert SECRET_TITLE in page
