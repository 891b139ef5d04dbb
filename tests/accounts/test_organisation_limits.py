"""New organisations are rate-limited (per account on the profile, per client address at
sign-up), and a profile change of organisation leaves existing registrations alone, saying so.
"""

import pytest
from django.test import override_settings

from fusionforum.accounts.models import Organisation, User
from fusionforum.registration.models import Registration, RegistrationSettings

from ..conftest import paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(make_user, organisation):
    return make_user("ada@test.invalid", full_name="Ada Fictional", organisation=organisation)


def _new_org(name, **overrides):
    data = {"full_name": "Ada Fictional", "organisation_mode": "new", "organisation": "",
            "org_name": name, "org_kind": "supplier", "org_country": "DE", "org_website": "",
            "org_fusion_approach": ""}
    data.update(overrides)
    return data


def test_a_person_may_add_three_organisations_a_day_from_the_profile(client, ada, clock):
    client.force_login(ada)
    for n in range(3):
        assert client.post("/accounts/profile/", _new_org(f"Fictional Magnets {n}")
                           ).status_code == 302
    before = Organisation.objects.count()
    response = client.post("/accounts/profile/", _new_org("Fictional Magnets 3",
                                                          full_name="Ada Renamed"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "as many new organisations as one person may in a day" in html
    assert 'value="Fictional Magnets 3"' in html  # the input is kept
    assert Organisation.objects.count() == before
    ada.refresh_from_db()
    assert ada.full_name == "Ada Fictional" and ada.organisation.name == "Fictional Magnets 2"
    # Choosing an existing organisation is never limited; the next day, adding works again.
    existing = Organisation.objects.get(name="Fictional Magnets 0")
    assert client.post("/accounts/profile/", _new_org(
        "", organisation_mode="existing", organisation=existing.pk)).status_code == 302
    clock.advance(days=1)
    assert client.post("/accounts/profile/", _new_org("Fictional Magnets 3")).status_code == 302


@override_settings(ORGANISATIONS_NEW_PER_ADDRESS_PER_DAY=2, ACCOUNTS_SIGNUP_RATE_LIMIT=100)
def test_sign_ups_from_one_address_add_a_bounded_number_of_organisations(
        client, signup_data, clock):
    for n in range(2):
        response = client.post("/accounts/signup/", signup_data(
            email=f"person{n}@test.invalid", organisation_mode="new",
            org_name=f"Fictional Startup {n}", org_kind="supplier", org_country="FR"))
        assert response.status_code == 302, response.content.decode()[:500]
        client.logout()
    response = client.post("/accounts/signup/", signup_data(
        email="person9@test.invalid", organisation_mode="new", org_name="Fictional Startup 9",
        org_kind="supplier", org_country="FR"))
    assert response.status_code == 429
    assert "as many new organisations" in response.content.decode()
    # All or nothing: no account and no organisation.
    assert not User.objects.filter(email="person9@test.invalid").exists()
    assert not Organisation.objects.filter(name="Fictional Startup 9").exists()
    # Signing up with an existing organisation still works from that address.
    assert client.post("/accounts/signup/", signup_data(email="person10@test.invalid")
                       ).status_code == 302


def test_changing_organisation_keeps_the_registration_and_says_so(client, ada, organisation,
                                                                  event, clock):
    settings = RegistrationSettings.objects.create(
        event=event, opens_at=paris(2027, 4, 1), closes_at=paris(2027, 5, 25), capacity=10,
        delegates_per_organisation=2)
    registration = Registration.objects.create(
        event=event, user=ada, organisation=organisation, status="confirmed",
        seat_pool="general", submitted_at=paris(2027, 4, 2))
    other = Organisation.objects.create(name="Second Fictional Lab", kind="academia",
                                        country="IT")
    client.force_login(ada)
    page = client.get("/accounts/profile/").content.decode()
    assert "is the one your next registrations and submissions are made for" in page
    assert f"Your registration for {event.title}</a>: {organisation.name}" in page
    assert f'href="/{event.slug}/contact/"' in page
    response = client.post("/accounts/profile/", _new_org(
        "", organisation_mode="existing", organisation=other.pk), follow=True)
    html = response.content.decode()
    assert (f"Your registration for {event.title} stays with {organisation.name}: seats were "
            "counted for it") in html
    ada.refresh_from_db()
    registration.refresh_from_db()
    assert ada.organisation == other
    assert registration.organisation == organisation  # seats and the cap were counted for it
    assert settings.delegates_per_organisation == 2
    # Someone without registrations sees only the rule.
    client.force_login(User.objects.create_user("bo@test.invalid", "a-long-test-password",
                                                organisation=organisation))
    page = client.get("/accounts/profile/").content.decode()
    assert "next registrations" in page and "Your registration for" not in page
