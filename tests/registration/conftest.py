import datetime as dt

import pytest

from fusionforum.accounts.models import Organisation, User
from fusionforum.registration.models import RegistrationSettings, ReservedSeats

from ..browser.conftest import browser  # noqa: F401 (the shared Chromium fixture)
from ..conftest import paris


@pytest.fixture
def make_organisation(db):
    counter = {"n": 0}

    def factory(name=None, kind=Organisation.Kind.PRIVATE_DEVELOPER, **extra):
        counter["n"] += 1
        if kind == Organisation.Kind.PRIVATE_DEVELOPER:
            extra.setdefault("fusion_approach", Organisation.Approach.TOKAMAK)
        organisation = Organisation(name=name or f"Fictional Fusion {counter['n']}", kind=kind,
                                    country=extra.pop("country", "FR"), **extra)
        organisation.full_clean()
        organisation.save()
        return organisation

    return factory


@pytest.fixture
def make_person(db, make_organisation):
    counter = {"n": 0}

    def factory(organisation=None, verified=True, **extra):
        counter["n"] += 1
        organisation = organisation or make_organisation()
        return User.objects.create_user(
            extra.pop("email", f"delegate{counter['n']}@test.invalid"), "a-long-test-password",
            full_name=extra.pop("full_name", f"Delegate {counter['n']}"),
            organisation=organisation,
            email_verified_at=paris(2027, 4, 1) if verified else None, **extra,
        )

    return factory


@pytest.fixture
def open_registration(event, clock):
    """Registration open at the clock's moment; no approval, 3 seats, cap 2 per organisation."""

    def factory(**overrides):
        values = {"opens_at": paris(2027, 4, 1), "closes_at": paris(2027, 5, 25),
                  "capacity": 3, "delegates_per_organisation": 2, "requires_approval": False,
                  "offer_hold_hours": 48}
        reserved = overrides.pop("reserved", {})
        values.update(overrides)
        settings = RegistrationSettings.objects.create(event=event, **values)
        for kind, seats in reserved.items():
            ReservedSeats.objects.create(settings=settings, organisation_kind=kind, seats=seats)
        return settings

    return factory


@pytest.fixture
def register(event):
    from fusionforum.registration import services

    def do(person, **extra):
        return services.submit(event, person, organisation=person.organisation,
                               answers=extra.pop("answers", {}),
                               consent_public_list=extra.pop("consent", False), **extra)

    return do


@pytest.fixture
def hours():
    return lambda n: dt.timedelta(hours=n)


@pytest.fixture(autouse=True)
def back_to_the_default_language():
    """A request with ``Accept-Language: fr`` leaves French active in the thread after the
    response (LocaleMiddleware does not switch back): every test ends on the default again."""
    yield
    from django.utils import translation

    translation.deactivate()
