"""A registration that ends frees its holder's tour seats: visits listens to the registration's
life cycle (``core.lifecycle.moved``, after commit), not to every save of the row."""

from __future__ import annotations

import pytest
from django.db import transaction

from fusionforum.registration import services as registration_services
from fusionforum.registration.models import Registration, RegistrationSettings
from fusionforum.visits import services
from fusionforum.visits.models import Seat
from fusionforum.visits.states import SeatStatus
from tests.conftest import paris

S = SeatStatus


@pytest.fixture
def seated(event, tours, allocated, make_participant, clearances):
    """Leaving holds the cryogenics seat (capacity 1), Waiting (cleared) waits for it."""
    RegistrationSettings.objects.get_or_create(event=event, defaults={
        "opens_at": paris(2027, 3, 1), "closes_at": paris(2027, 5, 20), "capacity": 100})
    leaving, waiting = make_participant("Leaving"), make_participant("Waiting")
    clearances[waiting.pk] = "approved"
    services.take_seat(tours["cryo_am"], leaving)
    services.take_seat(tours["cryo_am"], waiting)
    return Registration.objects.get(event=event, user=leaving), leaving, waiting


def seat_of(user):
    return Seat.objects.get(user=user).status


@pytest.mark.django_db(transaction=True)
def test_cancelling_the_registration_frees_the_seat_once_it_has_committed(seated):
    registration, leaving, waiting = seated
    with transaction.atomic():
        registration_services.cancel(registration, by=leaving)
        # Still inside the registration's transaction: the seat waits for the commit.
        assert (seat_of(leaving), seat_of(waiting)) == (S.HELD, S.WAITLISTED)
    assert (seat_of(leaving), seat_of(waiting)) == (S.CANCELLED, S.HELD)


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_rolled_back_keeps_the_seat(seated):
    registration, leaving, _waiting = seated
    with pytest.raises(RuntimeError), transaction.atomic():
        registration_services.cancel(registration, by=leaving)
        raise RuntimeError("the request failed after the cancellation")
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    assert seat_of(leaving) == S.HELD


@pytest.mark.django_db(transaction=True)
def test_a_save_that_does_not_move_the_registration_frees_nothing(seated):
    registration, leaving, waiting = seated
    registration.save()
    # Even a row marked ended behind the life cycle's back is only saved, not moved: the seats
    # follow moves (on every save they would go here).
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")
    Registration.objects.get(pk=registration.pk).save()
    assert (seat_of(leaving), seat_of(waiting)) == (S.HELD, S.WAITLISTED)
