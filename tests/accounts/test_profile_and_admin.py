import pytest
from django.test import Client

from fusionforum.accounts.models import Organisation
from fusionforum.core.models import AuditEntry

from ..conftest import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(make_user, organisation):
    return make_user("ada@test.invalid", full_name="Ada Fictional", organisation=organisation)


def _profile_data(**overrides):
    data = {"full_name": "Ada Fictional", "organisation_mode": "existing", "organisation": "",
            "org_name": "", "org_kind": "", "org_country": "", "org_website": "",
            "org_fusion_approach": ""}
    data.update(overrides)
    return data


def test_profile_shows_status_and_current_details(client, ada, organisation):
    client.force_login(ada)
    html = client.get("/accounts/profile/").content.decode()
    assert "ada@test.invalid" in html
    assert "Not yet" in html and "Send the link again" in html
    assert "Not needed for your account" in html
    assert 'value="Ada Fictional"' in html
    assert f'<option value="{organisation.pk}" selected>' in html


def test_profile_changes_name_and_organisation(client, ada):
    other = Organisation.objects.create(name="Second Fictional Lab", kind="academia",
                                        country="IT")
    client.force_login(ada)
    response = client.post("/accounts/profile/?next=/workshop-2027/registration/",
                           _profile_data(full_name="Ada  Lovelace-Fictional",
                                         organisation=other.pk))
    assert response["Location"] == "/workshop-2027/registration/"
    ada.refresh_from_db()
    assert ada.full_name == "Ada Lovelace-Fictional"
    assert ada.organisation == other
    entry = AuditEntry.objects.get(action="accounts.profile_changed")
    assert entry.data == {"fields": ["full_name", "organisation"]}
    assert "Lovelace" not in str(entry.data) + entry.summary


def test_profile_can_add_a_new_organisation(client, ada):
    client.force_login(ada)
    response = client.post("/accounts/profile/", _profile_data(
        organisation_mode="new", org_name="Fictional Magnets GmbH", org_kind="supplier",
        org_country="DE",
    ))
    assert response["Location"] == "/accounts/profile/"
    ada.refresh_from_db()
    assert ada.organisation.name == "Fictional Magnets GmbH"
    assert AuditEntry.objects.filter(action="accounts.organisation_created").exists()


@pytest.mark.parametrize("overrides", [
    {"full_name": "Ada\u202eFictional"},
    {"full_name": "   "},
    {"organisation": ""},
    {"organisation_mode": "new", "org_name": "Fictional Fusion", "org_kind": "private_developer",
     "org_country": "US"},
])
def test_invalid_profile_changes_nothing(client, ada, organisation, overrides):
    client.force_login(ada)
    response = client.post("/accounts/profile/",
                           _profile_data(**{"organisation": organisation.pk, **overrides}))
    assert response.status_code == 400
    ada.refresh_from_db()
    assert ada.full_name == "Ada Fictional" and ada.organisation == organisation
    assert not Organisation.objects.filter(name="Fictional Fusion").exists()


def test_unsafe_next_after_saving_is_ignored(client, ada, organisation):
    client.force_login(ada)
    response = client.post("/accounts/profile/?next=https://evil.example/",
                           _profile_data(organisation=organisation.pk))
    assert response["Location"] == "/accounts/profile/"


# Back office -------------------------------------------------------------------------------


def test_organiser_may_view_but_not_change_organisations(organiser, organisation):
    client = login_verified(Client(), organiser)
    response = client.get("/admin/accounts/organisation/")
    assert response.status_code == 200
    assert organisation.name in response.content.decode()
    response = client.get(f"/admin/accounts/organisation/{organisation.pk}/change/")
    assert response.status_code == 200
    assert b'name="name"' not in response.content  # read-only for organisers
    assert client.get("/admin/accounts/organisation/add/").status_code == 403
    assert client.get(f"/admin/accounts/organisation/{organisation.pk}/delete/") \
        .status_code == 403
    response = client.get("/admin/accounts/organisation/?kind__exact=public_lab&q=Plasma")
    assert organisation.name in response.content.decode()
    # Never the people or their second factors.
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403


def test_rules_permission(organiser, make_user, organisation):
    participant = make_user()
    admin = make_user("root@test.invalid", is_superuser=True, is_staff=True)
    assert organiser.has_perm("accounts.view_organisation")
    assert organiser.has_perm("accounts.view_organisation", organisation)
    assert not organiser.has_perm("accounts.change_organisation", organisation)
    assert not participant.has_perm("accounts.view_organisation")
    assert admin.has_perm("accounts.view_organisation", organisation)


def test_platform_admin_manages_organisations_and_sees_devices(make_user, organisation):
    admin = make_user("root@test.invalid", is_superuser=True, is_staff=True)
    client = login_verified(Client(), admin)
    response = client.post(f"/admin/accounts/organisation/{organisation.pk}/change/", {
        "name": organisation.name, "kind": "private_developer", "country": "FR",
        "website": "", "fusion_approach": "",
    })
    # The model's own rule applies in the back office too.
    assert response.status_code == 200
    assert b"Say which approach" in response.content
    response = client.get("/admin/otp_totp/totpdevice/")
    assert response.status_code == 200
    device = admin.totpdevice_set.get()
    assert device.key not in client.get(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
