"""The vault's services: sealing, status, deadlines, decisions, rotation, purge, forgetting."""

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.db import connection

from fusionforum.accounts import personal_data
from fusionforum.notifications.models import OutboundEmail
from fusionforum.vault import crypto, services
from fusionforum.vault.models import AccessLogEntry, AccessRecord
from fusionforum.vault.signals import clearance_decided

from .conftest import identity, paris

pytestmark = pytest.mark.django_db


def test_values_are_sealed_and_bound_to_their_row(submitted, event, alice, bob):
    raw = AccessRecord.objects.filter(pk=submitted.pk).values_list("sealed", flat=True)[0]
    assert "P1234567" not in raw and "Alice Marie" not in raw
    assert services.owner_values(submitted)["document_number"] == "P1234567"
    assert submitted.filled_fields == list(identity())
    # A ciphertext copied onto another person's row is refused, not shown as theirs.
    with pytest.raises(crypto.VaultKeyError) as refused:
        crypto.open_sealed(raw, event_id=event.pk, user_id=bob.pk)
    assert "P1234567" not in str(refused.value)
    assert "P1234567" not in repr(submitted) and "P1234567" not in str(submitted)


def test_status_of_each_kind_of_person(clock, event, alice, bob, make_user, seats):
    stranger = make_user()
    assert services.clearance_status(event, stranger) == "not_required"
    assert services.clearance_status(event, alice) == "missing"
    services.submit(event, alice, identity())
    assert services.clearance_status(event, alice) == "submitted"
    assert services.statuses(event) == {alice.pk: "submitted", bob.pk: "missing"}


def test_only_seat_holders_before_the_deadline_and_before_the_decision(
        clock, event, alice, officer, make_user):
    with pytest.raises(services.NotRequired):
        services.submit(event, make_user(), identity())
    services.submit(event, alice, identity())
    services.submit(event, alice, identity(document_number="P7654321"))  # a correction
    assert AccessRecord.objects.count() == 1
    assert services.owner_values(services.record_for(event, alice))["document_number"] \
        == "P7654321"
    services.decide(event, officer, alice, approve=True)
    with pytest.raises(services.AlreadyDecided):
        services.submit(event, alice, identity())
    clock.set(paris(2027, 5, 25, 9, 1))
    with pytest.raises(services.DeadlinePassed):
        services.submit(event, alice, identity())


def test_refusal_sends_the_signal_in_the_transaction_and_mails_no_value(
        clock, event, submitted, alice, officer, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["user"], kwargs["status"], kwargs["by"],
                      connection.in_atomic_block))

    clearance_decided.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(services.VaultError):
                services.decide(event, officer, alice, approve=False, reason="")
            services.decide(event, officer, alice, approve=False,
                            reason="Document could not be verified")
    finally:
        clearance_decided.disconnect(listener)
    assert heard == [(alice, "refused", officer, True)]
    assert services.clearance_status(event, alice) == "refused"
    email = OutboundEmail.objects.get(purpose="vault.decision")
    assert email.to == [alice.email]
    assert "P1234567" not in email.body and "Alice Marie" not in email.body
    assert [m.body for m in mail.outbox if "P1234567" in m.body] == []
    assert AccessLogEntry.objects.filter(action="refuse", subject=alice).exists()
    with pytest.raises(services.AlreadyDecided):
        services.decide(event, officer, alice, approve=True)


def test_rotation_re_encrypts_with_the_first_key(submitted, settings, event, alice):
    old = settings.VAULT_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.VAULT_KEYS = [new, old]
    call_command("rotate_vault_keys", stdout=io.StringIO())
    settings.VAULT_KEYS = [new]  # the old key is gone: everything still opens
    record = AccessRecord.objects.get(pk=submitted.pk)
    assert services.owner_values(record)["document_number"] == "P1234567"
    settings.VAULT_KEYS = [old]
    with pytest.raises(crypto.VaultKeyError):
        services.owner_values(record)


def test_keys_must_be_set_and_not_the_secret_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.VAULT_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        crypto.fernet()
    settings.VAULT_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured):
        crypto.fernet()


def test_purge_after_the_configured_days_keeps_status_and_log(
        clock, event, submitted, alice, bob, officer):
    services.submit(event, bob, identity(document_number="B999"))
    services.decide(event, officer, alice, approve=True)
    vault_settings = services.settings_for(event)
    vault_settings.purge_after_days = 3
    vault_settings.save()
    clock.set(paris(2027, 5, 31, 11, 59))  # last tour ended 28 May 12:00
    assert services.purge_due() == 0
    clock.set(paris(2027, 5, 31, 12, 0))
    call_command("purge_vault", stdout=io.StringIO())
    record = AccessRecord.objects.get(pk=submitted.pk)
    assert record.sealed == "" and record.filled_fields == [] and record.purged_at
    assert services.clearance_status(event, alice) == "approved"
    assert services.clearance_status(event, bob) == "submitted"
    assert AccessLogEntry.objects.filter(action="purge").count() == 2
    assert AccessLogEntry.objects.filter(action="approve", subject=alice).exists()
    assert services.purge_due() == 0  # idempotent


def test_purge_job_is_queued_at_the_due_date_with_a_deferring_backend(
        clock, event, alice, settings, django_capture_on_commit_callbacks):
    from django_tasks import task_backends

    from fusionforum.vault.tasks import purge_event

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    task_backends._settings = None
    if hasattr(task_backends, "_backends"):
        task_backends._backends = {}
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.submit(event, alice, identity())
        backend = purge_event.get_backend()
        results = list(backend.results)
        assert [r.task.run_after for r in results] == [paris(2027, 6, 4, 12, 0)]
        assert results[0].args == [event.pk]
    finally:
        task_backends._settings = None
        if hasattr(task_backends, "_backends"):
            task_backends._backends = {}
    # The job itself purges what is due, and only that.
    purge_event.call(event.pk)
    assert AccessRecord.objects.get(user=alice).sealed
    clock.set(paris(2027, 6, 4, 12, 0))
    purge_event.call(event.pk)
    assert AccessRecord.objects.get(user=alice).sealed == ""


def test_a_person_without_a_seat_any_more_is_purged_from_the_recorded_last_tour(
        clock, event, submitted, alice, seats):
    seats.take_away(event, alice)
    clock.set(paris(2027, 6, 4, 12, 0))
    assert services.purge_due() == 1


def test_own_data_download_and_account_deletion(clock, event, submitted, alice, officer):
    services.decide(event, officer, alice, approve=True)
    section = personal_data.export(alice)["site_access"]
    # The owner's own download includes their values: their right, sent only to them.
    assert section[0]["values"]["Document number"] == "P1234567"
    assert section[0]["values"]["Document type"] == "Passport"
    assert section[0]["values"]["Nationality"] == "France (FR)"
    assert section[0]["status"] == "approved"
    personal_data.anonymise(alice)
    record = AccessRecord.objects.get(pk=submitted.pk)
    assert record.sealed == "" and record.status == "approved"
    assert personal_data.export(alice)["site_access"][0]["values"] == {}


def test_overview_has_every_holder_and_no_value(clock, event, submitted, bob):
    rows = services.overview(event)
    assert {row["status"] for row in rows} == {"submitted", "missing"}
    assert "P1234567" not in repr(rows)


def test_demo_loader_creates_every_state_and_the_officer(clock, event, seats, make_user):
    from fusionforum.events.models import TeamMembership
    from fusionforum.vault import demo

    people = [make_user(f"demo{n}@test.invalid", full_name=f"Demo Person{n}") for n in range(12)]
    for person in people:
        seats.give(event, person)
    summary = demo.load(event)
    assert "security officer" in summary
    records = AccessRecord.objects.count()
    assert 0 < records < len(people)  # some people's data stays missing
    states = set(services.statuses(event).values())
    assert states == {"missing", "submitted", "approved", "refused"}
    officer = TeamMembership.objects.get(event=event, role="security_officer").user
    assert officer.email == demo.SECURITY_EMAIL
    assert officer.staticdevice_set.get().token_set.count() == 10
    assert demo.load(event) == summary  # a reload keeps everyone's state
    assert AccessRecord.objects.count() == records


def test_log_survives_and_deadline_is_the_providers(event, seats, make_user, clock):
    early = make_user()
    seats.give(event, early, due=paris(2027, 5, 22, 9, 0))
    seats.give(event, early, first_start=paris(2027, 5, 27, 9, 0),
               last_end=paris(2027, 5, 27, 11, 0), due=paris(2027, 5, 21, 9, 0))
    from fusionforum.vault import registry

    holder = registry.seat_holder(event, early)
    assert holder.clearance_due == paris(2027, 5, 21, 9, 0)
    assert holder.first_start == paris(2027, 5, 27, 9, 0)
    assert holder.last_end == paris(2027, 5, 28, 12, 0)
    assert dt.timedelta(0) < holder.last_end - holder.first_start
