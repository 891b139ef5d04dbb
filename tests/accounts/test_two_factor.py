import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fusionforum.core.models import AuditEntry
from fusionforum.events.models import TeamMembership

from ..conftest import login_verified

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def _password_login(client, email, next_url="/admin/"):
    return client.post(f"/accounts/login/?next={next_url}",
                       {"username": email, "password": PASSWORD})


@pytest.fixture
def superuser(make_user):
    return make_user("root@test.invalid", is_superuser=True, is_staff=True)


def test_organiser_without_a_device_is_sent_to_setup(client, organiser):
    response = _password_login(client, organiser.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    # Logged in, but the back office stays closed.
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"


def test_setup_shows_our_own_qr_code_and_the_secret(client, organiser):
    client.force_login(organiser)
    response = client.get("/accounts/two-factor/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device = TOTPDevice.objects.get(user=organiser)
    assert not device.confirmed
    assert '<svg role="img"' in html and "<img" not in html and "<script" not in html
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    secret = secret.replace(" ", "")
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # A reload shows the same pending device rather than a new one.
    client.get("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=organiser).count() == 1


def test_setup_confirms_with_a_real_code_and_opens_the_back_office(client, organiser):
    _password_login(client, organiser.email)
    client.get("/accounts/two-factor/?next=/admin/")
    device = TOTPDevice.objects.get(user=organiser)
    response = client.post("/accounts/two-factor/", {"code": totp(device.bin_key),
                                                     "next": "/admin/"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=organiser).values_list("token", flat=True)
    )
    assert 'href="/admin/"' in response.content.decode()
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.two_factor_enabled").exists()
    # Setting up again is not offered; the page says it is on.
    response = client.get("/accounts/two-factor/")
    assert b"is on" in response.content


def test_wrong_code_does_not_confirm(client, organiser):
    client.force_login(organiser)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=organiser)
    wrong = f"{(int(totp(device.bin_key)) + 1) % 1000000:06d}"
    response = client.post("/accounts/two-factor/", {"code": wrong})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    assert client.get("/admin/").status_code == 302


def test_organiser_with_a_device_enters_a_code_after_the_password(client, organiser):
    device = TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    response = _password_login(client, organiser.email, "/admin/events/event/")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fadmin%2Fevents%2Fevent%2F"
    assert client.get("/admin/").status_code == 302
    session_before = client.session.session_key
    response = client.post("/accounts/two-factor/verify/",
                           {"code": totp(device.bin_key), "next": "/admin/events/event/"})
    assert response["Location"] == "/admin/events/event/"
    assert client.session.session_key != session_before  # fresh key for the raised privilege
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/events/event/").status_code == 200


def test_a_wrong_or_replayed_code_is_refused(client, organiser):
    device = TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    client.force_login(organiser)
    code = totp(device.bin_key)
    assert client.post("/accounts/two-factor/verify/", {"code": code}).status_code == 302
    other = Client()
    other.force_login(organiser)
    # The same code cannot open a second session.
    response = other.post("/accounts/two-factor/verify/", {"code": code})
    assert response.status_code == 400
    assert other.get("/admin/").status_code == 302


def test_backup_code_works_once(client, organiser):
    _password_login(client, organiser.email)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=organiser)
    response = client.post("/accounts/two-factor/", {"code": totp(device.bin_key)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())

    fresh = Client()
    _password_login(fresh, organiser.email)
    response = fresh.post("/accounts/two-factor/verify/", {"code": codes[0].upper()})
    assert response["Location"] == "/manage/"
    assert fresh.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.backup_code_used").exists()

    again = Client()
    _password_login(again, organiser.email)
    assert again.post("/accounts/two-factor/verify/", {"code": codes[0]}).status_code == 400
    assert again.get("/admin/").status_code == 302


def test_verified_session_reaches_the_back_office(client, organiser, superuser):
    login_verified(client, organiser)
    assert client.get("/admin/").status_code == 200
    admin_client = login_verified(Client(), superuser)
    assert admin_client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_unverified_session_is_sent_to_the_second_factor(request, who):
    user = request.getfixturevalue(who)
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client = Client()
    client.force_login(user)
    response = client.get("/admin/events/event/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/events/event/"
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fadmin%2Fevents%2Fevent%2F"


def test_an_unconfirmed_device_in_the_session_does_not_count(client, organiser):
    device = TOTPDevice.objects.create(user=organiser, name="Pending", confirmed=False)
    client.force_login(organiser)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/admin/").status_code == 302


def test_password_alone_cannot_add_a_second_device(client, organiser):
    TOTPDevice.objects.create(user=organiser, name="Phone", confirmed=True)
    client.force_login(organiser)
    response = client.get("/accounts/two-factor/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    response = client.post("/accounts/two-factor/", {"code": "123456"})
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert TOTPDevice.objects.filter(user=organiser).count() == 1


def test_participant_is_never_asked(client, make_user):
    user = make_user("ada@test.invalid")
    response = _password_login(client, user.email, "/workshop-2027/registration/")
    assert response["Location"] == "/workshop-2027/registration/"
    response = client.get("/accounts/two-factor/")
    assert response["Location"] == "/accounts/profile/"
    assert not TOTPDevice.objects.exists()
    assert client.get("/accounts/two-factor/verify/")["Location"] == "/accounts/two-factor/"


def test_participant_at_the_back_office_door_is_told_there_is_no_role(client, make_user):
    client.force_login(make_user())
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 403
    assert b"no organiser role" in response.content


def test_anonymous_back_office_login_leads_to_the_participants_login(client, db):
    response = client.get("/admin/events/event/")
    assert response["Location"] == "/admin/login/?next=/admin/events/event/"
    response = client.get(response["Location"])
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fevents%2Fevent%2F"
    # An outside address in next is dropped.
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_organiser_who_loses_the_role_loses_the_back_office(client, organiser):
    login_verified(client, organiser)
    assert client.get("/admin/").status_code == 200
    TeamMembership.objects.filter(user=organiser).delete()
    assert client.get("/admin/").status_code == 302
