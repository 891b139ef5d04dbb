"""The call's API: organisers and reviewers each read the submissions their pages show, with
public answers only; reviews follow the review page's rules (hidden until one's own is
submitted, unsigned for reviewers); a reviewer writes their review through the page's service;
a speaker reads their own submissions."""

from __future__ import annotations

import pytest
from django.test import Client

from fusionforum.cfp import review
from fusionforum.cfp.models import Review
from tests.api.clients import token_client

pytestmark = pytest.mark.django_db

SECRET = "CONFIDENTIAL-materials-7731"
AGGREGATE = "AGGREGATE-only-remark-4410"


def url(event, part=""):
    return f"/api/v1/events/{event.slug}/{part}"


@pytest.fixture
def world(event, call, organiser, make_submission, make_reviewer, author, outsider, org_b):
    """Two submissions of org A (one with a confidential and an aggregate-only answer) and one
    of org B; Rhea reviews the first and org B's; Rex (of org B) is assigned nothing."""
    mine = make_submission(author=author, state="submitted", title="Helix results",
                           challenges=f"We cannot say: {SECRET}",
                           challenges_visibility="confidential",
                           iter_help=f"Only counted: {AGGREGATE}",
                           iter_help_visibility="aggregate")
    draft = make_submission(author=author, title="Unsent draft")
    theirs = make_submission(author=outsider, state="submitted", title="Pinch results")
    rhea = make_reviewer(full_name="Rhea Reviewer")
    rex = make_reviewer(full_name="Rex Reviewer")
    review.assign(mine, rhea, by=organiser)
    review.assign(mine, rex, by=organiser)
    review.assign(theirs, rhea, by=organiser)
    return {"mine": mine, "draft": draft, "theirs": theirs, "rhea": rhea, "rex": rex}


def scores(event, value):
    return [{"category": c.pk, "value": value} for c in review.score_categories(event)]


def test_organisers_read_every_submission_sent_with_public_answers_only(event, organiser,
                                                                        world):
    desk = token_client(organiser)
    body = desk.get(url(event, "submissions/")).json()
    assert {s["title"] for s in body["results"]} == {"Helix results", "Pinch results"}
    helix = desk.get(url(event, f"submissions/{world['mine'].code}/"))
    assert helix.status_code == 200
    answers = {a["question"]: a for a in helix.json()["answers"]}
    assert set(answers) == {"breakthroughs"} and answers["breakthroughs"]["visibility"] == \
        "public"
    text = helix.content.decode()
    assert SECRET not in text and AGGREGATE not in text
    assert desk.get(url(event, f"submissions/{world['draft'].code}/")).status_code == 404
    assert [s["title"] for s in desk.get(url(event, "submissions/?state=submitted"))
            .json()["results"]] != []
    assert desk.get(url(event, "submissions/?state=lost")).status_code == 400


def test_a_reviewer_reads_their_assignments_only(event, world):
    rhea = token_client(world["rhea"])
    titles = {s["title"] for s in rhea.get(url(event, "submissions/")).json()["results"]}
    assert titles == {"Helix results", "Pinch results"}
    assert SECRET not in rhea.get(url(event, f"submissions/{world['mine'].code}/")) \
        .content.decode()
    # A conflict (declared) takes the submission away, as on the reviewer's home page.
    review.declare_conflict(event, world["rhea"], world["theirs"].organisation)
    titles = {s["title"] for s in rhea.get(url(event, "submissions/")).json()["results"]}
    assert titles == {"Helix results"}
    assert rhea.get(url(event, f"submissions/{world['theirs'].code}/")).status_code == 404


def test_nobody_else_reads_submissions(event, world, author, client):
    assert token_client(author).get(url(event, "submissions/")).status_code == 404
    assert client.get(url(event, "submissions/")).status_code == 401


def test_a_reviewer_writes_a_draft_then_submits_through_the_page_service(event, world):
    rhea = token_client(world["rhea"])
    address = url(event, f"submissions/{world['mine'].code}/my-review/")
    assert rhea.get(address).status_code == 404
    draft = rhea.put(address, {"scores": scores(event, 3)[:1], "comment_to_organisers": "Hm"},
                     content_type="application/json")
    assert draft.status_code == 200, draft.content
    assert draft.json()["submitted_at"] is None and draft.json()["weighted_score"] is None
    # Submitting needs every category: the page's message, per category.
    incomplete = rhea.put(address, {"scores": scores(event, 3)[:1], "submit": True},
                          content_type="application/json")
    assert incomplete.status_code == 400
    fields = {e["field"] for e in incomplete.json()["errors"]}
    assert fields == {f"scores.{c.pk}" for c in review.score_categories(event)[1:]}
    too_high = rhea.put(address, {"scores": scores(event, 9), "submit": True},
                        content_type="application/json")
    assert too_high.status_code == 400
    done = rhea.put(address, {"scores": scores(event, 5), "submit": True,
                              "comment_to_speaker": "Well argued."},
                    content_type="application/json")
    assert done.status_code == 200
    assert done.json()["weighted_score"] == "100.000" and done.json()["submitted_at"]
    assert rhea.get(address).json()["comment_to_speaker"] == "Well argued."
    saved = Review.objects.get(reviewer=world["rhea"])
    assert saved.submitted_at is not None


def test_reviewing_closed_is_a_conflict_and_writes_nothing(event, call, world, clock):
    call.review_closes_at = clock.now()
    call.save()
    rhea = token_client(world["rhea"])
    response = rhea.put(url(event, f"submissions/{world['mine'].code}/my-review/"),
                        {"scores": scores(event, 3)}, content_type="application/json")
    assert response.status_code == 409
    assert not Review.objects.exists()


def test_others_reviews_hidden_until_ones_own_is_submitted_and_unsigned(event, organiser,
                                                                        world):
    rhea, rex = token_client(world["rhea"]), token_client(world["rex"])
    code = world["mine"].code
    rex.put(url(event, f"submissions/{code}/my-review/"),
            {"scores": scores(event, 2), "submit": True, "comment_to_organisers": "Weak."},
            content_type="application/json")
    hidden = rhea.get(url(event, f"submissions/{code}/reviews/"))
    assert hidden.status_code == 403 and hidden.json()["code"] == "reviews_hidden"
    rhea.put(url(event, f"submissions/{code}/my-review/"),
             {"scores": scores(event, 4), "submit": True}, content_type="application/json")
    others = rhea.get(url(event, f"submissions/{code}/reviews/")).json()
    assert len(others) == 1
    assert others[0]["reviewer"] is None and others[0]["number"] == 1
    assert others[0]["comment_to_organisers"] == "Weak."
    signed = token_client(organiser).get(url(event, f"submissions/{code}/reviews/")).json()
    assert {r["reviewer"]["name"] for r in signed} == {"Rhea Reviewer", "Rex Reviewer"}


def test_organisers_do_not_write_reviews(event, organiser, world):
    desk = token_client(organiser)
    response = desk.put(url(event, f"submissions/{world['mine'].code}/my-review/"),
                        {"scores": scores(event, 3)}, content_type="application/json")
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_a_speaker_reads_their_own_submissions(event, world, author, outsider):
    mine = token_client(author, scope="read").get("/api/v1/me/submissions/").json()
    assert {s["title"] for s in mine["results"]} == {"Helix results", "Unsent draft"}
    assert SECRET not in str(mine)
    theirs = token_client(outsider, scope="read").get("/api/v1/me/submissions/").json()
    assert [s["title"] for s in theirs["results"]] == ["Pinch results"]
    assert Client().get("/api/v1/me/submissions/").status_code == 401
