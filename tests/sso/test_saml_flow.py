"""SAML 2.0 sign-in against a real pysaml2 identity provider process, at the HTTP level: the
platform's test client sends the AuthnRequest, a requests session plays the person at the
provider, and the provider's signed answer is posted to the platform's ACS (as the provider's
page would), then followed by GET as a browser does."""

import base64
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from fusionforum.accounts.models import User
from fusionforum.core.models import AuditEntry
from fusionforum.events.models import EventCreator, TeamMembership
from fusionforum.sso.models import Link, UsedToken

from .conftest import DOMAIN

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "saml-institute"


def start(client, next_url=""):
    answer = client.get(reverse("sso:start", args=[KEY]), {"next": next_url} if next_url else {})
    assert answer.status_code == 302, answer.content[:2000]
    return answer["Location"]


def post_answer(client, action, fields):
    """The POST from the provider's page (no session cookie, as across sites), then the GET."""
    path = urlsplit(action).path
    posted = client.__class__().post(path, fields)
    assert posted.status_code == 303, posted.content[:2000]
    return client.get(posted["Location"])


def sign_in(client, idp, email, *, next_url=""):
    action, fields = idp.answer(email, start(client, next_url))
    return post_answer(client, action, fields), (action, fields)


def refused(answer, words):
    assert answer.status_code in (400, 403), answer.status_code
    text = answer.content.decode()
    assert "Sign-in refused" in text and words in text, text[-1500:]
    assert "_auth_user_id" not in answer.wsgi_request.session


def test_sp_metadata_names_the_acs_and_wants_signed_assertions(client, saml_institute):
    answer = client.get(reverse("sso:saml_metadata", args=[KEY]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/samlmetadata+xml")
    text = answer.content.decode()
    assert 'entityID="http://testserver/accounts/sso/saml/saml-institute/metadata/"' in text
    assert "http://testserver/accounts/sso/saml/saml-institute/acs/" in text
    assert 'WantAssertionsSigned="true"' in text
    assert client.get(reverse("sso:saml_metadata", args=["nope"])).status_code == 404


def test_authn_request_goes_by_redirect_to_the_provider(client, saml_institute, saml_idp):
    location = start(client)
    assert location.startswith(f"{saml_idp.url}/sso/redirect?")
    query = parse_qs(urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15).decode()
    assert "AuthnRequest" in xml
    assert 'AssertionConsumerServiceURL="http://testserver/accounts/sso/saml/saml-institute/acs/"' \
        in xml


def test_first_sign_in_creates_an_account_and_later_matches_by_subject(client, saml_institute,
                                                                       saml_idp):
    answer, _ = sign_in(client, saml_idp, f"newcomer@{DOMAIN}")
    assert answer.status_code == 302, answer.content[-2000:]
    user = User.objects.get(email=f"newcomer@{DOMAIN}")
    assert user.full_name == "Nadia Newcomer"
    assert user.email_verified_at is not None and not user.has_usable_password()
    assert Link.objects.get(user=user).provider_key == KEY
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="sso.account_created").exists()
    assert UsedToken.objects.count() == 1
    client.logout()
    answer, _ = sign_in(client, saml_idp, f"newcomer@{DOMAIN}")
    assert answer.status_code == 302
    assert User.objects.count() == 1 and Link.objects.count() == 1


def test_existing_account_is_linked_only_after_its_password(client, saml_institute, saml_idp,
                                                           make_user):
    existing = make_user(f"existing@{DOMAIN}")
    answer, _ = sign_in(client, saml_idp, f"existing@{DOMAIN}")
    assert answer.status_code == 302 and answer["Location"] == reverse("sso:link")
    assert "_auth_user_id" not in client.session and not Link.objects.exists()
    assert client.post(reverse("sso:link"), {"password": "not-it"}).status_code == 400
    assert not Link.objects.exists()
    right = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert right.status_code == 302
    assert Link.objects.get().user == existing
    assert client.session["_auth_user_id"] == str(existing.pk)


def test_group_attribute_makes_an_event_creator(client, saml_institute, saml_idp):
    sign_in(client, saml_idp, f"lead@{DOMAIN}")
    user = User.objects.get(email=f"lead@{DOMAIN}")
    assert EventCreator.objects.filter(user=user, granted_by=None).exists()
    client.logout()
    sign_in(client, saml_idp, f"newcomer@{DOMAIN}")
    assert EventCreator.objects.count() == 1


def test_leaving_the_group_withdraws_only_the_role_the_mapping_gave(client, saml_institute,
                                                                    saml_idp, make_user):
    from fusionforum.sso.models import MappedRole

    sign_in(client, saml_idp, f"lead@{DOMAIN}")
    user = User.objects.get(email=f"lead@{DOMAIN}")
    assert MappedRole.objects.filter(user=user, provider_key=KEY).exists()
    client.logout()
    answer, _ = sign_in(client, saml_idp, f"former-lead@{DOMAIN}")  # same NameID, no group
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not EventCreator.objects.filter(user=user).exists()
    assert not MappedRole.objects.exists()
    assert AuditEntry.objects.filter(action="events.creator_removed",
                                     data__provider=KEY).exists()
    # Named by an administrator: the role stays whatever the groups say.
    admin = make_user("root@test.invalid")
    EventCreator.objects.create(user=user, granted_by=admin, granted_at=user.date_joined)
    client.logout()
    sign_in(client, saml_idp, f"former-lead@{DOMAIN}")
    assert EventCreator.objects.filter(user=user, granted_by=admin).exists()


def test_invited_expert_is_linked(client, saml_institute, saml_idp, event):
    from fusionforum.meetings.models import Expert

    expert = Expert.objects.create(event=event, name="Erik Expert", email=f"expert@{DOMAIN}")
    answer, _ = sign_in(client, saml_idp, f"expert@{DOMAIN}")
    assert answer.status_code == 302
    expert.refresh_from_db()
    assert expert.user is not None and expert.user.email == f"expert@{DOMAIN}"


def test_authn_context_counts_as_second_factor_for_staff(client, saml_institute, saml_idp,
                                                         event, make_user):
    organiser = make_user(f"organiser@{DOMAIN}")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    answer, _ = sign_in(client, saml_idp, f"organiser@{DOMAIN}", next_url="/manage/")
    assert answer["Location"] == reverse("sso:link")
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert answer.status_code == 302 and answer["Location"] == "/manage/"
    assert client.get("/admin/").status_code == 200
    entry = AuditEntry.objects.get(action="sso.second_factor_counted")
    assert entry.data["acr"] == "https://refeds.org/profile/mfa"


def test_password_context_leaves_the_local_second_factor(client, saml_institute, saml_idp,
                                                         event, make_user):
    organiser = make_user(f"organiser2@{DOMAIN}")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    sign_in(client, saml_idp, f"organiser2@{DOMAIN}")
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert answer["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert not AuditEntry.objects.filter(action="sso.second_factor_counted").exists()


def test_provider_not_enforcing_second_factor_leaves_the_local_step(
        client, saml_institute, saml_idp, event, make_user):
    saml_institute.enforces_second_factor = False
    saml_institute.save()
    organiser = make_user(f"organiser@{DOMAIN}")
    TeamMembership.objects.create(event=event, user=organiser,
                                  role=TeamMembership.Role.ORGANISER)
    sign_in(client, saml_idp, f"organiser@{DOMAIN}")
    answer = client.post(reverse("sso:link"), {"password": "a-long-test-password"})
    assert answer["Location"].startswith(reverse("accounts:two_factor_setup"))


# Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("email", "code", "words"), [
    (f"unsigned@{DOMAIN}", "signature", "not signed by the identity provider"),
    (f"otherkey@{DOMAIN}", "signature", "not signed by the identity provider"),
    (f"expired@{DOMAIN}", "expired", "has expired"),
    (f"audience@{DOMAIN}", "audience", "made for another site"),
    (f"destination@{DOMAIN}", "destination", "sent to another address"),
    ("otto@elsewhere.example", "domain", "not used for addresses of this domain"),
])
def test_spoiled_answers_are_refused(client, saml_institute, saml_idp, email, code, words):
    answer, _ = sign_in(client, saml_idp, email)
    refused(answer, words)
    assert not User.objects.exists() and not Link.objects.exists()
    assert AuditEntry.objects.filter(action="sso.refused", data__reason=code).exists()


def test_replayed_answer_is_refused(client, saml_institute, saml_idp):
    answer, (action, fields) = sign_in(client, saml_idp, f"newcomer@{DOMAIN}")
    assert answer.status_code == 302
    client.logout()
    # The same answer again: its request was answered already.
    refused(post_answer(client, action, fields), "does not belong to a sign-in started")
    # Even in a browser that still waits for that very request (a copied session), the
    # assertion id was used: refused.
    from fusionforum.sso import saml

    first = client.__class__()
    first.get(reverse("sso:start", args=[KEY]))
    session = first.session
    pending = session[saml.SESSION_REQUESTS]
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    request_id = xml.split('InResponseTo="')[1].split('"')[0]
    pending[request_id] = next(iter(pending.values()))
    session[saml.SESSION_REQUESTS] = pending
    session.save()
    refused(post_answer(first, action, fields), "already used")
    assert AuditEntry.objects.filter(action="sso.refused", data__reason="replayed").exists()


def test_tampered_answer_is_refused(client, saml_institute, saml_idp):
    action, fields = saml_idp.answer(f"newcomer@{DOMAIN}", start(client))
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    tampered = xml.replace(f"newcomer@{DOMAIN}", f"lead@{DOMAIN}")
    assert tampered != xml
    fields["SAMLResponse"] = base64.b64encode(tampered.encode()).decode()
    refused(post_answer(client, action, fields), "not signed by the identity provider")
    assert not User.objects.exists()


def test_answer_in_another_browser_is_refused(client, saml_institute, saml_idp):
    action, fields = saml_idp.answer(f"newcomer@{DOMAIN}", start(client))
    refused(post_answer(client.__class__(), action, fields), "does not belong")
    assert not User.objects.exists()


def test_garbage_and_unknown_answers_are_clear_4xx(client, saml_institute):
    acs = reverse("sso:saml_acs", args=[KEY])
    assert client.__class__().post(acs, {}).status_code == 400
    start(client)
    refused(post_answer(client, acs, {"SAMLResponse": "bm90IHhtbA=="}), "could not be read")
    refused(client.get(acs, {"answer": "unknown"}), "does not belong")
    assert client.post(reverse("sso:saml_acs", args=["nope"]), {}).status_code == 404


def test_the_acs_takes_a_limited_number_of_answers_per_client(client, saml_institute):
    from fusionforum.sso import saml

    acs = reverse("sso:saml_acs", args=[KEY])
    for _ in range(saml.ANSWERS_PER_WINDOW):
        assert client.post(acs, {"SAMLResponse": "eA=="}).status_code == 303
    answer = client.post(acs, {"SAMLResponse": "eA=="})
    assert answer.status_code == 429 and b"Too many sign-in answers" in answer.content


def test_a_saml_provider_needs_entity_id_metadata_domains(db):
    from django.core.exceptions import ValidationError

    from fusionforum.sso.models import IdentityProvider

    provider = IdentityProvider(key="x", protocol="saml", label="X")
    with pytest.raises(ValidationError) as raised:
        provider.full_clean()
    assert {"entity_id", "metadata_url", "email_domains"} <= set(raised.value.message_dict)
    provider.metadata_xml = "<not-xml"
    with pytest.raises(ValidationError) as raised:
        provider.full_clean()
    assert "not well-formed XML" in str(raised.value.message_dict["metadata_xml"])
    provider.metadata_xml = '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    with pytest.raises(ValidationError):
        provider.full_clean()
    oidc = IdentityProvider(key="y", protocol="oidc", label="Y")
    with pytest.raises(ValidationError) as raised:
        oidc.full_clean()
    assert {"issuer", "client_id"} <= set(raised.value.message_dict)
