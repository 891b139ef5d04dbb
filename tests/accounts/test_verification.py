import pytest
from django.core import signing
from django.test import Client

from fusionforum.accounts import services
from fusionforum.accounts.models import User
from fusionforum.accounts.tokens import make_verification_token
from fusionforum.notifications.models import OutboundEmail

from .conftest import last_email, link_in

pytestmark = pytest.mark.django_db

SITE = "https://forum.test.invalid"


@pytest.fixture
def person(make_user, settings):
    settings.SITE_URL = SITE
    return make_user("ada@test.invalid", full_name="Ada Fictional")


def _link_path(user):
    services.send_verification_email(user)
    link = link_in(last_email("accounts.verify-email").body, f"{SITE}/accounts/verify/")
    return link.removeprefix(SITE)


def test_link_from_the_signup_email_confirms_the_address(client, signup_data, settings, clock):
    settings.SITE_URL = SITE
    client.post("/accounts/signup/", signup_data(),
                HTTP_HOST="localhost")  # whatever Host the request came with
    link = link_in(last_email("accounts.verify-email").body, f"{SITE}/accounts/verify/")
    response = Client().get(link.removeprefix(SITE))
    assert response.status_code == 200
    assert b"is confirmed" in response.content
    user = User.objects.get(email="ada@test.invalid")
    assert user.email_verified_at == clock.now()
    # Opening it again changes nothing.
    verified_at = user.email_verified_at
    clock.advance(hours=1)
    response = Client().get(link.removeprefix(SITE))
    assert response.status_code == 200 and b"already confirmed" in response.content
    user.refresh_from_db()
    assert user.email_verified_at == verified_at


def test_link_uses_site_url_whatever_the_host(person, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    client = Client(HTTP_HOST="evil.example")
    client.force_login(person)
    assert client.post("/accounts/verify/resend/").status_code == 302
    body = last_email("accounts.verify-email").body
    assert f"{SITE}/accounts/verify/" in body
    assert "evil.example" not in body


def test_link_works_for_three_days_then_expires(person, clock):
    path = _link_path(person)
    clock.advance(days=3, seconds=1)
    response = Client().get(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    person.refresh_from_db()
    assert person.email_verified_at is None


def test_link_within_three_days_works(person, clock):
    path = _link_path(person)
    clock.advance(days=2, hours=23)
    assert Client().get(path).status_code == 200
    person.refresh_from_db()
    assert person.email_verified_at == clock.now()


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token.replace(":", ":x", 1),
    lambda token: "garbage",
])
def test_tampered_link_is_refused(person, clock, tamper):
    path = _link_path(person)
    token = path.removeprefix("/accounts/verify/").rstrip("/")
    response = Client().get(f"/accounts/verify/{tamper(token)}/")
    assert response.status_code == 400
    assert b"not valid" in response.content
    person.refresh_from_db()
    assert person.email_verified_at is None


def test_token_for_another_account_or_an_old_address_is_refused(person, make_user, clock):
    other = make_user("grace@test.invalid")
    # Signed by someone without the salt (e.g. another signing purpose): refused.
    forged = signing.TimestampSigner().sign_object({"u": other.pk, "e": other.email})
    assert Client().get(f"/accounts/verify/{forged}/").status_code == 400
    # A genuine token stops working when the address changes.
    token = make_verification_token(person)
    person.email = "ada.new@test.invalid"
    person.save()
    assert Client().get(f"/accounts/verify/{token}/").status_code == 400
    person.refresh_from_db()
    assert person.email_verified_at is None


def test_resend_shows_a_button_and_sends_on_post(person):
    client = Client()
    client.force_login(person)
    response = client.get("/accounts/verify/resend/")
    assert response.status_code == 200
    assert b'<button type="submit"' in response.content
    assert not OutboundEmail.objects.exists()  # GET sends nothing
    response = client.post("/accounts/verify/resend/?next=/workshop-2027/registration/")
    assert response["Location"] == "/workshop-2027/registration/"
    assert OutboundEmail.objects.filter(purpose="accounts.verify-email").count() == 1


def test_resend_is_rate_limited(person):
    client = Client()
    client.force_login(person)
    for _ in range(3):
        assert client.post("/accounts/verify/resend/").status_code == 302
    response = client.post("/accounts/verify/resend/")
    assert response.status_code == 429
    assert OutboundEmail.objects.filter(purpose="accounts.verify-email").count() == 3


def test_resend_for_a_verified_address_sends_nothing(person, clock):
    person.email_verified_at = clock.now()
    person.save()
    client = Client()
    client.force_login(person)
    assert client.post("/accounts/verify/resend/").status_code == 302
    assert not OutboundEmail.objects.exists()


def test_resend_needs_a_login(client, db):
    response = client.get("/accounts/verify/resend/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
