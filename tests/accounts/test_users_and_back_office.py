import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fusionforum.accounts.models import User, normalise_email
from fusionforum.events.models import TeamMembership

pytestmark = pytest.mark.django_db


def test_email_is_normalised():
    assert normalise_email("  Ｏrganiser@Example.ORG ") == "organiser@example.org"
    user = User.objects.create_user("  Mixed.Case@Test.Invalid ", "a-long-test-password")
    assert user.email == "mixed.case@test.invalid"


def test_email_is_unique_whatever_the_case():
    User.objects.create_user("person@test.invalid", "a-long-test-password")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="PERSON@test.invalid")])


def test_login_with_any_case_of_the_address(rf):
    User.objects.create_user("person@test.invalid", "a-long-test-password")
    assert authenticate(rf.post("/admin/login/"), username="Person@Test.Invalid",
                        password="a-long-test-password")


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user("person@test.invalid", "a-long-test-password")
    assert user.password.startswith("argon2")


def _login(client, email, password="a-long-test-password"):
    return client.post("/accounts/login/?next=/admin/", {"username": email, "password": password})


def test_organiser_without_is_staff_enters_the_back_office(event):
    user = User.objects.create_user("organiser@test.invalid", "a-long-test-password")
    TeamMembership.objects.create(event=event, user=user)
    client = Client()
    response = _login(client, "organiser@test.invalid")
    # The password is not enough: an organiser first sets up the second factor.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    assert client.get("/admin/").status_code == 302
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/?next=/admin/",
                           {"code": totp(device.bin_key), "next": "/admin/"})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 200


def test_participant_cannot_enter_the_back_office(event):
    User.objects.create_user("participant@test.invalid", "a-long-test-password")
    client = Client()
    response = _login(client, "participant@test.invalid")
    assert response.status_code == 302
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert b"no organiser role" in response.content


def test_repeated_failed_logins_lock_out_even_with_forged_forwarded_for(event):
    User.objects.create_user("target@test.invalid", "a-long-test-password")
    client = Client()
    for attempt in range(4):
        client.post("/accounts/login/", {"username": "target@test.invalid", "password": "wrong"},
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    fifth = client.post("/accounts/login/", {"username": "target@test.invalid", "password": "x"},
                        HTTP_X_FORWARDED_FOR="198.51.100.98")
    assert fifth.status_code == 429
    # Even the right password is refused now, whatever address the client claims.
    response = client.post("/accounts/login/",
                           {"username": "TARGET@test.invalid",
                            "password": "a-long-test-password"},
                           HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert not client.session.get("_auth_user_id")
