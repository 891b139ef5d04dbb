"""Top-level services are the outermost transaction (``transaction.atomic(durable=True)``):
called inside a caller's transaction they refuse at once (RuntimeError, nothing written),
because their commit is what they promise (the seat is held, the check-in recorded, the
meetings re-checked under the lock) and a caller's rollback would silently undo it.

Tests may still call them: pytest-django's ``db`` fixture wraps each test in the transaction
of Django's TestCase, which Django marks so that a durable block inside it runs (checked here
on whichever database the suite runs on: SQLite by default, PostgreSQL with DATABASE_URL);
with ``transaction=True`` there is no wrapping transaction and the durable block commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from fusionforum.accounts.models import Organisation
from fusionforum.core.models import AuditEntry
from fusionforum.meetings import services as meetings
from fusionforum.meetings.models import MeetingSettings
from fusionforum.registration import frontdesk
from fusionforum.registration.models import Registration
from fusionforum.visits import services as visits
from fusionforum.visits.models import TourType

from ..conftest import paris


@pytest.fixture
def meeting_day(event, clock):
    return MeetingSettings.objects.create(
        event=event, date=dt.date(2027, 5, 28), start_time=dt.time(9, 0),
        end_time=dt.time(12, 0), slot_minutes=30, breaks=[],
        requests_open_at=paris(2027, 5, 1, 9), requests_close_at=paris(2027, 5, 25, 18))


@pytest.fixture
def guest(event, make_user):
    organisation = Organisation.objects.create(name="Guest Labs (fictional)",
                                               kind=Organisation.Kind.SUPPLIER, country="FR")
    user = make_user(full_name="Gus Guest", organisation=organisation)
    return Registration.objects.create(event=event, user=user, organisation=organisation,
                                       status="confirmed",
                                       submitted_at=paris(2027, 5, 2, 10), seat_pool="general")


def top_level_calls(event, organiser, guest):
    """One call of each kind of top-level service: (name, call, what it writes)."""
    return [
        ("visits.save_tour", lambda: visits.save_tour(
            TourType(event=event, name="Hall", description="Assembly hall"), by=organiser),
         lambda: TourType.objects.filter(event=event).exists()),
        ("meetings.lose_slot", lambda: meetings.lose_slot(event, 1, by=organiser),
         lambda: MeetingSettings.objects.get(event=event).lost_slots == [1]),
        ("frontdesk.check_in_registration", lambda: frontdesk.check_in_registration(
            guest.pk, by=organiser, event=event),
         lambda: Registration.objects.get(pk=guest.pk).checked_in_at is not None),
    ]


@pytest.mark.django_db
def test_inside_a_callers_transaction_a_top_level_service_refuses(event, organiser, guest,
                                                                  meeting_day):
    audit_before = AuditEntry.objects.count()
    for name, call, wrote in top_level_calls(event, organiser, guest):
        with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
            call()
        assert not wrote(), name
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_inside_the_test_cases_transaction_a_top_level_service_runs(event, organiser, guest,
                                                                    meeting_day):
    # The db fixture's own transaction is open here, marked as Django's TestCase marks it.
    assert connection.in_atomic_block
    for name, call, wrote in top_level_calls(event, organiser, guest):
        call()
        assert wrote(), name


@pytest.mark.django_db(transaction=True)
def test_without_a_wrapping_transaction_a_top_level_service_commits(event, organiser, guest,
                                                                    meeting_day):
    assert not connection.in_atomic_block
    for name, call, wrote in top_level_calls(event, organiser, guest):
        call()
        assert wrote(), name
