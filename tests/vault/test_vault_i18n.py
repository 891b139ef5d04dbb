"""The vault in French: the participant's page, a security office page, and the decision
e-mail written in the recipient's language whatever language the officer uses."""

import pytest
from django.urls import reverse

from fusionforum.notifications.models import OutboundEmail
from fusionforum.vault import services

from .conftest import identity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A French request leaves French active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.deactivate()

NBSP = "\u00a0"


def test_participant_page_in_french(client, clock, event, alice):
    alice.preferred_language = "fr"
    alice.save(update_fields=["preferred_language"])
    client.force_login(alice)
    response = client.get(reverse("vault:status", args=[event.slug]),
                          HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Accès au site pour les visites" in page
    assert f"Votre situation{NBSP}:" in page
    assert "Manquant" in page  # the status label
    assert "Prénoms (comme sur le document)" in page  # a field label
    assert "Envoyer au service de sécurité" in page
    assert "mai 2027" in page  # the deadline's month, in French
    for english in ("Site access for the tours", "Your status:", "Send to the security office",
                    "Given names"):
        assert english not in page
    # A refused input answers in French too.
    response = client.post(reverse("vault:status", args=[event.slug]),
                           identity(date_of_birth="2100-01-01"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Indiquez votre véritable date de naissance." in response.content.decode()


def test_security_office_pages_in_french(officer_client, clock, event, submitted, alice):
    overview = officer_client.get(reverse("vault_security:overview", args=[event.slug]),
                                  HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Personnes et autorisations" in overview
    assert "Envoyé" in overview and "Ouvrir le dossier" in overview
    assert "People and clearances" not in overview and "submitted:" not in overview
    person = officer_client.get(reverse("vault_security:person", args=[event.slug, alice.pk]),
                                HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Cette consultation a été inscrite au journal des accès." in person
    assert "Enregistrer la décision" in person and "Autoriser" in person
    log = officer_client.get(reverse("vault_security:log", args=[event.slug]),
                             HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Journal des accès" in log and "Consulté" in log


@pytest.mark.parametrize(("language", "subject", "sentence"), [
    ("fr", f"Accès au site{NBSP}: Refusé", "Le service de sécurité n’a pas pu autoriser"),
    ("en", "Site access: Refused", "The security office could not approve"),
])
def test_decision_email_in_the_recipients_language(clock, event, submitted, alice, officer,
                                                   language, subject, sentence):
    from django.utils import translation

    alice.preferred_language = language
    alice.save(update_fields=["preferred_language"])
    officer.preferred_language = "en" if language == "fr" else "fr"
    officer.save(update_fields=["preferred_language"])
    # The officer works in the other language: the e-mail follows the recipient.
    with translation.override(officer.preferred_language):
        services.decide(event, officer, alice, approve=False, reason="Unreadable scan")
    email = OutboundEmail.objects.get(purpose="vault.decision")
    # (the e-mail's subject is one line of plain spaces)
    assert " ".join(email.subject.split()).startswith(" ".join(subject.split()))
    assert sentence in email.body
    assert "P1234567" not in email.body


def test_decision_email_falls_back_to_the_events_language(clock, event, submitted, alice,
                                                          officer):
    event.default_language = "fr"
    event.save(update_fields=["default_language"])
    alice.preferred_language = ""
    alice.save(update_fields=["preferred_language"])
    services.decide(event, officer, alice, approve=True)
    email = OutboundEmail.objects.get(purpose="vault.decision")
    assert " ".join(email.subject.split()).startswith("Accès au site : Autorisé")
    assert "Bonjour," in email.body
