import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from fusionforum.accounts import personal_data, services
from fusionforum.accounts.models import User
from fusionforum.core.models import AuditEntry
from fusionforum.notifications.models import OutboundEmail

from ..conftest import login_verified

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def ada(make_user, organisation, clock):
    return make_user("ada@test.invalid", full_name="Ada Fictional", organisation=organisation,
                     email_verified_at=clock.now())


@pytest.fixture
def grace(make_user):
    return make_user("grace@test.invalid", full_name="Grace Other")


def _export(client, **params):
    response = client.get("/accounts/export/", params)
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_export_downloads_everything_about_the_person(client, ada, organisation):
    device = TOTPDevice.objects.create(user=ada, name="Phone", confirmed=True)
    client.force_login(ada)
    response, data = _export(client)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="fusionforum-')
    assert "no-store" in response["Cache-Control"]
    assert data["account"]["email"] == "ada@test.invalid"
    assert data["account"]["full_name"] == "Ada Fictional"
    assert data["account"]["email_verified_at"]
    assert data["organisation"] == {
        "name": organisation.name, "kind": "public_lab", "country": "FR",
        "website": "https://lab.test.invalid", "fusion_approach": "",
    }
    assert data["two_factor"]["devices"][0]["name"] == "Phone"
    # Other apps' sections come through the registry (registration is installed).
    assert data["registrations"] == []
    # Never a secret.
    assert device.key not in response.content.decode()
    assert "password" not in data["account"]
    assert AuditEntry.objects.filter(action="accounts.personal_data_exported",
                                     object_id=str(ada.pk)).exists()


def test_export_is_only_ever_ones_own(client, ada, grace):
    client.force_login(grace)
    response, data = _export(client, user=ada.pk, pk=ada.pk, email=ada.email)
    body = response.content.decode()
    assert data["account"]["email"] == "grace@test.invalid"
    assert "ada@test.invalid" not in body and "Ada Fictional" not in body


def test_export_and_delete_need_a_login(client, db):
    for url in ("/accounts/export/", "/accounts/delete/", "/accounts/profile/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post("/accounts/delete/", {"password": PASSWORD}).status_code == 302


def test_registry_merges_providers_and_refuses_duplicate_sections(ada, monkeypatch):
    monkeypatch.setattr(personal_data, "_providers", list(personal_data.providers()))
    personal_data.register(lambda user: {"talks": [user.pk]})
    assert personal_data.export(ada)["talks"] == [ada.pk]
    personal_data.register(lambda user: {"talks": []})
    with pytest.raises(ValueError):
        personal_data.export(ada)


def test_delete_anonymises_logs_out_everywhere_and_frees_the_address(ada, grace, organisation,
                                                                    clock):
    TOTPDevice.objects.create(user=ada, name="Phone", confirmed=True)
    StaticDevice.objects.create(user=ada, name="Backup", confirmed=True)
    services.send_verification_email(ada)
    client = Client()
    client.force_login(ada)
    elsewhere = Client()
    elsewhere.force_login(ada)
    bystander = Client()
    bystander.force_login(grace)

    response = client.get("/accounts/delete/")
    assert response.status_code == 200 and b"Delete my account" in response.content
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/deleted/"
    assert b"is deleted" in client.get(response["Location"]).content

    ada = User.objects.get(pk=ada.pk)
    assert ada.email == f"deleted-{ada.pk}@anonymised.invalid"
    assert ada.full_name == "" and ada.organisation is None
    assert not ada.has_usable_password() and not ada.is_active
    assert ada.anonymised_at == clock.now()
    assert not TOTPDevice.objects.filter(user=ada).exists()
    assert not StaticDevice.objects.filter(user=ada).exists()
    # Every session of the person ended; other people's did not.
    assert "_auth_user_id" not in client.session
    assert elsewhere.get("/accounts/profile/").status_code == 302
    assert bystander.get("/accounts/profile/").status_code == 200
    assert not [s for s in Session.objects.all()
                if s.get_decoded().get("_auth_user_id") == str(ada.pk)]
    # The account e-mails that carried the address are gone.
    assert not [e for e in OutboundEmail.objects.all() if "ada@test.invalid" in e.to]
    # The audit log says what happened, without who it was.
    entry = AuditEntry.objects.get(action="accounts.anonymised")
    assert entry.object_id == str(ada.pk)
    assert "ada" not in json.dumps(entry.data).lower() and "ada" not in entry.summary.lower()

    # The old address can sign up again.
    response = Client().post("/accounts/signup/", {
        "full_name": "Ada Again", "email": "ada@test.invalid",
        "password": "tritium-breeding-blanket", "organisation_mode": "existing",
        "organisation": organisation.pk,
    })
    assert response.status_code == 302
    assert User.objects.get(email="ada@test.invalid").pk != ada.pk


def test_wrong_password_deletes_nothing(client, ada):
    client.force_login(ada)
    response = client.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    ada.refresh_from_db()
    assert ada.is_active and ada.email == "ada@test.invalid"
    assert client.get("/accounts/profile/").status_code == 200


def test_one_person_can_never_delete_another(client, ada, grace):
    client.force_login(grace)
    response = client.post("/accounts/delete/",
                           {"password": PASSWORD, "user": ada.pk, "pk": ada.pk})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.is_active and ada.email == "ada@test.invalid"
    assert User.objects.get(pk=grace.pk).anonymised_at is not None
    # Ada's password does not delete Grace either: it is checked against the logged-in person.
    other = Client()
    other.force_login(User.objects.create_user("third@test.invalid", "another-long-password"))
    assert other.post("/accounts/delete/", {"password": PASSWORD}).status_code == 400


def test_anonymisers_run_first_and_everything_is_one_transaction(ada, monkeypatch):
    monkeypatch.setattr(personal_data, "_anonymisers", list(personal_data.anonymisers()))
    seen = []
    personal_data.register_anonymiser(lambda user: seen.append((user.email, user.full_name)))
    services.delete_account(ada)
    assert seen == [("ada@test.invalid", "Ada Fictional")]


def test_a_failing_anonymiser_rolls_everything_back(ada, monkeypatch):
    monkeypatch.setattr(personal_data, "_anonymisers", list(personal_data.anonymisers()))
    TOTPDevice.objects.create(user=ada, name="Phone", confirmed=True)

    def broken(user):
        raise RuntimeError("cannot scrub")

    personal_data.register_anonymiser(broken)
    client = Client(raise_request_exception=False)
    client.force_login(ada)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 500
    ada.refresh_from_db()
    assert ada.is_active and ada.email == "ada@test.invalid" and ada.anonymised_at is None
    assert TOTPDevice.objects.filter(user=ada).exists()


def test_platform_administrator_cannot_delete_themselves(superuser_client):
    client, user = superuser_client
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert b"another administrator" in response.content
    user.refresh_from_db()
    assert user.is_active


@pytest.fixture
def superuser_client(make_user):
    user = make_user("root@test.invalid", is_superuser=True, is_staff=True)
    return login_verified(Client(), user), user
