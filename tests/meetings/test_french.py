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


def test_a_group_meeting_names_its_experts_in_each_readers_language(
        client, event, people, experts, organiser, django_capture_on_commit_callbacks):
    """The snapshot keeps the two names, published in English; a French reader reads them
    joined in French, on the page, in the e-mail and in the calendar feed."""
    from fusionforum.meetings import agenda

    people["alice"].preferred_language = "fr"
    people["alice"].save(update_fields=["preferred_language"])
    event.default_language = "en"
    event.save(update_fields=["default_language"])
    request = services.submit_request(event, people["alice"], expert=experts["mara"],
                                      expert2=experts["cyril"], topic="Cooling", priority=1,
                                      attendees=[people["alice"]])
    services.place_meeting(event, request, experts["mara"], 0, by=organiser,
                           expert2=experts["cyril"])
    with django_capture_on_commit_callbacks(execute=True):
        release = publishing.publish(event, by=organiser, close_requests=True)
    published = release.snapshot["meetings"][0]
    assert published["expert_names"] == ["Mara Magnet", "Cyril Cold"]
    both = "Mara Magnet et Cyril Cold"
    assert both in OutboundEmail.objects.get(to=["alice@alpha.invalid"]).body
    client.force_login(people["alice"])
    page = client.get(reverse("meetings:home", args=[event.slug]),
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert both in page and "Mara Magnet and Cyril Cold" not in page
    token = agenda.feed_for(people["alice"], event).token
    feed = client.get(reverse("meetings:feed", args=[event.slug, token])).content.decode()
    assert both in feed.replace("\r\n ", "")
    # Her colleague, who chose no language, reads English.
    client.force_login(people["arno"])
    english = client.get(reverse("meetings:home", args=[event.slug]),
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mara Magnet and Cyril Cold" in english


def test_a_version_published_before_group_meetings_reads_its_one_name(event, experts):
    from fusionforum.meetings import agenda

    old = {"request": 1, "start": "2027-05-28T09:00:00+02:00",
           "end": "2027-05-28T09:30:00+02:00", "expert": experts["mara"].pk,
           "expert_name": "Mara Magnet", "target": {"expert": experts["mara"].pk}}
    with translation.override("fr"):
        shown = agenda.with_times([old], event.tz)[0]
        assert shown["expert_name"] == "Mara Magnet"
        assert agenda.target_words(old, {}) == "Mara Magnet"
        assert publishing.experts_of(old) == [experts["mara"].pk]


def test_a_changes_place_keeps_the_names_for_their_reader():
    before = {"request": 7, "slot": 0, "start": "s", "expert": 1, "experts": [1],
              "expert_name": "Mara Magnet", "expert_names": ["Mara Magnet"]}
    after = {**before, "experts": [1, 2], "expert_name": "Mara Magnet and Cyril Cold",
             "expert_names": ["Mara Magnet", "Cyril Cold"]}
    moved = publishing.diff({"meetings": [before]}, {"meetings": [after]}, 1)["moved"]
    assert moved[0]["to"]["expert_names"] == ["Mara Magnet", "Cyril Cold"]
    with translation.override("fr"):
        assert publishing.expert_words(moved[0]["to"]) == "Mara Magnet et Cyril Cold"
        # A change recorded before the names were kept: its joined words as written.
        assert publishing.expert_words({"expert_name": "Mara Magnet"}) == "Mara Magnet"
