import pytest
from django.test import Client

from fusionforum.accounts import services
from fusionforum.notifications.models import OutboundEmail

from .conftest import last_email, link_in

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def test_login_page_is_our_own_with_an_email_label(client, db):
    response = client.get("/accounts/login/?next=/workshop-2027/registration/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">E-mail address' in html
    assert 'name="next" value="/workshop-2027/registration/"' in html
    assert "Django administration" not in html and "<script" not in html


def test_participant_logs_in_with_any_case_and_goes_to_next(client, make_user):
    user = make_user("ada@test.invalid")
    response = client.post("/accounts/login/", {
        "username": "ADA@test.invalid", "password": PASSWORD,
        "next": "/workshop-2027/registration/",
    })
    assert response.status_code == 302
    assert response["Location"] == "/workshop-2027/registration/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_without_next_goes_to_the_profile_and_unsafe_next_is_ignored(make_user):
    make_user("ada@test.invalid")
    response = Client().post("/accounts/login/", {"username": "ada@test.invalid",
                                                  "password": PASSWORD})
    assert response["Location"] == "/accounts/profile/"
    response = Client().post("/accounts/login/?next=https://evil.example/",
                             {"username": "ada@test.invalid", "password": PASSWORD})
    assert response["Location"] == "/accounts/profile/"


def test_wrong_password_is_refused(client, make_user):
    make_user("ada@test.invalid")
    response = client.post("/accounts/login/", {"username": "ada@test.invalid",
                                                "password": "wrong-password"})
    assert response.status_code == 200
    assert b"correct e-mail address and password" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client, make_user):
    client.force_login(make_user())
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/profile/").status_code == 302


def test_anonymised_account_cannot_log_in(client, make_user):
    user = make_user("ada@test.invalid")
    services.delete_account(user)
    response = client.post("/accounts/login/", {"username": "ada@test.invalid",
                                                "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# Password reset -----------------------------------------------------------------------------


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://forum.test.invalid"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    return settings.SITE_URL


def test_reset_link_points_at_site_url_even_with_a_forged_host(site, make_user):
    user = make_user("ada@test.invalid")
    client = Client(HTTP_HOST="evil.example")
    response = client.post("/accounts/password-reset/", {"email": "Ada@Test.Invalid"},
                           HTTP_HOST="evil.example")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    email = last_email("accounts.password-reset")
    assert email.to == ["ada@test.invalid"]
    assert email.related_id == str(user.pk)
    assert "evil.example" not in email.body
    link = link_in(email.body, f"{site}/accounts/password-reset/")

    # The link works (once) and sets the new password.
    client = Client()
    response = client.get(link.removeprefix(site))
    assert response.status_code == 302  # Django moves the token out of the address
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.status_code == 200 and b"Choose a new password" in response.content
    response = client.post(form_url, {"new_password1": "a-new-stellarator-password",
                                      "new_password2": "a-new-stellarator-password"})
    assert response["Location"] == "/accounts/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password("a-new-stellarator-password")
    assert Client().get(link.removeprefix(site)).status_code == 200  # shows "not valid" now
    assert b"not valid" in Client().get(link.removeprefix(site)).content


def test_reset_for_unknown_or_deleted_addresses_sends_nothing(site, make_user):
    gone = make_user("gone@test.invalid")
    services.delete_account(gone)
    client = Client()
    for address in ("nobody@test.invalid", "gone@test.invalid"):
        response = client.post("/accounts/password-reset/", {"email": address})
        # The same answer either way: no one learns whether an account exists.
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert not OutboundEmail.objects.filter(purpose="accounts.password-reset").exists()


def test_reset_requests_are_rate_limited(site, make_user, settings):
    settings.ACCOUNTS_PASSWORD_RESET_RATE_LIMIT = 2
    make_user("ada@test.invalid")
    client = Client()
    for _ in range(2):
        client.post("/accounts/password-reset/", {"email": "ada@test.invalid"})
    assert client.post("/accounts/password-reset/", {"email": "ada@test.invalid"}) \
        .status_code == 429
    assert OutboundEmail.objects.filter(purpose="accounts.password-reset").count() == 2


def test_invalid_reset_email_is_a_400(client, db):
    response = client.post("/accounts/password-reset/", {"email": "not-an-address"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
