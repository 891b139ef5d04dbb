"""The call's API: organisers and reviewers each read the submissions their pages show, with
public answers only; reviews follow the review page's rules (hidden until one's own is
submitted, unsigned for reviewers); a reviewer writes their review through the page's service;
a speaker reads their own submissions."""

from __future__ import annotations

import pytest
from django.test import Client

from fusionforum.cfp import review
from fusionforum.cfp.models import Review
from fusionforum.notifications.models import OutboundEmail
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


def decision(client, event, submission, **body):
    return client.post(url(event, f"submissions/{submission.code}/decision/"), body,
                       content_type="application/json")


def test_organisers_decide_through_the_page_service(event, organiser, world):
    desk = token_client(organiser)
    helix = world["mine"]
    accepted = decision(desk, event, helix, decision="accepted", duration_minutes=25,
                        note="Strong results")
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["outcome"] == "“Helix results” accepted; the speakers are e-mailed."
    assert body["submission"]["state"] == "accepted"
    assert SECRET not in accepted.content.decode()
    helix.refresh_from_db()
    assert helix.state == "accepted" and helix.duration_minutes == 25
    assert helix.transitions.last().note == "Strong results"
    assert helix.transitions.last().by == organiser
    assert [e.to for e in OutboundEmail.objects.filter(purpose="cfp-accepted")] == [
        [helix.speaker_links.get().user.email]]
    # A decision is corrected as the life cycle allows, in the reader's language.
    rejected = desk.post(url(event, f"submissions/{helix.code}/decision/"),
                         {"decision": "rejected"}, content_type="application/json",
                         HTTP_ACCEPT_LANGUAGE="fr")
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["submission"]["state"] == "rejected"
    assert rejected.json()["outcome"] == ("«\xa0Helix results\xa0» refusée\u202f; les intervenants "
                                          "sont prévenus par e-mail.")


def test_a_decision_the_state_forbids_is_a_conflict_and_writes_nothing(event, organiser,
                                                                       world):
    desk = token_client(organiser)
    pinch = world["theirs"]
    pinch.state = "withdrawn"
    pinch.save(update_fields=["state"])
    refused = decision(desk, event, pinch, decision="accepted")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "conflict" and refused.json()["detail"]
    pinch.refresh_from_db()
    assert pinch.state == "withdrawn"
    assert not OutboundEmail.objects.filter(purpose__startswith="cfp-").exists()


def test_a_decision_with_bad_fields_is_a_400_with_the_forms_errors(event, organiser, world):
    desk = token_client(organiser)
    helix = world["mine"]
    for body, field in (({"decision": "maybe"}, "decision"), ({}, "decision"),
                        ({"decision": "rejected", "duration_minutes": 30}, "duration_minutes"),
                        ({"decision": "accepted", "duration_minutes": 2}, "duration_minutes"),
                        ({"decision": "accepted", "note": "two\nlines"}, "note"),
                        ({"decision": "accepted", "note": "x" * 301}, "note")):
        answer = decision(desk, event, helix, **body)
        assert answer.status_code == 400, (body, answer.content)
        assert answer["Content-Type"] == "application/problem+json"
        assert answer.json()["errors"][0]["field"] == field, (body, answer.json())
    helix.refresh_from_db()
    assert helix.state == "submitted"
    # A draft is not on the organisers' pages: 404.
    assert decision(desk, event, world["draft"], decision="accepted").status_code == 404


def test_only_the_events_organisers_decide(event, organiser, world, author):
    helix = world["mine"]
    assert decision(Client(), event, helix, decision="accepted").status_code == 401
    assert decision(token_client(world["rhea"]), event, helix,
                    decision="accepted").status_code == 404
    assert decision(token_client(author), event, helix, decision="accepted").status_code == 404
    assert decision(token_client(organiser, scope="read"), event, helix,
                    decision="accepted").status_code == 403
    helix.refresh_from_db()
    assert helix.state == "submitted"
