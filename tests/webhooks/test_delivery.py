# ruff: noqa: F811  (fixtures imported from tests/registration are used as arguments)
"""Webhooks reach a real receiver on 127.0.0.1: signed (Standard Webhooks), after the commit,
in order within one object, retried after failures on the business clock, redelivered by
hand, and an endpoint that keeps failing is disabled with an e-mail to the organisers."""

from __future__ import annotations

import datetime as dt

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from fusionforum.core.models import AuditEntry
from fusionforum.notifications.models import OutboundEmail
from fusionforum.registration import services as registration
from fusionforum.webhooks import services
from fusionforum.webhooks.models import Attempt, Endpoint, Message
from tests.registration.conftest import (  # noqa: F401 (fixtures)
    make_organisation,
    make_person,
    open_registration,
    register,
)

pytestmark = pytest.mark.django_db


def verified(receiver, secret) -> list[dict]:
    """Every request the receiver got, checked with the package's own verifier."""
    return [Webhook(secret).verify(r["body"], r["headers"]) for r in receiver.requests]


def test_a_registration_reaches_the_receiver_signed_after_commit(
        endpoint, receiver, open_registration, make_person, register,
        django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    open_registration()
    person = make_person(full_name="Ada Delegate")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(person)
    assert receiver.requests == []  # nothing is sent before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    payloads = verified(receiver, secret)
    assert [p["type"] for p in payloads] == ["registration.created", "registration.confirmed"]
    data = payloads[0]["data"]
    assert data["person"] == {"id": person.pk, "name": "Ada Delegate", "email": person.email}
    assert data["status"] == "confirmed" and data["event"] == endpoint.event.slug
    assert dt.datetime.fromisoformat(payloads[0]["timestamp"])
    first = receiver.requests[0]["headers"]
    assert first["webhook-id"].startswith("msg_")
    assert first["webhook-signature"].startswith("v1,")
    assert first["Content-Type"] == "application/json"
    assert set(Message.objects.values_list("outcome", flat=True)) == {"delivered"}
    attempt = Attempt.objects.order_by("pk").first()
    assert attempt.status_code == 200 and attempt.succeeded and attempt.latency_ms is not None
    assert "test receiver" in attempt.response_excerpt
    # A wrong secret does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(receiver.requests[0]["body"], first)


def test_only_the_chosen_types_of_enabled_endpoints_are_sent(
        event, organiser, receiver, open_registration, make_person, register,
        django_capture_on_commit_callbacks):
    only_cancelled, _ = services.create_endpoint(
        event, url=receiver.url, description="", event_types=["registration.cancelled"],
        by=organiser)
    open_registration()
    person = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        done = register(person)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        registration.cancel(done, by=person)
    assert receiver.types() == ["registration.cancelled"]
    services.set_enabled(only_cancelled, False, by=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        register(make_person())
    assert len(receiver.requests) == 1


def test_a_rolled_back_change_sends_nothing(endpoint, receiver, open_registration, make_person,
                                            django_capture_on_commit_callbacks):
    from django.db import transaction

    open_registration()
    person = make_person()
    class Failed(Exception):
        pass

    with (django_capture_on_commit_callbacks(execute=True), pytest.raises(Failed),
          transaction.atomic()):
        done = registration.submit(endpoint[0].event, person,
                                   organisation=person.organisation, answers={},
                                   consent_public_list=False)
        assert done.status == "confirmed"
        raise Failed("the request failed after the registration")
    assert receiver.requests == [] and not Message.objects.exists()


def test_a_failed_attempt_is_retried_on_the_schedule_then_delivered(
        endpoint, receiver, clock, open_registration, make_person, register,
        django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    endpoint.event_types = ["registration.created"]
    endpoint.save()
    open_registration()
    receiver.answers = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        register(make_person())
    message = Message.objects.get()
    assert (message.outcome, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == clock.now() + dt.timedelta(seconds=5)
    assert services.run_due() == 0  # not due yet
    clock.advance(seconds=5)
    assert services.run_due() == 1  # second attempt: 503
    message.refresh_from_db()
    assert message.next_attempt_at == clock.now() + dt.timedelta(minutes=5)
    clock.advance(minutes=5)
    assert services.run_due() == 1
    message.refresh_from_db()
    assert (message.outcome, message.attempts) == ("delivered", 3)
    assert [a.status_code for a in message.attempt_log.order_by("number")] == [500, 503, 200]
    assert [a.number for a in message.attempt_log.order_by("number")] == [1, 2, 3]
    # The same message each time: same id, same body, each signature valid.
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    assert len({r["body"] for r in receiver.requests}) == 1
    verified(receiver, secret)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_later_event_of_one_object_waits_for_the_earlier_one(
        endpoint, receiver, clock, open_registration, make_person, register,
        django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    open_registration()
    receiver.answers = [500]  # the first message ("created") fails once
    first = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        done = register(first)
    assert receiver.types() == ["registration.created"]  # "confirmed" was held back
    # Another person's registration is not held back by the first one's.
    with django_capture_on_commit_callbacks(execute=True):
        register(make_person())
    assert receiver.types()[1:] == ["registration.created", "registration.confirmed"]
    # A cancellation of the first registration still waits behind its "created".
    with django_capture_on_commit_callbacks(execute=True):
        registration.cancel(done, by=first)
    assert len(receiver.requests) == 3
    clock.advance(seconds=5)
    services.run_due()
    ids = [p["data"]["id"] for p in receiver.payloads()]
    mine = [p["type"] for p, pk in zip(receiver.payloads(), ids, strict=True) if pk == done.pk]
    assert mine == ["registration.created", "registration.created", "registration.confirmed",
                    "registration.cancelled"]
    assert not Message.objects.filter(outcome="pending").exists()


def test_a_given_up_message_lets_the_next_of_its_object_through(
        endpoint, receiver, clock, open_registration, make_person, register,
        django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    open_registration()
    receiver.answers = [500] * services.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        register(make_person())
    for delay in services.RETRY_DELAYS:
        clock.advance(seconds=delay.total_seconds())
        services.run_due()
    created, confirmed = Message.objects.order_by("pk")
    created.refresh_from_db()
    assert (created.outcome, created.attempts) == ("given_up", services.MAX_ATTEMPTS)
    confirmed.refresh_from_db()
    assert confirmed.outcome == "delivered"
    assert receiver.types()[-1] == "registration.confirmed"


def test_redelivery_sends_the_same_message_again(endpoint, receiver, organiser, clock,
                                                 django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_ping(endpoint, by=organiser)
    message.refresh_from_db()
    assert message.outcome == "delivered"
    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(message, by=organiser)
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["webhook-id"] == \
        receiver.requests[1]["headers"]["webhook-id"]
    payloads = verified(receiver, secret)
    assert payloads[0] == payloads[1] and payloads[0]["type"] == "webhook.ping"
    last = message.attempt_log.order_by("-number").first()
    assert (last.number, last.manual, last.succeeded) == (2, True, True)
    assert AuditEntry.objects.filter(action="webhooks.redelivered").count() == 1


def test_redelivery_of_a_given_up_message_marks_it_delivered(
        endpoint, receiver, organiser, clock, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    receiver.always = 500
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_ping(endpoint, by=organiser)
    for delay in services.RETRY_DELAYS:
        clock.advance(seconds=delay.total_seconds())
        services.run_due()
    message.refresh_from_db()
    assert message.outcome == "given_up"
    receiver.always = 204
    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(message, by=organiser)
    message.refresh_from_db()
    assert message.outcome == "delivered"
    assert message.attempt_log.count() == services.MAX_ATTEMPTS + 1


def test_rotation_signs_with_both_secrets_during_the_grace_period(
        endpoint, receiver, organiser, clock, django_capture_on_commit_callbacks):
    endpoint, old = endpoint
    new = services.rotate_secret(endpoint, by=organiser)
    assert new != old and new.startswith("whsec_")
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(endpoint, by=organiser)
    request = receiver.requests[-1]
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request["body"], request["headers"])
    Webhook(new).verify(request["body"], request["headers"])
    clock.advance(hours=25)
    endpoint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(endpoint, by=organiser)
    request = receiver.requests[-1]
    Webhook(new).verify(request["body"], request["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request["body"], request["headers"])


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_organisers_are_told(
        endpoint, receiver, clock, organiser, open_registration, make_person, register,
        mailoutbox, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    endpoint.event_types = ["registration.created"]
    endpoint.save()
    open_registration(capacity=10, delegates_per_organisation=10)
    receiver.always = 500
    for _n in range(services.DISABLE_AFTER_MESSAGES):
        with django_capture_on_commit_callbacks(execute=True):
            register(make_person())
    for _step in range(12):
        clock.advance(hours=3)
        services.run_due()
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.messages_given_up == services.DISABLE_AFTER_MESSAGES
    assert "given up" in endpoint.disabled_reason
    email = OutboundEmail.objects.get(purpose="webhook-disabled")
    assert email.to == [organiser.email]
    assert endpoint.url in email.body and f"/webhooks/{endpoint.pk}/" in email.body
    assert AuditEntry.objects.filter(action="webhooks.endpoint_disabled").exists()
    # Nothing more is queued or sent to a disabled endpoint.
    sent = len(receiver.requests)
    with django_capture_on_commit_callbacks(execute=True):
        register(make_person())
    clock.advance(hours=1)
    services.run_due()
    assert len(receiver.requests) == sent
    # Enabled again: the counters start again.
    services.set_enabled(endpoint, True, by=organiser)
    endpoint.refresh_from_db()
    assert (endpoint.failing_since, endpoint.messages_given_up) == (None, 0)


def test_one_failing_message_does_not_disable_an_endpoint(
        endpoint, receiver, clock, organiser, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    receiver.always = 500
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(endpoint, by=organiser)
    for _step in range(12):
        clock.advance(hours=3)
        services.run_due()
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.messages_given_up == 1
    assert not OutboundEmail.objects.filter(purpose="webhook-disabled").exists()


def test_a_slow_receiver_times_out_and_the_excerpt_is_capped(
        endpoint, receiver, organiser, monkeypatch, django_capture_on_commit_callbacks):
    from fusionforum.webhooks import net

    endpoint, secret = endpoint
    monkeypatch.setattr(net, "EXCERPT", 10)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_ping(endpoint, by=organiser)
    attempt = Attempt.objects.get()
    assert attempt.response_excerpt == "status 200"
    # A server that accepts and never answers: the attempt ends at the timeout.
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        answer = net.post(f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", {},
                          timeout=0.5)
    finally:
        silent.close()
    assert answer.status_code is None and answer.error.startswith("timeout")
    assert answer.latency_ms < 2000


def test_managing_endpoints_is_audited_and_refused_to_others(event, organiser, receiver,
                                                            make_user):
    from django.core.exceptions import PermissionDenied

    endpoint, _ = services.create_endpoint(event, url=receiver.url, description="CRM",
                                           event_types=["checkin.created"], by=organiser)
    services.update_endpoint(endpoint, url=receiver.url, description="Badge printer",
                             event_types=["checkin.created", "registration.created"],
                             by=organiser)
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["registration.created", "checkin.created"]
    stranger = make_user("stranger@test.invalid")
    with pytest.raises(PermissionDenied):
        services.rotate_secret(endpoint, by=stranger)
    with pytest.raises(PermissionDenied):
        services.create_endpoint(event, url=receiver.url, description="",
                                 event_types=["checkin.created"], by=stranger)
    services.delete_endpoint(endpoint, by=organiser)
    assert not Endpoint.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="webhooks.")
                .order_by("pk").values_list("action", flat=True)) == [
        "webhooks.endpoint_created", "webhooks.endpoint_changed", "webhooks.endpoint_deleted"]


def test_retries_wake_one_deferred_job_not_one_per_message(
        endpoint, receiver, clock, organiser, monkeypatch, open_registration, make_person,
        register, django_capture_on_commit_callbacks):
    """Many failing messages of one endpoint: one job deferred to the next due attempt."""
    endpoint, secret = endpoint
    endpoint.event_types = ["registration.created"]
    endpoint.save()
    deferred = []
    real = services.enqueue_delivery

    def recording(endpoint_id, run_after=None):
        if run_after is not None:
            deferred.append(run_after)
        return real(endpoint_id, run_after)

    monkeypatch.setattr(services, "enqueue_delivery", recording)
    open_registration(capacity=10, delegates_per_organisation=10)
    receiver.always = 500
    for _n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            register(make_person())
    assert Message.objects.filter(outcome="pending", attempts=1).count() == 5
    assert deferred == [clock.now() + services.RETRY_DELAYS[0]]
    clock.advance(seconds=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_due()
    assert deferred[1:] == [clock.now() + services.RETRY_DELAYS[1]]


def test_a_deleted_account_is_redacted_from_the_messages_and_old_ones_are_purged(
        endpoint, receiver, clock, open_registration, make_person, register,
        django_capture_on_commit_callbacks):
    from fusionforum.accounts import services as accounts

    endpoint, secret = endpoint
    open_registration()
    leaving, staying = make_person(), make_person()
    receiver.always = 500  # nothing delivered: the messages wait for a retry
    with django_capture_on_commit_callbacks(execute=True):
        register(leaving)
        register(staying)
    email = leaving.email
    with django_capture_on_commit_callbacks(execute=True):
        accounts.delete_account(leaving)
    assert not Message.objects.filter(body__contains=email).exists()
    redacted = Message.objects.filter(body__contains="account was deleted")
    assert redacted.count() == 2 and set(redacted.values_list("outcome", flat=True)) == {
        "given_up"}
    # The deletion's own cancellation is sent, built from the anonymised account.
    cancelled = Message.objects.get(event_type="registration.cancelled")
    assert email not in cancelled.body and "deleted-" in cancelled.body
    assert Message.objects.filter(body__contains=staying.email).count() == 2
    # Finished messages older than 30 days leave the log.
    clock.advance(days=31)
    assert services.purge_old_messages() == 2
    assert Message.objects.filter(outcome="pending").exists()


def test_the_scheduler_command_sends_what_is_due(endpoint, receiver, clock, organiser,
                                                 django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    endpoint, secret = endpoint
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_ping(endpoint, by=organiser)
    clock.advance(seconds=5)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("deliver_webhooks", stdout=out)
    assert out.getvalue().startswith("1 webhook attempt(s) made; 0 finished message(s)")
    message.refresh_from_db()
    assert message.outcome == "delivered"
