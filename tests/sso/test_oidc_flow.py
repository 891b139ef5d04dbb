"""OpenID Connect sign-in against a real provider process, at the HTTP level: the platform's
test client starts each sign-in, a requests session plays the person at the provider, and the
provider's answer comes back to the platform's callback."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from fusionforum.accounts.models import User
from fusionforum.core.models import AuditEntry
from fusionforum.events.models import EventCreator, TeamMembership
from fusionforum.sso.models import Link, UsedToken

from .conftest import callback_path

pytestmark = pytest.mark.django_db(transaction=True)


def start(client, key="institute", next_url=""):
    url = reverse("sso:start", args=[key])
    answer = client.get(url, {"next": next_url} if next_url else {})
    assert answer.status_code == 302, answer.content[:500]
    return answer["Location"]


def sign_in(client, provider, username, *, next_url=""):
    authorize = start(client, next_url=next_url)
    back = provider.authorize(username, authorize)
    return client.get(callback_path(back)), back


def test_authorization_request_carries_pkce_state_and_nonce(client, institute):
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/oidc/callback/"]
    assert query["scope"] == ["openid email profile"]


def test_first_sign_in_creates_a_verified_account_without_password(client, institute,
                                                                  oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "newcomer")
    assert answer.status_code == 302
    user = User.objects.get(email="newcomer@institute.example")
    assert user.full_name == "Nadia Newcomer"
    assert user.email_verified_at is not None
    assert not user.has_usable_password()
    link = Link.objects.get(user=user)
    assert link.provider_key == "institute"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="sso.account_created", object_id=str(user.pk))
    # A later sign-in matches by subject: no second account, no second link.
    client.logout()
    answer, _ = sign_in(client, oidc_provider, "newcomer")
    assert answer.status_code == 302
    assert User.objects.filter(email="newcomer@institute.example").count() == 1
    assert Link.objects.filter(user=user).count() == 1


def test_existing_account_is_linked_only_after_its_password(client, institute, oidc_provider,
                                                           make_user):
    existing = make_user("existing@institute.example", full_name="Esther Existing")
    answer, _ = sign_in(client, oidc_provider, "existing")
    assert answer.status_code == 302 and answer["Location"] == reverse("sso:link")
    assert "_auth_user_id" not in client.session
    assert not Link.objects.exists()
    page = client.get(reverse("sso:link"))
    assert b"existing@institute.example" in page.content
    wrong = client.post(reverse("sso:link"), {"password": "not-it"})
    assert wrong.status_code == 400
    assert b"not the password of this account" in wrong.content
    assert not Link.objects.exists()
    assert AuditEntry.objects.filter(action="sso.link_refused").exists()
    right = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert right.status_code == 302
    assert Link.objects.get().user == existing
    assert client.session["_auth_user_id"] == str(existing.pk)
    assert AuditEntry.objects.filter(action="sso.linked", data__method="password").exists()


def test_linking_counts_wrong_passwords_like_the_login_page(client, institute, oidc_provider,
                                                            make_user):
    make_user("existing@institute.example")
    sign_in(client, oidc_provider, "existing")
    for _ in range(5):
        client.post(reverse("sso:link"), {"password": "not-it"})
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    # django-axes answers for the locked-out account, as on the log-in page.
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not Link.objects.exists()
    # The e-mailed link still works.
    assert client.post(reverse("sso:link"), {"action": "email"}).status_code == 200


def test_existing_account_is_linked_by_an_emailed_link(client, institute, oidc_provider,
                                                      make_user):
    existing = make_user("existing@institute.example")
    sign_in(client, oidc_provider, "existing")
    sent = client.post(reverse("sso:link"), {"action": "email"})
    assert sent.status_code == 200 and b"We sent a link" in sent.content
    message = mail.outbox[-1]
    assert message.to == ["existing@institute.example"]
    link = next(line for line in message.body.splitlines() if "/accounts/sso/link/" in line)
    # The link works only in the browser where the sign-in waits.
    other = client.__class__()
    assert other.get(urlsplit(link).path).status_code == 400
    assert client.get(urlsplit(link).path[:-3] + "xx/").status_code == 400
    answer = client.get(urlsplit(link).path)
    assert answer.status_code == 302
    assert Link.objects.get().user == existing
    assert AuditEntry.objects.filter(action="sso.linked", data__method="email").exists()


def test_group_makes_an_event_creator(client, institute, oidc_provider):
    sign_in(client, oidc_provider, "lead")
    user = User.objects.get(email="lead@institute.example")
    assert EventCreator.objects.filter(user=user, granted_by=None).exists()
    assert AuditEntry.objects.filter(action="events.creator_named", data__provider="institute")


def test_no_group_no_role(client, institute, oidc_provider):
    sign_in(client, oidc_provider, "newcomer")
    assert not EventCreator.objects.exists()


def test_invited_expert_is_linked_and_lands_on_the_agenda(client, institute, oidc_provider,
                                                         event):
    from fusionforum.meetings.models import Expert

    expert = Expert.objects.create(event=event, name="Erik Expert",
                                   email="Expert@Institute.example")
    answer, _ = sign_in(client, oidc_provider, "expert")
    expert.refresh_from_db()
    assert expert.user is not None and expert.user.email == "expert@institute.example"
    assert answer.status_code == 302
    assert AuditEntry.objects.filter(action="meetings.expert_linked").exists()


def test_provider_second_factor_counts_for_staff(client, institute, oidc_provider, event,
                                                 make_user):
    organiser = make_user("organiser@institute.example")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    answer, _ = sign_in(client, oidc_provider, "organiser-mfa", next_url="/manage/")
    # The account exists: prove it first.
    assert answer["Location"] == reverse("sso:link")
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert answer.status_code == 302 and answer["Location"] == "/manage/"
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="sso.second_factor_counted").exists()


def test_provider_without_second_factor_leaves_the_local_step(client, institute,
                                                              oidc_provider, event, make_user):
    organiser = make_user("organiser2@institute.example")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    sign_in(client, oidc_provider, "organiser-pwd")
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert answer["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get("/admin/").status_code == 302


def test_provider_not_enforcing_second_factor_leaves_the_local_step(
        client, institute, oidc_provider, event, make_user):
    institute.enforces_second_factor = False
    institute.save()
    organiser = make_user("organiser@institute.example")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    sign_in(client, oidc_provider, "organiser-mfa")
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert answer["Location"].startswith(reverse("accounts:two_factor_setup"))


# Refusals -------------------------------------------------------------------------------------


def refused(answer, words):
    assert answer.status_code in (400, 403), answer.status_code
    text = answer.content.decode()
    assert "Sign-in refused" in text and words in text, text[-1500:]
    assert "_auth_user_id" not in answer.wsgi_request.session


def test_state_mismatch_is_refused(client, institute, oidc_provider):
    authorize = start(client)
    back = oidc_provider.authorize("newcomer", authorize)
    forged = back.replace("state=", "state=x")
    refused(client.get(callback_path(forged)), "does not belong to a sign-in started")
    assert not User.objects.exists()
    assert AuditEntry.objects.filter(action="sso.refused", data__reason="state").exists()


def test_callback_in_another_browser_is_refused(client, institute, oidc_provider):
    back = oidc_provider.authorize("newcomer", start(client))
    refused(client.__class__().get(callback_path(back)), "does not belong to a sign-in")


def test_replayed_callback_is_refused(client, institute, oidc_provider):
    back = oidc_provider.authorize("newcomer", start(client))
    assert client.get(callback_path(back)).status_code == 302
    client.logout()
    refused(client.get(callback_path(back)), "does not belong to a sign-in started")


def test_replayed_code_is_refused_by_the_provider(client, institute, oidc_provider):
    first = oidc_provider.authorize("newcomer", start(client))
    assert client.get(callback_path(first)).status_code == 302
    client.logout()
    # A new sign-in in this browser, answered with the code already used.
    second = oidc_provider.authorize("newcomer", start(client))
    state = parse_qs(urlsplit(second).query)["state"][0]
    code = parse_qs(urlsplit(first).query)["code"][0]
    refused(client.get(reverse("sso:oidc_callback"), {"code": code, "state": state}),
            "refused to confirm this sign-in")


def test_replayed_id_token_is_refused(client, institute, oidc_provider):
    from fusionforum.sso import oidc

    back = oidc_provider.authorize("newcomer", start(client))
    assert client.get(callback_path(back)).status_code == 302
    used = UsedToken.objects.get()
    id_token = client.session["sso_current"]["id_token"]
    assert used.digest == __import__("hashlib").sha256(id_token.encode()).hexdigest()
    with pytest.raises(oidc.Refused) as caught:
        oidc.remember_token(id_token, {"exp": int(used.expires_at.timestamp())})
    assert caught.value.code == "replayed"


def test_unverified_email_is_refused(client, institute, oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "unverified")
    refused(answer, "does not confirm that your e-mail address is verified")
    assert not User.objects.exists()


def test_address_of_another_domain_is_refused(client, institute, oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "outsider")
    refused(answer, "not used for addresses of this domain")


def test_expired_id_token_is_refused(client, institute, oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "expired")
    refused(answer, "has expired")


def test_wrong_issuer_is_refused(client, institute, oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "wrong-issuer")
    refused(answer, "does not come from the identity provider")


def test_nonce_mismatch_is_refused(client, institute, oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "wrong-nonce")
    refused(answer, "made for another sign-in attempt")


def test_wrong_audience_is_refused(client, institute, oidc_provider):
    answer, _ = sign_in(client, oidc_provider, "wrong-audience")
    refused(answer, "made for another site")


def test_unknown_or_disabled_provider_is_a_clear_404(client, institute):
    institute.enabled = False
    institute.save()
    answer = client.get(reverse("sso:start", args=["institute"]))
    assert answer.status_code == 404


# Log-in page, required single sign-on, sign-out ------------------------------------------------


def test_login_page_shows_one_button_per_enabled_provider(client, institute):
    page = client.get(reverse("accounts:login") + "?next=/manage/")
    assert b"Sign in with Demo Institute" in page.content
    assert b"/accounts/sso/start/institute/?next=%2Fmanage%2F" in page.content


def test_staff_of_a_required_domain_cannot_use_the_password(client, institute, event,
                                                            make_user):
    institute.required_for_staff = True
    institute.save()
    organiser = make_user("organiser@institute.example")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    answer = client.post(reverse("accounts:login"), {
        "username": "organiser@institute.example", "password": "a-long-test-password"})
    assert answer.status_code == 403
    assert b"sign in through Demo Institute" in answer.content
    assert "_auth_user_id" not in client.session
    # A participant of the same domain keeps the password.
    make_user("participant@institute.example")
    answer = client.post(reverse("accounts:login"), {
        "username": "participant@institute.example", "password": "a-long-test-password"})
    assert answer.status_code == 302


def test_logout_offers_rp_initiated_logout(client, institute, oidc_provider):
    sign_in(client, oidc_provider, "newcomer")
    id_token = client.session["sso_current"]["id_token"]
    answer = client.post(reverse("accounts:logout"))
    assert answer.status_code == 302 and answer["Location"] == reverse("sso:signed_out")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("sso:signed_out"))
    text = page.content.decode()
    assert "Sign out of Demo Institute too" in text
    href = next(part for part in text.split('"') if part.startswith(oidc_provider.issuer))
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
