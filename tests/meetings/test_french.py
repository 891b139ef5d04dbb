"""The meetings day in French: a participant's request page and an expert's agenda read in
French when the browser asks for it, and the publication e-mail goes out in each recipient's
own language (not the organiser's who publishes)."""

import pytest
from django.urls import reverse
from django.utils import translation

from fusionforum.meetings import publishing, services
from fusionforum.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

NB = "\u00a0"


@pytest.fixture(autouse=True)
def back_to_english():
    """A French request leaves French active in this thread (LocaleMiddleware never resets it):
    the tests after these ones expect the default language."""
    yield
    translation.activate("en")


def test_request_page_in_french(client, event, people, experts):
    client.force_login(people["alice"])
    url = reverse("meetings:request_new", args=[event.slug])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Demander une rencontre" in page
    assert f"Qui souhaitez-vous rencontrer{NB}?" in page
    assert "Experts suggérés" in page
    assert "Envoyer la demande" in page
    assert "Une personne en magnets" in page or "Une personne en " in page
    for english in ("Ask for a meeting", "Whom do you want to meet", "Send the request",
                    "Suggested experts"):
        assert english not in page
    # The same page without Accept-Language stays English.
    english_page = client.get(url).content.decode()
    assert "Ask for a meeting" in english_page and "Demander une rencontre" not in english_page


def test_home_page_in_french(client, event, people, experts):
    services.submit_request(event, people["alice"], expert=experts["mara"], topic="Quench",
                            priority=1, attendees=[people["alice"]])
    client.force_login(people["alice"])
    page = client.get(reverse("meetings:home", args=[event.slug]),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rencontres avec les experts" in page
    assert "Les demandes de votre organisme" in page
    assert "Les demandes sont ouvertes jusqu’au" in page and "mai 2027" in page
    assert "Requests are open until" not in page


@pytest.fixture
def published(event, people, experts, organiser, fake_solver,
              django_capture_on_commit_callbacks):
    people["alice"].preferred_language = "fr"
    people["alice"].save(update_fields=["preferred_language"])
    services.submit_request(event, people["alice"], expert=experts["mara"],
                            topic="Quench detection", priority=1, attendees=[people["alice"]])
    services.submit_request(event, people["bea"], discipline="cryogenics",
                            topic="Cold box", priority=1, attendees=[people["bea"]])
    with django_capture_on_commit_callbacks(execute=True):
        services.start_run(event, by=organiser)
    # The organiser publishes from a French page: each e-mail still follows its recipient.
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        return publishing.publish(event, by=organiser, close_requests=True)


def test_expert_agenda_in_french(client, event, experts, published):
    client.force_login(experts["mara"].user)
    page = client.get(reverse("meetings_expert:home", args=[event.slug]),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre agenda d’expert" in page
    assert "Marquer comme tenue" in page and "Écrire des notes" in page
    assert "Your expert agenda" not in page and "Mark as held" not in page


def test_publication_emails_in_each_recipients_language(event, published):
    alice = OutboundEmail.objects.get(to=["alice@alpha.invalid"])
    assert alice.subject.replace(NB, " ").endswith(" : vos rencontres (version 1)")
    assert "Vos rencontres désormais" in alice.body
    assert "Sujet" in alice.body and "Your meetings now" not in alice.body
    # Bea chose no language and the event speaks English: her e-mail is English, though the
    # organiser published from a French page.
    bea = OutboundEmail.objects.get(to=["bea@beta.invalid"])
    assert bea.subject.endswith(": your meetings (version 1)")
    assert "Your meetings now:" in bea.body and "rencontres" not in bea.body


def test_calendar_feed_speaks_its_owners_language(client, event, people, published):
    from fusionforum.meetings.agenda import feed_for

    token = feed_for(people["alice"], event).token
    body = client.get(reverse("meetings:feed", args=[event.slug, token])).content.decode()
    assert "Rencontre" in body and "Participants" in body
