import pytest
from django.test import Client

from fusionforum.accounts.models import Organisation, User
from fusionforum.core.models import AuditEntry

from .conftest import last_email

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def test_signup_with_an_existing_organisation(client, signup_data, organisation, settings):
    settings.SITE_URL = "https://forum.test.invalid"
    response = client.post(SIGNUP, signup_data(full_name="  Ada   Fictional "))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user = User.objects.get(email="ada@test.invalid")
    assert user.full_name == "Ada Fictional"
    assert user.organisation == organisation
    assert user.email_verified_at is None
    assert user.check_password("tritium-breeding-blanket")
    # Logged in at once.
    assert client.session["_auth_user_id"] == str(user.pk)
    # The verification e-mail waits in the outbox, with a link to the configured site.
    email = last_email("accounts.verify-email")
    assert email.to == ["ada@test.invalid"]
    assert "https://forum.test.invalid/accounts/verify/" in email.body
    assert AuditEntry.objects.filter(action="accounts.signed_up", object_id=str(user.pk)).exists()


def test_signup_creates_a_new_private_developer(client, signup_data):
    response = client.post(SIGNUP, signup_data(
        organisation_mode="new", organisation="", org_name="Ｆictional  Fusion Ltd",
        org_kind="private_developer", org_country="GB", org_website="fusion.test.invalid",
        org_fusion_approach="stellarator",
    ))
    assert response.status_code == 302
    organisation = User.objects.get(email="ada@test.invalid").organisation
    assert organisation.name == "Fictional Fusion Ltd"  # NFKC, whitespace collapsed
    assert organisation.kind == "private_developer"
    assert organisation.fusion_approach == "stellarator"
    assert organisation.country.code == "GB"
    assert organisation.website == "https://fusion.test.invalid"


def test_signup_page_offers_both_ways_to_give_the_organisation(client, organisation):
    html = client.get(SIGNUP).content.decode()
    assert organisation.name in html
    for name in ("full_name", "email", "password", "organisation_mode", "org_name", "org_kind",
                 "org_country", "org_website", "org_fusion_approach"):
        assert f'name="{name}"' in html
    assert 'for="id_email"' in html and 'autocomplete="new-password"' in html
    assert "<script" not in html


def test_safe_next_is_followed_and_unsafe_next_ignored(signup_data):
    client = Client()
    response = client.post(f"{SIGNUP}?next=/workshop-2027/registration/", signup_data())
    assert response["Location"] == "/workshop-2027/registration/"
    client = Client()
    response = client.post(f"{SIGNUP}?next=https://evil.example/phish",
                           signup_data(email="grace@test.invalid"))
    assert response["Location"] == "/accounts/profile/"
    client = Client()
    response = client.post(SIGNUP, signup_data(email="ida@test.invalid",
                                               next="//evil.example/"))
    assert response["Location"] == "/accounts/profile/"


def test_duplicate_email_in_another_case_is_refused(client, signup_data, make_user):
    make_user("ada@test.invalid")
    response = client.post(SIGNUP, signup_data(email="ADA@Test.Invalid"))
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["email"][0]
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("overrides", "field"), [
    # A private fusion developer must say its approach...
    ({"org_kind": "private_developer", "org_fusion_approach": ""}, "org_fusion_approach"),
    # ...and nobody else may have one.
    ({"org_kind": "supplier", "org_fusion_approach": "tokamak"}, "org_fusion_approach"),
    ({"org_name": ""}, "org_name"),
    ({"org_kind": ""}, "org_kind"),
    ({"org_country": ""}, "org_country"),
    ({"org_country": "XX"}, "org_country"),
    ({"org_website": "not a url at all"}, "org_website"),
    # Already in the list under another case.
    ({"org_name": "FICTIONAL plasma laboratory"}, "org_name"),
])
def test_bad_new_organisation_is_refused_and_nothing_is_created(client, signup_data, overrides,
                                                               field):
    data = signup_data(organisation_mode="new", organisation="", org_name="New Fusion Co",
                       org_kind="investor", org_country="DE")
    data.update(overrides)
    organisations = Organisation.objects.count()
    response = client.post(SIGNUP, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.count() == 0
    assert Organisation.objects.count() == organisations


def test_existing_mode_needs_a_chosen_organisation(client, signup_data):
    response = client.post(SIGNUP, signup_data(organisation=""))
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    response = client.post(SIGNUP, signup_data(organisation="999999"))
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert User.objects.count() == 0


def test_the_unchosen_half_of_the_organisation_widget_is_ignored(client, signup_data):
    # Something half-typed into "new organisation" does not block choosing an existing one.
    response = client.post(SIGNUP, signup_data(org_name="Half\u200btyped", org_kind="investor"))
    assert response.status_code == 302
    assert not Organisation.objects.filter(name__startswith="Half").exists()


@pytest.mark.parametrize("bad", ["Ada\u202eFictional", "Ada\u200bFictional", "Ada\x00Fictional",
                                 "Ada\u2066Fictional", "Ada\nFictional"])
def test_forbidden_characters_in_names_are_refused(client, signup_data, bad):
    response = client.post(SIGNUP, signup_data(full_name=bad))
    assert response.status_code == 400
    assert "full_name" in response.context["form"].errors
    organisations = Organisation.objects.count()
    response = client.post(SIGNUP, signup_data(
        organisation_mode="new", organisation="", org_name=bad.replace("Ada", "Org"),
        org_kind="investor", org_country="DE",
    ))
    assert response.status_code == 400
    assert "org_name" in response.context["form"].errors
    html = response.content.decode()
    # The error summary links to the field, and the field points at its message.
    assert 'href="#id_org_name"' in html
    assert 'aria-describedby="id_org_name-error"' in html and 'aria-invalid="true"' in html
    assert User.objects.count() == 0
    assert Organisation.objects.count() == organisations


@pytest.mark.parametrize("password", ["short", "password123", "12345678901234", "ada@test.invalid"])
def test_weak_passwords_are_refused(client, signup_data, password):
    response = client.post(SIGNUP, signup_data(password=password))
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert User.objects.count() == 0


def test_signups_from_one_address_are_rate_limited(client, signup_data, settings):
    settings.ACCOUNTS_SIGNUP_RATE_LIMIT = 2
    for n in range(2):
        assert client.post(SIGNUP, signup_data(email="")).status_code == 400, n
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 429
    assert response["Retry-After"]
    assert User.objects.count() == 0


def test_logged_in_people_are_sent_on(client, make_user):
    client.force_login(make_user())
    assert client.get(SIGNUP)["Location"] == "/accounts/profile/"
