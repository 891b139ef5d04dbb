"""A person's language: asked at sign-up (the browser's by default), edited in the profile,
and the language of the account e-mails (verification, password reset), whatever language the
request that sent them was in."""

import pytest

from fusionforum.accounts.models import Organisation, User
from fusionforum.notifications.models import OutboundEmail


@pytest.fixture
def organisation(db):
    organisation = Organisation(name="Fictional Plasma Laboratory", kind="public_lab",
                                country="FR", website="https://lab.test.invalid")
    organisation.full_clean()
    organisation.save()
    return organisation


def signup_data(organisation, **overrides):
    data = {
        "full_name": "Ada Fictional", "email": "ada@test.invalid",
        "password": "tritium-breeding-blanket", "organisation_mode": "existing",
        "organisation": organisation.pk, "org_name": "", "org_kind": "", "org_country": "",
        "org_website": "", "org_fusion_approach": "",
    }
    data.update(overrides)
    return data


def test_sign_up_offers_the_browsers_language_first(client, organisation):
    page = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'name="preferred_language"' in page
    assert '<option value="fr" selected>Français</option>' in page


def test_a_french_sign_up_gets_a_french_verification_email(client, organisation):
    response = client.post("/accounts/signup/",
                           signup_data(organisation, preferred_language="fr"),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert User.objects.get(email="ada@test.invalid").preferred_language == "fr"
    email = OutboundEmail.objects.get(purpose="accounts.verify-email")
    assert email.subject == "Confirmez votre adresse e-mail pour Fusion Forum"
    assert email.body.startswith("Bonjour Ada Fictional,")
    # The language also stays in a cookie, for the pages after logging out.
    assert response.cookies["fusionforum_language"].value == "fr"


def test_a_sign_up_without_a_choice_keeps_the_pages_language(client, organisation):
    client.post("/accounts/signup/", signup_data(organisation), HTTP_ACCEPT_LANGUAGE="fr")
    assert User.objects.get(email="ada@test.invalid").preferred_language == "fr"


def test_the_profile_edits_the_language(client, organisation, make_user):
    user = make_user(full_name="Ada Fictional", organisation=organisation)
    client.force_login(user)
    response = client.post("/accounts/profile/", {
        "full_name": "Ada Fictional", "preferred_language": "fr",
        "organisation_mode": "existing", "organisation": organisation.pk})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).preferred_language == "fr"
    page = client.get("/accounts/profile/").content.decode()
    assert "Votre profil est enregistré." in page
    assert '<html lang="fr">' in page


def test_a_password_reset_email_is_in_the_account_holders_language(client, make_user):
    make_user("fr@test.invalid", full_name="Camille", preferred_language="fr")
    make_user("en@test.invalid", full_name="Kim", preferred_language="en")
    client.post("/accounts/password-reset/", {"email": "fr@test.invalid"},
                HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/password-reset/", {"email": "en@test.invalid"},
                HTTP_ACCEPT_LANGUAGE="fr")
    french, english = OutboundEmail.objects.filter(
        purpose="accounts.password-reset").order_by("pk")
    assert french.subject == "Choisissez un nouveau mot de passe pour Fusion Forum"
    assert french.body.startswith("Bonjour Camille,")
    assert english.subject == "Set a new password for Fusion Forum"
    assert english.body.startswith("Hello Kim,")
