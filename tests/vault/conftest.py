"""Fixtures of the vault tests: a fake seat provider (the vault never imports the site-visits
app), people holding seats, security officers with verified sessions."""

import datetime as dt

import pytest

from fusionforum.vault import registry
from tests.conftest import login_verified, paris

FIRST_START = paris(2027, 5, 28, 9, 0)
LAST_END = paris(2027, 5, 28, 12, 0)
DUE = paris(2027, 5, 25, 9, 0)  # three days of lead time before the first tour


class FakeSeats:
    def __init__(self):
        self.holders: dict[int, list] = {}

    def give(self, event, user, *, first_start=FIRST_START, last_end=LAST_END, due=DUE):
        self.holders.setdefault(event.pk, []).append(
            registry.SeatHolder(user=user, first_start=first_start, last_end=last_end,
                                clearance_due=due))

    def take_away(self, event, user):
        self.holders[event.pk] = [h for h in self.holders.get(event.pk, [])
                                  if h.user.pk != user.pk]

    def __call__(self, event):
        return list(self.holders.get(event.pk, []))


@pytest.fixture
def seats():
    fake = FakeSeats()
    saved = list(registry._providers)
    registry._providers[:] = [fake]
    yield fake
    registry._providers[:] = saved


@pytest.fixture
def alice(make_user, event, seats):
    user = make_user("alice@test.invalid", full_name="Alice Example")
    seats.give(event, user)
    return user


@pytest.fixture
def bob(make_user, event, seats):
    user = make_user("bob@test.invalid", full_name="Bob Example")
    seats.give(event, user)
    return user


@pytest.fixture
def officer(make_user, event):
    from fusionforum.events.models import TeamMembership

    user = make_user("officer@test.invalid", full_name="Sara Security")
    TeamMembership.objects.create(event=event, user=user,
                                  role=TeamMembership.Role.SECURITY_OFFICER)
    return user


@pytest.fixture
def officer_client(client, officer):
    return login_verified(client, officer)


def identity(**overrides):
    values = {
        "given_names": "Alice Marie", "surname": "Example", "nationality": "FR",
        "date_of_birth": "1985-04-12", "place_of_birth": "Testville, France",
        "document_type": "passport", "document_number": "P1234567",
        "document_expiry": "2031-01-31",
    }
    values.update(overrides)
    return values


@pytest.fixture
def submitted(clock, event, alice):
    from fusionforum.vault import services

    return services.submit(event, alice, identity())


__all__ = ["DUE", "FIRST_START", "LAST_END", "dt", "identity", "paris"]
