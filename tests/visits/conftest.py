import datetime as dt

import pytest

from fusionforum.accounts.models import Organisation, User
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status
from fusionforum.visits import services
from fusionforum.visits.models import TourRun, TourType, VisitSettings

from ..conftest import paris


@pytest.fixture
def clearances(monkeypatch):
    """The vault's answers, per user id (default "not_required")."""
    answers: dict[int, str] = {}
    monkeypatch.setattr(services, "clearance_status",
                        lambda event, user: answers.get(user.pk, "not_required"))
    monkeypatch.setattr(services, "clearance_statuses", lambda event: dict(answers))
    return answers


@pytest.fixture
def make_participant(db, event):
    counter = {"n": 0}

    def factory(name=None, *, target_event=None, status=Status.CONFIRMED):
        counter["n"] += 1
        n = counter["n"]
        organisation = Organisation.objects.create(
            name=f"Fictional Supplier {n}", kind=Organisation.Kind.SUPPLIER, country="FR")
        user = User.objects.create_user(f"visitor{n}@test.invalid", "a-long-test-password",
                                        full_name=name or f"Visitor {n}",
                                        organisation=organisation,
                                        email_verified_at=paris(2027, 4, 1))
        Registration.objects.create(event=target_event or event, user=user,
                                    organisation=organisation, status=status,
                                    submitted_at=paris(2027, 4, 2),
                                    seat_pool="general" if status == Status.CONFIRMED else "")
        return user

    return factory


@pytest.fixture
def window(event):
    """Sign-up open 1-22 May 2027 (the clock fixture says 20 May)."""
    return VisitSettings.objects.create(event=event, signup_opens_at=paris(2027, 5, 1),
                                        signup_closes_at=paris(2027, 5, 22))


@pytest.fixture
def tours(event, window):
    main = TourType.objects.create(event=event, name="Main tour", description="Assembly hall",
                                   closed_shoes=True, position=1)
    cryo = TourType.objects.create(event=event, name="Cryogenics plant",
                                   description="Cold boxes", position=2)
    runs = {
        "main_am": TourRun.objects.create(tour=main, start=paris(2027, 5, 28, 9),
                                          duration_minutes=120, meeting_point="Gate A",
                                          capacity=2),
        "main_pm": TourRun.objects.create(tour=main, start=paris(2027, 5, 28, 14),
                                          duration_minutes=120, meeting_point="Gate A",
                                          capacity=2),
        "cryo_am": TourRun.objects.create(tour=cryo, start=paris(2027, 5, 28, 10),
                                          duration_minutes=60, meeting_point="Gate B",
                                          capacity=1),
    }
    return runs


@pytest.fixture
def allocated(window, clock):
    """Jump past the close and mark the allocation applied (no seats yet)."""
    window.allocated_at = paris(2027, 5, 22, 12)
    window.save()
    clock.set(paris(2027, 5, 23, 9))
    return window


@pytest.fixture
def after_close(clock):
    clock.set(paris(2027, 5, 23, 9))


def at(hours_from=9, day=28):
    return paris(2027, 5, day, hours_from)


def later(t, minutes):
    return t + dt.timedelta(minutes=minutes)
