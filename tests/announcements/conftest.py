import pytest

from fusionforum.accounts.models import Organisation, User
from fusionforum.registration.models import Registration
from fusionforum.registration.states import Status

from ..conftest import login_verified, paris


@pytest.fixture
def make_participant(db, event):
    counter = {"n": 0}

    def factory(name=None, *, target_event=None, status=Status.CONFIRMED,
                kind=Organisation.Kind.SUPPLIER, language="en"):
        counter["n"] += 1
        n = counter["n"]
        organisation = Organisation.objects.create(
            name=f"Fictional Organisation {n}", kind=kind, country="FR")
        user = User.objects.create_user(f"person{n}@test.invalid", "a-long-test-password",
                                        full_name=name or f"Person Number{n}",
                                        organisation=organisation, preferred_language=language,
                                        email_verified_at=paris(2027, 4, 1))
        Registration.objects.create(event=target_event or event, user=user,
                                    organisation=organisation, status=status,
                                    submitted_at=paris(2027, 4, 2),
                                    seat_pool="general" if status == Status.CONFIRMED else "")
        return user

    return factory


@pytest.fixture
def organiser_client(client, organiser):
    return login_verified(client, organiser)
