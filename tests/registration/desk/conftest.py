import pytest
from django.test import Client

from fusionforum.events.models import TeamMembership
from fusionforum.registration.models import Question, Registration

from ...conftest import login_verified


def verified_client(user, client=None):
    """A client logged in as ``user`` in a session verified with a second factor."""
    return login_verified(client or Client(), user)


@pytest.fixture
def desk_client(organiser):
    """The organiser of ``event``, two-factor verified."""
    return verified_client(organiser)


@pytest.fixture
def desk_settings(open_registration):
    """Registration with approval, 3 seats, at most 2 per organisation."""
    return open_registration(requires_approval=True, capacity=3, delegates_per_organisation=2)


@pytest.fixture
def diet_question(event):
    return Question.objects.create(event=event, label="Dietary needs", kind=Question.Kind.TEXT,
                                   position=1)


@pytest.fixture
def desk_world(event, make_event, organiser, desk_settings, diet_question, make_person,
               make_organisation, make_user, register):
    """Two events, their people and organisers.

    Event (``event``): Alice registered (pending). Other event: Bruno registered there, with
    its own organiser.
    """
    from fusionforum.registration.models import RegistrationSettings

    helios = make_organisation("Helios Plasma Works")
    alice = make_person(helios, email="alice.registrant@test.invalid",
                        full_name="Alice Registrant")
    registration_a = register(alice, answers={str(diet_question.pk): "Vegetarian"})

    other = make_event(slug="other-workshop", title="Other Workshop", with_days=False)
    RegistrationSettings.objects.create(event=other, opens_at=desk_settings.opens_at,
                                        closes_at=desk_settings.closes_at, capacity=10,
                                        requires_approval=True)
    bruno = make_person(email="bruno.bystander@test.invalid", full_name="Bruno Bystander")
    from fusionforum.registration import services

    registration_b = services.submit(other, bruno, organisation=bruno.organisation, answers={},
                                     consent_public_list=False)
    organiser_other = make_user("otto.other@test.invalid", full_name="Otto Other")
    TeamMembership.objects.create(event=other, user=organiser_other,
                                  role=TeamMembership.Role.ORGANISER)
    superuser = make_user("root@test.invalid", full_name="Rita Root", is_superuser=True,
                          is_staff=True)
    return {
        "event": event, "other": other, "organiser": organiser,
        "organiser_other": organiser_other, "superuser": superuser,
        "alice": alice, "bruno": bruno, "helios": helios,
        "registration_a": registration_a, "registration_b": registration_b,
    }


@pytest.fixture
def status_of():
    return lambda registration: Registration.objects.get(pk=registration.pk).status
