# ruff: noqa: F811  (fixtures imported from other test packages are used as arguments)
"""Each event type's payload: the REST API's representation of the object, emitted by the
service where the change happens. The confidential canaries (a confidential answer, an
aggregate-only answer, a confidential meeting topic) never appear in any payload, neither in
what the receiver got nor in the stored messages."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from fusionforum.cfp import lifecycle
from fusionforum.core import happenings
from fusionforum.webhooks.models import Message
from tests.programme.conftest import (  # noqa: F401 (fixtures)
    CONFIDENTIAL_PHRASE,
    call,
    local,
    make_cfp_organisation,
    make_participant,
    make_room,
    make_session,
    make_submission,
    place,
    placed_talks,
    rooms,
    sessions,
)

pytestmark = pytest.mark.django_db

CONFIDENTIAL = "CANARY-CONFIDENTIAL-ANSWER-7731"
AGGREGATE = "CANARY-AGGREGATE-ANSWER-7732"
TOPIC = "CANARY-CONFIDENTIAL-TOPIC-7733"
CANARIES = (CONFIDENTIAL, AGGREGATE, TOPIC, CONFIDENTIAL_PHRASE)


def assert_no_canary(receiver):
    for request in receiver.requests:
        for canary in CANARIES:
            assert canary.encode() not in request["body"], canary
    for body in Message.objects.values_list("body", flat=True):
        for canary in CANARIES:
            assert canary not in body, canary


def test_submission_payloads_carry_public_answers_only(
        endpoint, receiver, make_submission, organiser, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = make_submission(
            state="confirmed", title="Compact stellarator",
            breakthroughs="Public result: a fictional record.",
            challenges=f"Secret: {CONFIDENTIAL}.", challenges_visibility="confidential",
            iter_help=f"Counted only: {AGGREGATE}.", iter_help_visibility="aggregate")
        make_submission(state="rejected", challenges=f"Again {CONFIDENTIAL}",
                        challenges_visibility="confidential")
    payloads = [Webhook(secret).verify(r["body"], r["headers"]) for r in receiver.requests]
    assert [p["type"] for p in payloads] == [
        "submission.submitted", "submission.accepted", "submission.confirmed",
        "submission.submitted", "submission.rejected"]
    data = payloads[2]["data"]
    assert (data["code"], data["state"], data["title"]) == (
        confirmed.code, "confirmed", "Compact stellarator")
    assert data["answers"] == [{"question": "breakthroughs", "visibility": "public",
                                "text": "Public result: a fictional record."}]
    assert_no_canary(receiver)


def test_a_withdrawn_submission_sends_nothing(endpoint, receiver, make_submission,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = make_submission(state="draft")
        lifecycle.move(submission, "withdrawn", by=None)
    assert receiver.requests == []


def test_a_check_in_is_sent(endpoint, receiver, event, organiser, make_participant,
                            django_capture_on_commit_callbacks):
    from fusionforum.registration import frontdesk
    from fusionforum.registration.models import Registration

    endpoint, secret = endpoint
    person = make_participant(full_name="Cora Checked")
    registration = Registration.objects.get(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        frontdesk.check_in_registration(registration.pk, by=organiser, event=event)
    (payload,) = [Webhook(secret).verify(r["body"], r["headers"]) for r in receiver.requests]
    assert payload["type"] == "checkin.created"
    data = payload["data"]
    assert data["registration"]["id"] == registration.pk
    assert data["registration"]["person"]["name"] == "Cora Checked"
    assert data["checked_in_by"] == organiser.get_full_name() and data["checked_in_at"]


def test_a_programme_release_is_sent_without_confidential_answers(
        endpoint, receiver, event, organiser, placed_talks, clock,
        django_capture_on_commit_callbacks):
    from fusionforum.programme import releases

    endpoint, secret = endpoint
    with django_capture_on_commit_callbacks(execute=True):
        release = releases.release(event, by=organiser, comment="First programme.")
    payload = Webhook(secret).verify(receiver.requests[-1]["body"],
                                     receiver.requests[-1]["headers"])
    assert payload["type"] == "programme.released"
    data = payload["data"]
    assert (data["id"], data["version"], data["comment"]) == (release.pk, 1, "First programme.")
    assert data["changes"]["added"] == 3
    assert data["links"]["programme"].endswith(f"/{event.slug}/programme/")
    assert_no_canary(receiver)


def test_the_meetings_day_and_outcomes_report_are_sent_without_topics(
        endpoint, receiver, event, organiser, clock, django_capture_on_commit_callbacks):
    from fusionforum.meetings.models import MeetingRelease
    from fusionforum.outcomes.models import ReportVersion

    endpoint, secret = endpoint
    meeting = {"request": 1, "expert": 1, "attendees": [], "topic": TOPIC,
               "topic_visibility": "confidential", "start": "2027-05-28T09:00:00+02:00",
               "end": "2027-05-28T09:30:00+02:00"}
    with django_capture_on_commit_callbacks(execute=True):
        first = MeetingRelease.objects.create(
            event=event, version=1, published_at=clock.now(), published_by=organiser,
            snapshot={"meetings": [meeting]}, changes={"added": [1]})
        happenings.announce("meetings.published", first, event=event)
        second = MeetingRelease.objects.create(
            event=event, version=2, published_at=clock.now(), published_by=organiser,
            snapshot={"meetings": [meeting, meeting]}, changes={"added": [2], "moved": [1]})
        happenings.announce("meetings.changed", second, event=event)
        report = ReportVersion.objects.create(event=event, version=1,
                                              published_at=clock.now(), comment="First",
                                              data={"themes": [{"name": "Magnets"}]})
        happenings.announce("outcomes.published", report, event=event)
    payloads = [Webhook(secret).verify(r["body"], r["headers"]) for r in receiver.requests]
    assert [p["type"] for p in payloads] == ["meetings.published", "meetings.changed",
                                             "outcomes.published"]
    assert payloads[1]["data"]["meetings"] == 2
    assert payloads[1]["data"]["changes"] == {"added": 1, "removed": 0, "moved": 1}
    assert payloads[2]["data"]["themes"] == 1
    assert payloads[2]["data"]["links"]["json"].endswith(f"/{event.slug}/outcomes/v/1/report.json")
    assert_no_canary(receiver)
    # The meetings day is one object: version 2 never overtakes version 1.
    keys = set(Message.objects.filter(event_type__startswith="meetings.")
               .values_list("object_key", flat=True))
    assert keys == {f"meetings:event-{event.pk}"}


def test_the_services_announce_what_they_do():
    """The services that have no life cycle announce their change (the webhooks hear it)."""
    import inspect

    from fusionforum.meetings import publishing
    from fusionforum.outcomes import services as outcomes
    from fusionforum.programme import releases
    from fusionforum.registration import frontdesk

    for function, kinds in ((publishing.publish, ("meetings.published", "meetings.changed")),
                            (outcomes.publish, ("outcomes.published",)),
                            (releases.release, ("programme.released",)),
                            (frontdesk._check_in, ("checkin.created",))):
        source = inspect.getsource(function)
        assert "happenings.announce(" in source
        for kind in kinds:
            assert f'"{kind}"' in source
